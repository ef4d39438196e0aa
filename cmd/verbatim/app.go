package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/verbatim-archive/verbatim/internal/config"
)

// Stdio is the program's view of its process, so tests run the real
// program in-process.
type Stdio struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Listening, when set, hears the base URL once the server accepts
	// connections (tests use port 0).
	Listening func(url string)
}

// errUsage marks mistakes in the command line (exit status 2).
var errUsage = errors.New("usage")

type command struct {
	name, args, summary string
	run                 func(ctx context.Context, args []string, io Stdio) error
}

func commands() []command {
	return []command{
		{"serve", "[flags]", "serve the archive from the data directory (or S3)", runServe},
		{"demo", "[--data DIR] [flags]", "seed a directory (default: a temporary one) with the two sample recordings and serve it", runDemo},
		{"import", "[flags] DIR", "import the recordings described by DIR/manifest.json (again: updates)", runImport},
		{"reindex", "[flags]", "rebuild the search index from storage alone", runReindex},
		{"check", "[--clean] [flags]", "check storage for broken manifests and orphaned objects (and clean them)", runCheck},
		{"user", "add|list|remove|passwd|token ...", "manage accounts: create (prints an API token), list, remove, set a password, issue a token", runUser},
		{"version", "", "print the version", runVersion},
	}
}

// Main runs the program and returns its exit status.
func Main(ctx context.Context, args []string, io Stdio) int {
	err := Run(ctx, args, io)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(io.Stderr, "verbatim:", err)
		return 2
	default:
		fmt.Fprintln(io.Stderr, "verbatim:", err)
		return 1
	}
}

// Run dispatches to a subcommand.
func Run(ctx context.Context, args []string, io Stdio) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(io.Stderr)
		if len(args) == 0 {
			return fmt.Errorf("%w: no command given", errUsage)
		}
		return flag.ErrHelp
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], io)
		}
	}
	usage(io.Stderr)
	return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Verbatim: a media archive and subtitle server for recorded events.")
	fmt.Fprintln(w, "\nUsage: verbatim COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'verbatim COMMAND -h' for a command's flags. Settings come from flags and VERBATIM_* environment variables (see README).")
}

// flags builds a subcommand's flag set with the shared --data/--addr and
// the configuration from the environment.
func flags(name, args, about string, io Stdio) (*flag.FlagSet, *config.Config, error) {
	cfg, err := config.FromEnv(io.Getenv)
	if err != nil {
		return nil, nil, err
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(io.Stderr, "Usage: verbatim %s %s\n\n%s\n\nFlags:\n", name, args, strings.TrimSpace(about))
		fs.PrintDefaults()
	}
	cfg.RegisterFlags(fs)
	return fs, &cfg, nil
}

// parse parses flags; a bad flag is a usage error.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

// newLogger logs to w in the configured format (text or json) and level.
// cfg was validated by open, or falls back to text at info.
func newLogger(w io.Writer, cfg *config.Config) *slog.Logger {
	level, err := cfg.SlogLevel()
	if err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/bleveindex"
	"github.com/verbatim-archive/verbatim/internal/meili"
)

const importAbout = `Import the recordings described by DIR/manifest.json: metadata, speakers,
one media file and subtitle tracks per recording, paths relative to DIR
(media also under DIR/media/). Importing again updates what changed and
leaves the rest alone. Works while a server runs on the same data: the
server then indexes the changes within a minute.`

func runImport(ctx context.Context, args []string, io Stdio) error {
	fs, cfg, err := flags("import", "[flags] DIR", importAbout, io)
	if err != nil {
		return err
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: import needs exactly one DIR", errUsage)
	}
	log := newLogger(io.Stderr, cfg)
	d, err := open(ctx, cfg, indexIfFree, log)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.svc.Import(ctx, system, os.DirFS(fs.Arg(0)), func(s string) { fmt.Fprintln(io.Stderr, s) })
}

const reindexAbout = `Rebuild the search index from storage alone. The embedded index is built
fresh beside the live one and then swapped in; stop a running server
first (it holds the index open). With Meilisearch a fresh index is filled
in large batches and then swapped with the live one (swap-indexes), and
the old one deleted; writes made meanwhile by a running server are not in
the fresh index, so reindex while nothing is written.`

func runReindex(ctx context.Context, args []string, io Stdio) error {
	fs, cfg, err := flags("reindex", "[flags]", reindexAbout, io)
	if err != nil {
		return err
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	log := newLogger(io.Stderr, cfg)
	if cfg.Meili.Enabled() {
		d, err := open(ctx, cfg, withIndex, log)
		if err != nil {
			return err
		}
		defer d.Close()
		return reindexMeili(ctx, d, io)
	}
	d, err := open(ctx, cfg, withoutIndex, log)
	if err != nil {
		return err
	}
	defer d.Close()
	return reindexBleve(ctx, cfg.Data, d, io)
}

// reindexBleve rebuilds the embedded index in a fresh generation beside
// the live one and switches to it atomically (bleveindex.Rebuild): a crash
// leaves the old index or the new one, never neither. Opening the live
// index first detects a running server before any work.
func reindexBleve(ctx context.Context, data string, d *deps, io Stdio) error {
	live, err := openBleve(filepath.Join(data, "index"))
	if errors.Is(err, archive.ErrUnavailable) {
		return fmt.Errorf("reindex: a server is running on %s and holds the embedded index, which one process opens at a time. "+
			"Stop the server (SIGTERM lets requests in flight finish), run 'verbatim reindex --data %s', and start it again; "+
			"the server does not need a reindex for changes made while it runs (it indexes them itself). "+
			"With Meilisearch (VERBATIM_MEILI_URL) reindex runs while servers serve: %w", data, data, err)
	}
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	defer live.Close()
	var skipped []string
	err = live.Rebuild(ctx, func(ctx context.Context, fresh *bleveindex.Index) error {
		return reindexInto(ctx, d, fresh, io, &skipped)
	})
	if err != nil {
		return err
	}
	return skippedErr(skipped)
}

// skippedErr makes reindex exit non-zero when recordings could not be
// read, after the index of all the others has been built and switched in.
func skippedErr(skipped []string) error {
	if len(skipped) == 0 {
		return nil
	}
	return fmt.Errorf("reindex: %d recordings skipped (%s): see above", len(skipped), strings.Join(skipped, ", "))
}

// reindexMeili fills a fresh Meilisearch index and swaps it in
// (meili.Index.Rebuild), reporting Meilisearch's indexing progress.
func reindexMeili(ctx context.Context, d *deps, io Stdio) error {
	live, ok := d.index.(*meili.Index)
	if !ok {
		return fmt.Errorf("reindex: the index is not Meilisearch")
	}
	var skipped []string
	err := live.Rebuild(ctx, func(ctx context.Context, fresh *meili.Index) error {
		return reindexInto(ctx, d, fresh, io, &skipped)
	}, func(p meili.RebuildProgress) {
		fmt.Fprintf(io.Stderr, "\rreindex: Meilisearch indexed %d of %d batches (%d documents)\033[K", p.TasksDone, p.TasksQueued, p.Documents)
	})
	if err != nil {
		return err
	}
	return skippedErr(skipped)
}

// reindexInto writes every recording into into, reporting on stderr and
// appending the ids of recordings it had to skip to skipped.
func reindexInto(ctx context.Context, d *deps, into archive.Index, io Stdio, skipped *[]string) error {
	start := time.Now()
	n := 0
	err := d.svc.Reindex(ctx, into, func(done, total int, id string, err error) {
		n = total
		if err != nil {
			*skipped = append(*skipped, id)
			fmt.Fprintf(io.Stderr, "\rreindex: skipped %s: %v\033[K\n", id, err)
		}
		fmt.Fprintf(io.Stderr, "\rreindex: %d/%d recordings (%s)\033[K", done, total, id)
	})
	fmt.Fprintln(io.Stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.Stderr, "reindex: %d recordings in %s\n", n-len(*skipped), time.Since(start).Round(time.Millisecond))
	return nil
}

// interleave moves flags after the positional NAME in front of it, since
// the flag package stops at the first positional argument.
func interleave(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case !strings.HasPrefix(a, "-"):
			pos = append(pos, a)
		case strings.Contains(a, "=") || a == "--password-stdin" || a == "-password-stdin" || a == "--revoke" || a == "-revoke" || a == "-h" || a == "--help":
			flags = append(flags, a)
		case i+1 < len(args):
			flags = append(flags, a, args[i+1])
			i++
		default:
			flags = append(flags, a)
		}
	}
	return append(flags, pos...)
}

func runVersion(ctx context.Context, args []string, io Stdio) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(io.Stderr)
	fs.Usage = func() {
		fmt.Fprintln(io.Stderr, "Usage: verbatim version\n\nPrint the version, the commit and build date, and the Go toolchain it was built with.")
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	b := readBuild()
	fmt.Fprintf(io.Stdout, "verbatim %s (commit %s, built %s) %s %s/%s\n", b.version, b.commit, b.date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

// version, commit and date are stamped by the release build
// (deploy/Dockerfile: -ldflags "-X main.version=… -X main.commit=… -X main.date=…").
var version, commit, date string

type build struct{ version, commit, date string }

// readBuild is the stamped version, or what the Go toolchain recorded:
// the module version and, for a build from a checkout, vcs.revision and
// vcs.time (a "+dirty" commit had uncommitted changes).
func readBuild() build {
	bi, _ := debug.ReadBuildInfo()
	return buildOf(build{version: version, commit: commit, date: date}, bi)
}

// buildOf fills what the stamps left empty from the toolchain's build
// info (nil when the binary has none).
func buildOf(b build, bi *debug.BuildInfo) build {
	if bi != nil {
		if b.version == "" && bi.Main.Version != "" {
			b.version = bi.Main.Version
		}
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		if b.commit == "" && settings["vcs.revision"] != "" {
			b.commit = settings["vcs.revision"]
			if settings["vcs.modified"] == "true" {
				b.commit += "+dirty"
			}
		}
		if b.date == "" {
			b.date = settings["vcs.time"]
		}
	}
	for _, f := range []*string{&b.version, &b.commit, &b.date} {
		if *f == "" {
			*f = "unknown"
		}
	}
	if b.version == "unknown" {
		b.version = "(devel)"
	}
	return b
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

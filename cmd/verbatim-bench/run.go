package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/verbatim-archive/verbatim/internal/testenv"
)

// section measures one thing and returns its rows. An error means our own
// figure could not be measured; a missing peer is a row with skipped set.
type section func(ctx context.Context, e *env) ([]row, error)

var sections = map[string]section{
	"subtitle": subtitleSection,
	"search":   searchSection,
	"range":    rangeSection,
	"upload":   uploadSection,
	"mixed":    mixedSection,
	"scale":    scaleSection,
}

// env holds what sections share, created on first use and torn down at
// the end: the temporary directory, the built binary, the S3 server, the
// media file.
type env struct {
	cfg     config
	dir     string
	log     io.Writer
	bin     string
	s3      *testenv.S3Server
	media   string
	closers []func()
}

func (e *env) logf(format string, args ...any) {
	fmt.Fprintf(e.log, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func (e *env) onClose(f func()) { e.closers = append(e.closers, f) }

func (e *env) close() {
	for _, f := range slices.Backward(e.closers) {
		f()
	}
	if !e.cfg.keepTemps {
		os.RemoveAll(e.dir)
	}
}

func run(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	dir, err := os.MkdirTemp("", "verbatim-bench-")
	if err != nil {
		return err
	}
	e := &env{cfg: cfg, dir: dir, log: stderr}
	defer e.close()
	if cfg.keepTemps {
		e.logf("temporary files in %s", dir)
	}
	start := time.Now()
	m := describeMachine(cfg.repo)
	var rows []row
	for _, name := range sectionNames {
		if !slices.Contains(cfg.only, name) {
			continue
		}
		e.logf("section %s (load average %s)", name, loadavg())
		t0 := time.Now()
		got, err := sections[name](ctx, e)
		rows = append(rows, got...)
		if err != nil {
			e.logf("section %s failed: %v", name, err)
			rows = append(rows, row{section: name, measure: "error", ours: math.NaN(), skipped: "not measured: " + err.Error()})
		}
		e.logf("section %s done in %s", name, time.Since(t0).Round(time.Second))
		if ctx.Err() != nil {
			break
		}
	}
	took := time.Since(start)
	m.loadAft = loadavg()
	e.logf("all sections done in %s", took.Round(time.Second))
	if err := m.write(stdout, took); err != nil {
		return err
	}
	if err := writeText(stdout, rows); err != nil {
		return err
	}
	if cfg.out != "" {
		if err := writeMarkdownFile(cfg.out, m, took, rows); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func writeMarkdownFile(path string, m machine, took time.Duration, rows []row) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := m.write(f, took); err != nil {
		f.Close()
		return err
	}
	if err := writeMarkdown(f, rows); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

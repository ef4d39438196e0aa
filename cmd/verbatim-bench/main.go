// Command verbatim-bench measures Verbatim next to a peer on the same
// machine in the same run and prints a table of figures and ratios:
// subtitle parsing (vs astisub and ffmpeg), indexing and search (vs SQLite
// FTS5 and ripgrep), media range serving (vs nginx, and S3 proxying vs
// direct versitygw GETs), upload to S3 (vs a direct minio-go PutObject) and
// mixed load with many concurrent viewers, and every listing and search
// page at 100 and at 10,000 recordings (scale).
//
// It starts the real verbatim binary (built from this source tree) as a
// child process, so peak memory is the server's own, read from
// /proc/<pid>/status. Everything listens on 127.0.0.1 and every section is
// bounded in time. See bench/README.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

// sections in the order they run.
var sectionNames = []string{"subtitle", "search", "range", "upload", "mixed", "scale"}

type config struct {
	only        []string
	scale       float64
	duration    time.Duration
	out         string
	repo        string
	viewers     int
	queries     int
	upload      int64
	partSize    int64
	fileSize    int64
	verbatim    string
	keepTemps   bool
	scaleN      int
	scaleRounds int
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("verbatim-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	only := fs.String("only", "", "comma-separated `sections` to run: "+strings.Join(sectionNames, ","))
	fs.Float64Var(&c.scale, "scale", 0.25, "search corpus size as a fraction of the full ~700k-cue corpus (1 for all of it, which takes longer than 15 minutes on 2 cores; 0.02 for a quick run)")
	fs.IntVar(&c.queries, "queries", 200, "search queries per kind (six kinds)")
	fs.DurationVar(&c.duration, "duration", 5*time.Second, "how long each load measurement runs (range cases; mixed load runs 3×)")
	fs.StringVar(&c.out, "out", "", "also write the table as markdown to this `file`")
	fs.StringVar(&c.repo, "repo", ".", "root of the Verbatim source tree (the binary and Go benchmarks are built from it)")
	fs.IntVar(&c.viewers, "viewers", 100, "concurrent viewers in the mixed-load section")
	fs.Int64Var(&c.upload, "upload-size", 1<<30, "bytes uploaded in the upload section")
	fs.Int64Var(&c.partSize, "part-size", 16<<20, "S3 multipart part size for Verbatim and the direct PutObject alike")
	fs.Int64Var(&c.fileSize, "file-size", 256<<20, "size of the media file served in the range section")
	fs.StringVar(&c.verbatim, "verbatim", "", "prebuilt verbatim `binary` (default: go build ./cmd/verbatim)")
	fs.IntVar(&c.scaleN, "scale-recordings", 10_000, "recordings of the large archive in the scale section (timed against 100)")
	fs.IntVar(&c.scaleRounds, "scale-rounds", 200, "rounds of every page timed per archive in the scale section")
	fs.BoolVar(&c.keepTemps, "keep", false, "keep the temporary directory (logs, data) for inspection")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: verbatim-bench [flags]\n\nRuns every benchmark section against a peer and prints figures and ratios.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.only = sectionNames
	if *only != "" {
		c.only = strings.Split(*only, ",")
		for _, s := range c.only {
			if !slices.Contains(sectionNames, s) {
				return c, fmt.Errorf("-only: unknown section %q (have %s)", s, strings.Join(sectionNames, ", "))
			}
		}
	}
	if c.scale <= 0 || c.scale > 1 {
		return c, fmt.Errorf("-scale must be in (0, 1], got %g", c.scale)
	}
	if c.scaleN <= 100 || c.scaleRounds <= 0 {
		return c, fmt.Errorf("-scale-recordings must be more than 100 and -scale-rounds positive")
	}
	if c.duration <= 0 || c.viewers <= 0 || c.queries <= 0 || c.upload <= 0 || c.partSize < 5<<20 || c.fileSize < 16<<20 {
		return c, fmt.Errorf("-duration, -viewers, -queries and -upload-size must be positive, -part-size at least 5 MiB (S3's minimum), -file-size at least 16 MiB")
	}
	return c, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err == flag.ErrHelp {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "verbatim-bench:", err)
		os.Exit(2)
	}
	if err := run(ctx, cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "verbatim-bench:", err)
		os.Exit(1)
	}
}

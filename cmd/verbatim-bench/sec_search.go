package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"

	"github.com/verbatim-archive/verbatim/bench/search"
	"github.com/verbatim-archive/verbatim/internal/measure"
)

// searchSection runs the search helper's comparison (bench/search,
// BenchmarkCompare: corpus generation, bleve vs SQLite FTS5 vs ripgrep on
// the same files and queries) at -scale and turns its report into rows.
// The benchmark itself is the reference; the driver only runs and reads it.
func searchSection(ctx context.Context, e *env) ([]row, error) {
	work := filepath.Join(e.dir, "search")
	report := filepath.Join(e.dir, "search-report.md")
	figures := filepath.Join(e.dir, "search-report.json")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, err
	}
	e.logf("search: go test -bench Compare ./bench/search at scale %g (corpus.Full × %g)", e.cfg.scale, e.cfg.scale)
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^BenchmarkCompare$", "-benchtime", "1x", "-timeout", "60m", "./bench/search/")
	cmd.Dir = e.cfg.repo
	cmd.Env = append(os.Environ(),
		fmt.Sprintf("VERBATIM_BENCH_SCALE=%g", e.cfg.scale), fmt.Sprintf("VERBATIM_BENCH_QUERIES=%d", e.cfg.queries),
		"VERBATIM_BENCH_OUT="+report, "VERBATIM_BENCH_JSON="+figures, "VERBATIM_BENCH_DIR="+work)
	out, err := cmd.CombinedOutput()
	if skip := skipReason(out); skip != "" {
		return []row{{section: "search", measure: "all", ours: math.NaN(), skipped: skip}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bench/search: %v\n%s", err, tail(out, 3000))
	}
	rep, err := search.ReadReport(figures)
	if err != nil {
		return nil, err
	}
	return searchRows(rep), nil
}

var skipLine = regexp.MustCompile(`(?m)^\s*compare_test\.go:\d+: (\S+) not installed`)

// skipReason reports a peer tool the benchmark skipped for.
func skipReason(out []byte) string {
	if m := skipLine.FindSubmatch(out); m != nil && bytes.Contains(out, []byte("--- SKIP")) {
		return "skipped: " + string(m[1]) + " not installed"
	}
	return ""
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// searchRows turns the comparison's unrounded figures into rows: indexing,
// and the wall-time percentiles over all queries.
func searchRows(rep *search.Report) []row {
	var rows []row
	bl, fts := rep.Index["bleve"], rep.Index["fts5"]
	cues := float64(rep.Cues)
	rows = append(rows,
		row{section: "search", measure: "indexing: cues/s", ours: cues / bl.Seconds, peer: "SQLite FTS5", peerVal: cues / fts.Seconds, unit: "cues/s", higherBetter: true, note: rep.Corpus},
		row{section: "search", measure: "indexing: cues per CPU second", ours: cues / bl.CPUSeconds, peer: "SQLite FTS5", peerVal: cues / fts.CPUSeconds, unit: "cues/CPU-s", higherBetter: true},
		row{section: "search", measure: "index size", ours: float64(bl.Bytes) / (1 << 20), peer: "SQLite FTS5", peerVal: float64(fts.Bytes) / (1 << 20), unit: "MB"},
	)
	wall := func(engine string, p float64) float64 { return measure.Percentile(rep.WallMS[engine], p) }
	for _, peer := range []struct{ col, name string }{{"fts5", "SQLite FTS5"}, {"rg", "ripgrep"}} {
		for _, p := range []float64{50, 95, 99} {
			rows = append(rows, row{section: "search", measure: fmt.Sprintf("query p%.0f (all languages)", p),
				ours: wall("bleve", p), peer: peer.name, peerVal: wall(peer.col, p), unit: "ms"})
		}
	}
	rows = append(rows, row{section: "search", measure: "query p95 (filtered to the query's language)",
		ours: wall("bleve lang", 95), peer: "SQLite FTS5", peerVal: wall("fts5", 95), unit: "ms",
		note: "bleve in-process through archive.Index; FTS5 in python3's sqlite3, one query at a time on a pipe, timed inside python; ripgrep as one process per query over the SRT files; the engines take turns query by query"})
	return rows
}

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
	"strings"

	"github.com/verbatim-archive/verbatim/bench/search"
	"github.com/verbatim-archive/verbatim/internal/corpus"
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

// searchRows turns the comparison's unrounded figures into rows: the two
// aims first (p95 over every query, ≤ 20 ms wall; the exact-word kinds
// within 3× FTS5's p95 on the same queries), then p95 by query kind,
// indexing, and the all-query percentiles against both peers.
func searchRows(rep *search.Report) []row {
	var rows []row
	pct := func(times map[string][]float64, engine string, kinds []string, p float64) float64 {
		return measure.Percentile(rep.ByKinds(times, engine, kinds), p)
	}
	exact := fmt.Sprintf("exact-word queries (%s)", strings.Join(search.ExactKinds, ", "))
	rows = append(rows,
		row{section: "search", measure: "query p95, all queries, wall (headline)", ours: pct(rep.WallMS, "bleve", nil, 95), peer: "aim", peerVal: 20, unit: "ms", note: rep.Corpus},
		row{section: "search", measure: "query p95, all queries, CPU", ours: pct(rep.CPUMS, "bleve", nil, 95), peer: "aim", peerVal: 20, unit: "ms"},
		row{section: "search", measure: "query p95, " + exact + ", wall", ours: pct(rep.WallMS, "bleve", search.ExactKinds, 95), peer: "SQLite FTS5", peerVal: pct(rep.WallMS, "fts5", search.ExactKinds, 95), unit: "ms", note: "aim ≤ 3×"},
		row{section: "search", measure: "query p95, " + exact + ", CPU", ours: pct(rep.CPUMS, "bleve", search.ExactKinds, 95), peer: "SQLite FTS5", peerVal: pct(rep.CPUMS, "fts5", search.ExactKinds, 95), unit: "ms", note: "aim ≤ 3×"},
	)
	for _, k := range corpus.QueryKinds {
		kinds := []string{k}
		for _, p := range []float64{50, 95} {
			rows = append(rows, row{section: "search", measure: fmt.Sprintf("query p%.0f, %s, wall", p, k),
				ours: pct(rep.WallMS, "bleve", kinds, p), peer: "SQLite FTS5", peerVal: pct(rep.WallMS, "fts5", kinds, p), unit: "ms"})
		}
	}
	bl, fts := rep.Index["bleve"], rep.Index["fts5"]
	cues := float64(rep.Cues)
	rows = append(rows,
		row{section: "search", measure: "indexing: cues/s", ours: cues / bl.Seconds, peer: "SQLite FTS5", peerVal: cues / fts.Seconds, unit: "cues/s", higherBetter: true},
		row{section: "search", measure: "indexing: cues per CPU second", ours: cues / bl.CPUSeconds, peer: "SQLite FTS5", peerVal: cues / fts.CPUSeconds, unit: "cues/CPU-s", higherBetter: true},
		row{section: "search", measure: "index size", ours: float64(bl.Bytes) / (1 << 20), peer: "SQLite FTS5", peerVal: float64(fts.Bytes) / (1 << 20), unit: "MB"},
	)
	for _, peer := range []struct{ col, name string }{{"fts5", "SQLite FTS5"}, {"rg", "ripgrep"}} {
		for _, p := range []float64{50, 95, 99} {
			rows = append(rows, row{section: "search", measure: fmt.Sprintf("query p%.0f (all languages)", p),
				ours: pct(rep.WallMS, "bleve", nil, p), peer: peer.name, peerVal: pct(rep.WallMS, peer.col, nil, p), unit: "ms"})
		}
	}
	rows = append(rows, row{section: "search", measure: "query p95 (filtered to the query's language)",
		ours: pct(rep.WallMS, "bleve lang", nil, 95), peer: "SQLite FTS5", peerVal: pct(rep.WallMS, "fts5", nil, 95), unit: "ms",
		note: "bleve in-process through archive.Index; FTS5 in python3's sqlite3, one query at a time on a pipe, timed inside python; ripgrep as one process per query over the SRT files; the engines take turns query by query"})
	return rows
}

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
	"strconv"
	"strings"
)

// searchSection runs the search helper's comparison (bench/search,
// BenchmarkCompare: corpus generation, bleve vs SQLite FTS5 vs ripgrep on
// the same files and queries) at -scale and turns its report into rows.
// The benchmark itself is the reference; the driver only runs and reads it.
func searchSection(ctx context.Context, e *env) ([]row, error) {
	work := filepath.Join(e.dir, "search")
	report := filepath.Join(e.dir, "search-report.md")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, err
	}
	e.logf("search: go test -bench Compare ./bench/search at scale %g (corpus.Full × %g)", e.cfg.scale, e.cfg.scale)
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^BenchmarkCompare$", "-benchtime", "1x", "-timeout", "60m", "./bench/search/")
	cmd.Dir = e.cfg.repo
	cmd.Env = append(os.Environ(),
		fmt.Sprintf("VERBATIM_BENCH_SCALE=%g", e.cfg.scale), fmt.Sprintf("VERBATIM_BENCH_QUERIES=%d", e.cfg.queries),
		"VERBATIM_BENCH_OUT="+report, "VERBATIM_BENCH_DIR="+work)
	out, err := cmd.CombinedOutput()
	if skip := skipReason(out); skip != "" {
		return []row{{section: "search", measure: "all", ours: math.NaN(), skipped: skip}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bench/search: %v\n%s", err, tail(out, 3000))
	}
	md, err := os.ReadFile(report)
	if err != nil {
		return nil, fmt.Errorf("bench/search wrote no report: %w", err)
	}
	return searchRows(string(md))
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

// searchRows reads the benchmark's markdown: the indexing table and the
// first (wall time) latency table's "all" row.
func searchRows(md string) ([]row, error) {
	idx, err := tableRows(md, "| indexing |")
	if err != nil {
		return nil, err
	}
	lat, err := tableRows(md, "| kind |")
	if err != nil {
		return nil, err
	}
	all, ok := lat["**all**"]
	if !ok {
		return nil, fmt.Errorf("bench/search report: no **all** row")
	}
	var rows []row
	corpusNote := corpusLine(md)
	bl, fts := idx["bleve"], idx["fts5"]
	if len(bl) >= 5 && len(fts) >= 5 {
		rows = append(rows,
			row{section: "search", measure: "indexing: cues/s", ours: num(bl["cues/s"]), peer: "SQLite FTS5", peerVal: num(fts["cues/s"]), unit: "cues/s", higherBetter: true, note: corpusNote},
			row{section: "search", measure: "indexing: cues per CPU second", ours: num(bl["cues per CPU second"]), peer: "SQLite FTS5", peerVal: num(fts["cues per CPU second"]), unit: "cues/CPU-s", higherBetter: true},
			row{section: "search", measure: "index size", ours: num(bl["size on disk (MB)"]), peer: "SQLite FTS5", peerVal: num(fts["size on disk (MB)"]), unit: "MB"},
		)
	}
	for _, peer := range []struct{ col, name string }{{"fts5", "SQLite FTS5"}, {"rg", "ripgrep"}} {
		for i, p := range []string{"p50", "p95", "p99"} {
			rows = append(rows, row{section: "search", measure: "query " + p + " (all languages)",
				ours: pctOf(all["bleve"], i), peer: peer.name, peerVal: pctOf(all[peer.col], i), unit: "ms"})
		}
	}
	rows = append(rows, row{section: "search", measure: "query p95 (filtered to the query's language)",
		ours: pctOf(all["bleve lang"], 1), peer: "SQLite FTS5", peerVal: pctOf(all["fts5"], 1), unit: "ms",
		note: "bleve in-process through archive.Index; FTS5 in python3's sqlite3; ripgrep as one process per query over the SRT files"})
	return rows, nil
}

// tableRows finds the first markdown table whose header starts with head
// and returns its rows by first cell, each as column name → cell.
func tableRows(md, head string) (map[string]map[string]string, error) {
	i := strings.Index(md, head)
	if i < 0 {
		return nil, fmt.Errorf("bench/search report: no table %q", head)
	}
	lines := strings.Split(md[i:], "\n")
	cols := cells(lines[0])
	out := map[string]map[string]string{}
	for _, l := range lines[2:] {
		if !strings.HasPrefix(l, "|") {
			break
		}
		c := cells(l)
		m := map[string]string{}
		for j := 1; j < len(c) && j < len(cols); j++ {
			m[cols[j]] = c[j]
		}
		out[c[0]] = m
	}
	return out, nil
}

func cells(line string) []string {
	parts := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func num(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimPrefix(s, "×"), 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// pctOf reads the i-th figure of "p50 / p95 / p99".
func pctOf(cell string, i int) float64 {
	parts := strings.Split(cell, "/")
	if i >= len(parts) {
		return math.NaN()
	}
	return num(strings.TrimSpace(parts[i]))
}

func corpusLine(md string) string {
	for l := range strings.Lines(md) {
		if strings.HasPrefix(l, "Corpus:") {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

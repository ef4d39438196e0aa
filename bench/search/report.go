package search

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
)

// Report is the comparison's result with every figure unrounded, as
// BenchmarkCompare writes it to VERBATIM_BENCH_JSON: the bench driver
// computes its percentiles and ratios from these, never from the rounded
// markdown tables.
type Report struct {
	Corpus  string                  `json:"corpus"` // one line: hours, languages, cues, queries
	Cues    int                     `json:"cues"`
	Index   map[string]IndexFigures `json:"index"`   // "bleve", "fts5"
	Kinds   []string                `json:"kinds"`   // each query's kind, in query order
	WallMS  map[string][]float64    `json:"wall_ms"` // engine → wall time per query, in query order
	CPUMS   map[string][]float64    `json:"cpu_ms"`  // engine → CPU time per query
	Hits    map[string][]int        `json:"hits"`
	LoadAvg [2]string               `json:"load_avg"` // /proc/loadavg before and after
}

// IndexFigures is one engine's indexing cost.
type IndexFigures struct {
	Seconds    float64 `json:"seconds"`
	CPUSeconds float64 `json:"cpu_seconds"`
	Bytes      int64   `json:"bytes"`
}

// Engines are the contenders, in the order the tables show them.
var Engines = []string{"bleve", "bleve lang", "fts5", "rg"}

// ExactKinds are the query kinds whose words all occur exactly in the
// cues (corpus.Queries draws them from cues; "typo" alone is altered).
// On them FTS5 does the work bleve's first step does: an exact match, a
// page by rank and the count. bleve does more still (facets, highlights
// on the page, and the near step when fewer hits than a page match), so
// the ratio on these kinds is the distance to the peer on the same
// search, not on the same work.
var ExactKinds = []string{"word1", "word2", "word3", "phrase2", "phrase3"}

// ByKind selects one engine's times (from WallMS or CPUMS) for one query
// kind ("" for all).
func (r *Report) ByKind(times map[string][]float64, engine, kind string) []float64 {
	if kind == "" {
		return r.ByKinds(times, engine, nil)
	}
	return r.ByKinds(times, engine, []string{kind})
}

// ByKinds selects one engine's times for the queries of any of kinds (all
// queries when kinds is nil).
func (r *Report) ByKinds(times map[string][]float64, engine string, kinds []string) []float64 {
	var xs []float64
	for i, k := range r.Kinds {
		if (kinds == nil || slices.Contains(kinds, k)) && i < len(times[engine]) {
			xs = append(xs, times[engine][i])
		}
	}
	return xs
}

// ReadReport reads a report written by BenchmarkCompare.
func ReadReport(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bench/search: %w", err)
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("bench/search: %s: %w", path, err)
	}
	for _, e := range Engines {
		if len(r.WallMS[e]) != len(r.Kinds) {
			return nil, fmt.Errorf("bench/search: %s: %d wall times for %s, want one per query (%d)", path, len(r.WallMS[e]), e, len(r.Kinds))
		}
	}
	return &r, nil
}

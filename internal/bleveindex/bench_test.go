package bleveindex

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/corpus"
	"github.com/verbatim-archive/verbatim/internal/measure"
)

// benchArchive is a disk index of a generated two-hour archive, closed
// when the benchmark ends, with its generator and recordings.
func benchArchive(b *testing.B) (*Index, *corpus.Generator, []corpus.Recording) {
	b.Helper()
	g, err := corpus.New(corpus.Config{Seed: 1, Hours: 2})
	if err != nil {
		b.Fatal(err)
	}
	x, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { x.Close() })
	var recs []corpus.Recording
	for r := range g.Recordings() {
		if err := x.Put(context.Background(), r.ID, r.Docs()); err != nil {
			b.Fatal(err)
		}
		recs = append(recs, r)
	}
	return x, g, recs
}

// BenchmarkSearch measures queries on a small generated archive, by kind.
// The comparison with SQLite FTS5 and ripgrep is in bench/search.
func BenchmarkSearch(b *testing.B) {
	x, g, recs := benchArchive(b)
	ctx := context.Background()
	qs := g.Queries(2, recs, 20)
	for _, kind := range corpus.QueryKinds {
		b.Run(kind, func(b *testing.B) {
			i := 0
			for b.Loop() {
				q := qs[i%len(qs)]
				for q.Kind != kind {
					i++
					q = qs[i%len(qs)]
				}
				i++
				if _, err := x.Search(ctx, archive.SearchQuery{Text: q.Text}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPut measures indexing one generated recording (4 languages).
func BenchmarkPut(b *testing.B) {
	g, err := corpus.New(corpus.Config{Seed: 1, Hours: 1})
	if err != nil {
		b.Fatal(err)
	}
	var rec corpus.Recording
	for r := range g.Recordings() {
		rec = r
		break
	}
	docs := rec.Docs()
	x, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	for b.Loop() {
		if err := x.Put(context.Background(), rec.ID, docs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(docs)*b.N)/b.Elapsed().Seconds(), "cues/s")
}

// searchAlwaysFuzzy is Search without the query plan: every word with
// typos in one query, as every search ran before planning. It shares the
// automaton cache with Search, so the comparison is of the planning
// alone.
func (x *Index) searchAlwaysFuzzy(ctx context.Context, q archive.SearchQuery) (int, error) {
	cs, err := parseText(q.Text)
	if err != nil {
		return 0, err
	}
	page, perPage := paging(q)
	x.mu.RLock()
	defer x.mu.RUnlock()
	p := x.analyse(q.Langs, cs, x.automata.forSearch())
	if p == nil {
		return 0, nil
	}
	match := ownQuery{query.NewBooleanQuery([]query.Query{p.nearQuery()}, nil, nil)}
	ranked, total, _, err := x.rank(ctx, match, page*perPage)
	if err != nil {
		return 0, err
	}
	if from := (page - 1) * perPage; from < len(ranked) {
		if _, err := x.load(ctx, match, ranked[from:min(from+perPage, len(ranked))], p); err != nil {
			return 0, err
		}
	}
	return total, nil
}

// BenchmarkPlannedVsAlwaysFuzzy runs the generated archive's queries of
// each kind through the planned Search and through the unplanned,
// always-fuzzy query, alternately in one loop (which one goes first
// alternates too), and reports each one's time per query and their ratio
// (planned / always-fuzzy, from unrounded sums). Single words are split
// by whether their exact hits fill a page of 20: then the plan skips typo
// matching altogether; otherwise it runs the exact query and then the
// near one, less the exact hits.
func BenchmarkPlannedVsAlwaysFuzzy(b *testing.B) {
	x, g, recs := benchArchive(b)
	ctx := context.Background()
	freq := map[string]int{}
	for _, r := range recs {
		for _, d := range r.Docs() {
			for _, w := range strings.Fields(strings.ToLower(d.Text)) {
				if utf8.RuneCountInString(w) >= 5 && !strings.ContainsAny(w, ".,;:!?") {
					freq[w]++
				}
			}
		}
	}
	// The generated queries rarely fill a page on this small archive;
	// frequent words of 5 letters or more (typo-tolerant) do, once stop
	// words are left out (they find nothing): the first 20 that fill it.
	common := slices.SortedFunc(maps.Keys(freq), func(a, b string) int { return cmp.Or(freq[b]-freq[a], strings.Compare(a, b)) })
	qs := g.Queries(8, recs, 20)
	for _, w := range common[:min(300, len(common))] {
		qs = append(qs, corpus.Query{Kind: "common", Text: w})
	}
	// Both ways run every query once first, so both start warm.
	byKind := map[string][]string{}
	var kinds []string
	for _, q := range qs {
		kind := q.Kind
		if kind != "word1" && kind != "word2" && kind != "typo" && kind != "common" {
			continue
		}
		res, err := x.Search(ctx, archive.SearchQuery{Text: q.Text})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := x.searchAlwaysFuzzy(ctx, archive.SearchQuery{Text: q.Text}); err != nil {
			b.Fatal(err)
		}
		switch {
		case kind == "common" && !res.NearSkipped, kind == "common" && len(byKind["word1-fills-page"]) == 20:
			continue
		case res.NearSkipped && (kind == "word1" || kind == "common"):
			kind = "word1-fills-page"
		}
		if byKind[kind] == nil {
			kinds = append(kinds, kind)
		}
		byKind[kind] = append(byKind[kind], q.Text)
	}
	for _, kind := range kinds {
		texts := byKind[kind]
		b.Run(kind, func(b *testing.B) {
			var planned, fuzzy time.Duration
			timed := func(d *time.Duration, search func() error) func() error {
				return func() error {
					t := time.Now()
					err := search()
					*d += time.Since(t)
					return err
				}
			}
			i := 0
			for b.Loop() {
				q := archive.SearchQuery{Text: texts[i%len(texts)]}
				runs := []func() error{
					timed(&planned, func() error { _, err := x.Search(ctx, q); return err }),
					timed(&fuzzy, func() error { _, err := x.searchAlwaysFuzzy(ctx, q); return err }),
				}
				if i%2 == 1 {
					runs[0], runs[1] = runs[1], runs[0]
				}
				for _, run := range runs {
					if err := run(); err != nil {
						b.Fatal(err)
					}
				}
				i++
			}
			b.ReportMetric(float64(len(texts)), "queries")
			b.ReportMetric(float64(planned.Nanoseconds())/float64(i), "planned-ns/query")
			b.ReportMetric(float64(fuzzy.Nanoseconds())/float64(i), "fuzzy-ns/query")
			b.ReportMetric(measure.Ratio(float64(planned), float64(fuzzy)), "planned/fuzzy")
		})
	}
}

// BenchmarkRebuild measures a reindex as bench/search times it: a
// generated 10-hour archive put recording by recording into a fresh disk
// index by Rebuild (compaction and Close included).
func BenchmarkRebuild(b *testing.B) {
	g, err := corpus.New(corpus.Config{Seed: 1, Hours: 10})
	if err != nil {
		b.Fatal(err)
	}
	type recDocs struct {
		id   string
		docs []archive.CueDoc
	}
	var all []recDocs
	cues := 0
	for r := range g.Recordings() {
		all = append(all, recDocs{r.ID, r.Docs()})
		cues += len(all[len(all)-1].docs)
	}
	ctx := context.Background()
	cpu0 := cpuTime()
	for b.Loop() {
		x, err := Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		err = x.Rebuild(ctx, func(ctx context.Context, fresh *Index) error {
			for _, rd := range all {
				if err := fresh.Put(ctx, rd.id, rd.docs); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			err = x.Close()
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cues*b.N)/b.Elapsed().Seconds(), "cues/s")
	b.ReportMetric(float64(cues*b.N)/(cpuTime()-cpu0).Seconds(), "cues/CPU-s")
	b.ReportMetric(float64(len(all)), "recordings")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

package bleveindex

import (
	"context"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/corpus"
)

// BenchmarkSearch measures queries on a small generated archive, by kind.
// The comparison with SQLite FTS5 and ripgrep is in bench/search.
func BenchmarkSearch(b *testing.B) {
	g, err := corpus.New(corpus.Config{Seed: 1, Hours: 2})
	if err != nil {
		b.Fatal(err)
	}
	x, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	var recs []corpus.Recording
	for r := range g.Recordings() {
		if err := x.Put(ctx, r.ID, r.Docs()); err != nil {
			b.Fatal(err)
		}
		recs = append(recs, r)
	}
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

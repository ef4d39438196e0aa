package bleveindex

import (
	"context"
	"fmt"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

func manyDocs(id string, n int, word string) []archive.CueDoc {
	docs := make([]archive.CueDoc, n)
	for i := range docs {
		docs[i] = archive.CueDoc{
			RecordingID: id, Title: "Long", Date: "2026-01-01", Lang: "en", Kind: archive.KindOriginal, Source: archive.SourceHuman,
			Seq: i, StartMS: int64(i) * 1000, EndMS: int64(i)*1000 + 900, Speaker: "Ana",
			Text: fmt.Sprintf("%s spoken in cue %d", word, i),
		}
	}
	return docs
}

// TestPutInBatches: with batches of 100 documents, a recording of 1,050
// is written in 11 batches and then found whole; replacing it with 230
// other documents leaves exactly those, the 820 left over removed.
func TestPutInBatches(t *testing.T) {
	defer func(n int) { batchDocs = n }(batchDocs)
	batchDocs = 100
	x, err := OpenMem()
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	count := func(word string) int {
		t.Helper()
		res, err := x.Search(ctx, archive.SearchQuery{Text: word, RecordingID: "long", PerPage: 1})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	if err := x.Put(ctx, "long", manyDocs("long", 1050, "zanzibar")); err != nil {
		t.Fatal(err)
	}
	if n := count("zanzibar"); n != 1050 {
		t.Errorf("after Put of 1050 in batches of 100: %d found; want 1050", n)
	}
	if err := x.Put(ctx, "long", manyDocs("long", 230, "quokka")); err != nil {
		t.Fatal(err)
	}
	if z, q := count("zanzibar"), count("quokka"); z != 0 || q != 230 {
		t.Errorf("after replacing with 230: %d old and %d new found; want 0 and 230", z, q)
	}
	if err := x.Delete(ctx, "long"); err != nil {
		t.Fatal(err)
	}
	if q := count("quokka"); q != 0 {
		t.Errorf("after Delete %d found; want 0", q)
	}
}

// TestRebuildSharesBatches: in a Rebuild, recordings share batches (of
// 100 here), and a recording put again or deleted while its documents
// wait in the shared batch ends up as the last write left it.
func TestRebuildSharesBatches(t *testing.T) {
	defer func(n int) { batchDocs = n }(batchDocs)
	batchDocs = 100
	x, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	err = x.Rebuild(ctx, func(ctx context.Context, fresh *Index) error {
		for _, step := range []struct {
			id, word string
			n        int
		}{
			{"a", "zanzibar", 30}, {"b", "zanzibar", 50}, {"a", "quokka", 20},
			{"b", "", 0}, {"c", "zanzibar", 130}, {"d", "quokka", 7},
		} {
			var err error
			if step.n == 0 {
				err = fresh.Delete(ctx, step.id)
			} else {
				err = fresh.Put(ctx, step.id, manyDocs(step.id, step.n, step.word))
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id, word string
		want     int
	}{
		{"a", "zanzibar", 0}, {"a", "quokka", 20}, {"b", "zanzibar", 0},
		{"c", "zanzibar", 130}, {"d", "quokka", 7},
	} {
		res, err := x.Search(ctx, archive.SearchQuery{Text: c.word, RecordingID: c.id, PerPage: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != c.want {
			t.Errorf("after the rebuild, %q in %s: %d found; want %d", c.word, c.id, res.Total, c.want)
		}
	}
}

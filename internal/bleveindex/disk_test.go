package bleveindex

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/indextest"
)

func openDisk(t *testing.T) archive.Index {
	t.Helper()
	x, err := Open(t.TempDir())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

func TestConformanceDisk(t *testing.T) { indextest.Run(t, openDisk) }

func doc(rec, lang string, seq int, text string) archive.CueDoc {
	return archive.CueDoc{RecordingID: rec, Title: "T", Date: "2025-01-02", Lang: lang, Kind: archive.KindOriginal,
		Seq: seq, StartMS: int64(seq) * 1000, EndMS: int64(seq)*1000 + 900, Text: text}
}

// count returns the number of hits for text, failing the test on error.
func count(t *testing.T, x *Index, text string) int {
	t.Helper()
	res, err := x.Search(context.Background(), archive.SearchQuery{Text: text})
	if err != nil {
		t.Fatalf("Search(%q): %v", text, err)
	}
	return res.Total
}

func TestReopenKeepsDocuments(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Put(ctx, "r", []archive.CueDoc{doc("r", "en", 0, "persistent words")}); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	x, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if n := count(t, x, "persistent"); n != 1 {
		t.Errorf("after reopen, Search(persistent) total = %d; want 1", n)
	}
}

func TestRebuildSwitches(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Put(ctx, "old", []archive.CueDoc{doc("old", "en", 0, "obsolete material")}); err != nil {
		t.Fatal(err)
	}
	err = x.Rebuild(ctx, func(ctx context.Context, fresh *Index) error {
		if n := count(t, x, "obsolete"); n != 1 {
			t.Errorf("during rebuild, Search(obsolete) total = %d; want 1 (old index still serves)", n)
		}
		// A write during the rebuild reaches the fresh index too.
		if err := x.Put(ctx, "live", []archive.CueDoc{doc("live", "de", 0, "gleichzeitig geschrieben")}); err != nil {
			return err
		}
		return fresh.Put(ctx, "new", []archive.CueDoc{doc("new", "fr", 0, "matériel nouveau")})
	})
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	for text, want := range map[string]int{"obsolete": 0, "nouveau": 1, "gleichzeitig": 1} {
		if n := count(t, x, text); n != want {
			t.Errorf("after rebuild, Search(%q) total = %d; want %d", text, n, want)
		}
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "CURRENT gen-2" {
		t.Errorf("index dir holds %q; want %q", got, "CURRENT gen-2")
	}
	x, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if n := count(t, x, "nouveau"); n != 1 {
		t.Errorf("after reopen, Search(nouveau) total = %d; want 1", n)
	}
}

func TestCompact(t *testing.T) {
	x := openDisk(t).(*Index)
	ctx := context.Background()
	for i := range 5 {
		rec := "rec-" + string(rune('a'+i))
		if err := x.Put(ctx, rec, []archive.CueDoc{doc(rec, "en", 0, "compacted words")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Compact(ctx); err != nil {
		t.Fatalf("Compact: %v", err)
	}
	adv, _ := x.idx.Advanced()
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n := len(r.(*scorch.IndexSnapshot).Segments()); n != 1 {
		t.Errorf("after Compact, %d segments; want 1", n)
	}
	if n := count(t, x, "compacted"); n != 5 {
		t.Errorf("after Compact, Search(compacted) total = %d; want 5", n)
	}
}

func TestRebuildFailureKeepsOld(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if err := x.Put(ctx, "old", []archive.CueDoc{doc("old", "en", 0, "kept material")}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("storage down")
	err = x.Rebuild(ctx, func(ctx context.Context, fresh *Index) error {
		fresh.Put(ctx, "new", []archive.CueDoc{doc("new", "en", 0, "partial material")})
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Rebuild = %v; want %v", err, boom)
	}
	if n := count(t, x, "kept"); n != 1 {
		t.Errorf("after failed rebuild, Search(kept) total = %d; want 1", n)
	}
	if n := count(t, x, "partial"); n != 0 {
		t.Errorf("after failed rebuild, Search(partial) total = %d; want 0", n)
	}
	if _, err := os.Stat(filepath.Join(dir, "gen-2")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after failed rebuild, gen-2 stat error = %v; want not exist", err)
	}
}

func TestOpenRemovesStaleGenerations(t *testing.T) {
	dir := t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	x.Close()
	stale := filepath.Join(dir, "gen-7")
	if err := os.Mkdir(stale, 0o755); err != nil {
		t.Fatal(err)
	}
	x, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale generation still there: stat error = %v", err)
	}
}

func TestPutRejectsForeignDocument(t *testing.T) {
	x := openMem(t).(*Index)
	err := x.Put(context.Background(), "a", []archive.CueDoc{doc("b", "en", 0, "text")})
	if !errors.Is(err, archive.ErrInvalid) {
		t.Errorf("Put(a, [doc of b]) = %v; want archive.ErrInvalid", err)
	}
}

// Stemming finds other forms in both directions, where Meilisearch only
// has prefixes; the shared suite covers the prefix direction only.
func TestStemmingBothWays(t *testing.T) {
	x := openMem(t).(*Index)
	ctx := context.Background()
	docs := []archive.CueDoc{doc("r", "de", 0, "Das Kind spielt."), doc("r", "fr", 1, "Le réseau tient."), doc("r", "en", 2, "One victim spoke.")}
	if err := x.Put(ctx, "r", docs); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ text, lang string }{{"Kinder", "de"}, {"réseaux", "fr"}, {"victims", "en"}} {
		res, err := x.Search(ctx, archive.SearchQuery{Text: c.text, Langs: []string{c.lang}})
		if err != nil || res.Total != 1 {
			t.Errorf("Search(%q, %s) = %d hits, %v; want 1", c.text, c.lang, res.Total, err)
		}
	}
}

// Concurrent Puts, Deletes and Searches, for the race detector, and a
// check that a Put is visible as soon as it returns.
func TestConcurrentUse(t *testing.T) {
	x := openDisk(t).(*Index)
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := "rec-" + string(rune('a'+w))
			for i := range 10 {
				docs := []archive.CueDoc{doc(rec, "en", 0, "concurrent words"), doc(rec, "en", 1, "more text")}
				if err := x.Put(ctx, rec, docs); err != nil {
					t.Errorf("Put: %v", err)
					return
				}
				res, err := x.Search(ctx, archive.SearchQuery{Text: "concurrent", RecordingID: rec})
				if err != nil || res.Total != 1 {
					t.Errorf("Search after Put %d of %s = %d hits, %v; want 1", i, rec, res.Total, err)
				}
				if i%3 == 1 { // never the last round
					if err := x.Delete(ctx, rec); err != nil {
						t.Errorf("Delete: %v", err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if n := count(t, x, "concurrent"); n != 4 {
		t.Errorf("Search(concurrent) total = %d; want 4", n)
	}
}

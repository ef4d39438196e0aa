package meili

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/indextest"
)

// realServer returns the gated server's URL and key, or skips.
func realServer(t *testing.T) (string, string) {
	t.Helper()
	url := os.Getenv("VERBATIM_TEST_MEILI_URL")
	if url == "" {
		t.Skip("set VERBATIM_TEST_MEILI_URL (and VERBATIM_TEST_MEILI_KEY if it has a master key) to run against a real Meilisearch")
	}
	return url, os.Getenv("VERBATIM_TEST_MEILI_KEY")
}

// openReal opens a fresh index on the real server, waits until its
// settings are applied, and deletes it when the test ends.
func openReal(t *testing.T, url, key, uid string) *Index {
	t.Helper()
	ctx := context.Background()
	x, err := Open(ctx, Config{URL: url, APIKey: key, Index: uid})
	if err != nil {
		t.Fatalf("Open(%s): %v", uid, err)
	}
	t.Cleanup(func() {
		if info, err := x.client.DeleteIndex(ctx, uid); err == nil {
			x.wait(ctx, "delete index", info)
		}
		x.Close()
	})
	deadline := time.Now().Add(time.Minute)
	for err := x.Ping(ctx); err != nil; err = x.Ping(ctx) {
		if time.Now().After(deadline) {
			t.Fatalf("Ping(%s) after a minute: %v", uid, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return x
}

// TestRealVersionsAndRebuild: an older version written after a newer one
// does not come back; Rebuild swaps a fresh index in and drops
// recordings no longer written.
func TestRealVersionsAndRebuild(t *testing.T) {
	url, key := realServer(t)
	ctx := context.Background()
	x := openReal(t, url, key, fmt.Sprintf("verbatim_test_real_%d", time.Now().UnixNano()))
	doc := func(rec, text string, v int64) []archive.CueDoc {
		return []archive.CueDoc{{RecordingID: rec, Lang: "en", Text: text, EndMS: 1000, Version: v}}
	}
	for _, p := range []struct {
		rec, text string
		v         int64
	}{{"r", "newer words", 2}, {"r", "older words", 1}, {"gone", "stale words", 1}} {
		if err := x.Put(ctx, p.rec, doc(p.rec, p.text, p.v)); err != nil {
			t.Fatalf("Put(%s v%d): %v", p.rec, p.v, err)
		}
	}
	res, err := x.Search(ctx, archive.SearchQuery{Text: "words"})
	if err != nil || res.Total != 2 {
		t.Fatalf("Search(words) = %+v, %v; want 2 hits (r v2, gone)", res, err)
	}
	for _, h := range res.Hits {
		if h.RecordingID == "r" && h.Text != "newer words" {
			t.Errorf("r's hit = %q; want the newer version", h.Text)
		}
	}
	err = x.Rebuild(ctx, func(ctx context.Context, fresh *Index) error {
		return fresh.Put(ctx, "r", doc("r", "rebuilt words", 3))
	}, nil)
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	res, err = x.Search(ctx, archive.SearchQuery{Text: "words"})
	if err != nil || res.Total != 1 || res.Hits[0].Text != "rebuilt words" {
		t.Errorf("Search(words) after Rebuild = %+v, %v; want only r's rebuilt cue", res, err)
	}
}

// TestConformance runs the shared suite against a real Meilisearch, each
// subtest in a fresh index that is deleted afterwards.
func TestConformance(t *testing.T) {
	url, key := realServer(t)
	var n atomic.Int64
	run := time.Now().UnixNano()
	indextest.Run(t, func(t *testing.T) archive.Index {
		t.Helper()
		return openReal(t, url, key, fmt.Sprintf("verbatim_test_%d_%d", run, n.Add(1)))
	})
}

// TestRealTotalBound: past MaxHits candidates the total is a flagged lower
// bound; within it exact.
func TestRealTotalBound(t *testing.T) {
	url, key := realServer(t)
	ctx := context.Background()
	x := openReal(t, url, key, fmt.Sprintf("verbatim_test_bound_%d", time.Now().UnixNano()))
	x.cfg.MaxHits = 5
	var docs []archive.CueDoc
	for i := range 12 {
		docs = append(docs, archive.CueDoc{RecordingID: "r", Lang: "en", Seq: i, StartMS: int64(i) * 1000, Text: fmt.Sprintf("trafficking case %d", i)})
	}
	if err := x.Put(ctx, "r", docs); err != nil {
		t.Fatal(err)
	}
	res, err := x.Search(ctx, archive.SearchQuery{Text: "trafficking"})
	if err != nil || !res.TotalIsLowerBound || res.Total > 5 || res.Total < 1 {
		t.Errorf("Search past MaxHits = total %d, lower bound %v, %v; want at most 5, flagged", res.Total, res.TotalIsLowerBound, err)
	}
	x.cfg.MaxHits = 100
	res, err = x.Search(ctx, archive.SearchQuery{Text: "trafficking"})
	if err != nil || res.TotalIsLowerBound || res.Total != 12 {
		t.Errorf("Search within MaxHits = total %d, lower bound %v, %v; want exactly 12", res.Total, res.TotalIsLowerBound, err)
	}
}

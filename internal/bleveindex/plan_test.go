package bleveindex

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/verbatim-archive/verbatim/internal/archive"
)

// nearCorpus: French "traite", and words an engine comparing stems finds
// near it: English "training" (train ~ trait) and Spanish "trata" (trat ~
// trait). The near ones are in newer recordings.
func nearCorpus(t *testing.T, x *Index) {
	t.Helper()
	ctx := context.Background()
	for _, d := range []archive.CueDoc{
		{RecordingID: "fr", Date: "2024-01-01", Lang: "fr", StartMS: 1000, Text: "La traite des êtres humains."},
		{RecordingID: "en", Date: "2025-01-01", Lang: "en", StartMS: 2000, Text: "Police training starts today."},
		{RecordingID: "es", Date: "2026-01-01", Lang: "es", StartMS: 3000, Text: "La trata de personas."},
	} {
		if err := x.Put(ctx, d.RecordingID, []archive.CueDoc{d}); err != nil {
			t.Fatal(err)
		}
	}
}

type matchView struct {
	Rec   string
	Match archive.Match
	Near  []archive.Spelling
	HL    string
}

func views(res archive.SearchResult) []matchView {
	var out []matchView
	for _, h := range res.Hits {
		out = append(out, matchView{h.RecordingID, h.Match, h.NearSpellings, h.Highlight})
	}
	return out
}

// TestTraiteExactFirst: the exact French cue first; English training and
// Spanish trata after it, labelled with the word each matched.
func TestTraiteExactFirst(t *testing.T) {
	for name, open := range map[string]func(*testing.T) archive.Index{"mem": openMem, "disk": openDisk} {
		t.Run(name, func(t *testing.T) {
			x := open(t).(*Index)
			nearCorpus(t, x)
			res, err := x.Search(context.Background(), archive.SearchQuery{Text: "traite"})
			if err != nil {
				t.Fatal(err)
			}
			want := []matchView{
				{"fr", archive.MatchExact, nil, "La <mark>traite</mark> des êtres humains."},
				{"es", archive.MatchNear, []archive.Spelling{{Query: "traite", Matched: "trata"}}, `La <mark class="near">trata</mark> de personas.`},
				{"en", archive.MatchNear, []archive.Spelling{{Query: "traite", Matched: "training"}}, `Police <mark class="near">training</mark> starts today.`},
			}
			if diff := cmp.Diff(want, views(res)); diff != "" {
				t.Errorf("Search(traite) (-want +got):\n%s", diff)
			}
			if res.Total != 3 || res.NearSkipped || len(res.Corrections) != 0 {
				t.Errorf("Search(traite) total %d, skipped %v, corrections %v; want 3, false, none", res.Total, res.NearSkipped, res.Corrections)
			}
		})
	}
}

// TestNoExpansionWhenExactFills: a word the index holds, whose exact hits
// fill the page, runs no typo expansion at all; a page they do not fill
// does, and a word the index lacks is expanded at once.
func TestNoExpansionWhenExactFills(t *testing.T) {
	x := openDisk(t).(*Index)
	nearCorpus(t, x)
	ctx := context.Background()
	expansions := func(q archive.SearchQuery) (int64, archive.SearchResult) {
		t.Helper()
		before := x.automata.cache.expanded.Load()
		res, err := x.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return x.automata.cache.expanded.Load() - before, res
	}
	n, res := expansions(archive.SearchQuery{Text: "traite", PerPage: 1})
	if n != 0 || !res.NearSkipped || res.Total != 1 || len(res.Hits) != 1 || res.Hits[0].Match != archive.MatchExact {
		t.Errorf("Search(traite, 1 per page): %d expansions, skipped %v, total %d, %v; want 0, true, 1, one exact hit", n, res.NearSkipped, res.Total, views(res))
	}
	if n, res = expansions(archive.SearchQuery{Text: "traite", PerPage: 1, Page: 2}); n == 0 || res.NearSkipped || res.Total != 3 || len(res.Hits) != 1 || res.Hits[0].Match != archive.MatchNear {
		t.Errorf("Search(traite, page 2 of 1): %d expansions, skipped %v, total %d, %v; want some, false, 3, one near hit", n, res.NearSkipped, res.Total, views(res))
	}
	n, res = expansions(archive.SearchQuery{Text: "polise", PerPage: 1})
	if n == 0 || res.Total != 1 || !cmp.Equal(res.Corrections, []archive.Spelling{{Query: "polise", Matched: "police"}}) {
		t.Errorf("Search(polise): %d expansions, total %d, corrections %v; want some, 1, polise → police", n, res.Total, res.Corrections)
	}
	// Short words have no typo allowance: nothing to widen, nothing skipped.
	if n, res = expansions(archive.SearchQuery{Text: "la", PerPage: 1}); n != 0 || res.NearSkipped {
		t.Errorf("Search(la): %d expansions, skipped %v; want 0, false", n, res.NearSkipped)
	}
}

// TestTypoCachesReuse: a word searched again builds no automaton and
// scans no dictionary; the caches stay within their bounds, the least
// recently used out first.
func TestTypoCachesReuse(t *testing.T) {
	x := openDisk(t).(*Index)
	ctx := context.Background()
	// One Put, one segment: nothing for scorch to merge meanwhile (a
	// merge writes a new segment, which is scanned afresh).
	if err := x.Put(ctx, "r", []archive.CueDoc{
		{RecordingID: "r", Lang: "en", Text: "Police training starts today."},
		{RecordingID: "r", Lang: "fr", Seq: 1, StartMS: 1000, Text: "La police arrive."},
	}); err != nil {
		t.Fatal(err)
	}
	c := x.automata.cache
	var built, scanned []int64
	for range 3 {
		b, s := c.built.Load(), c.scanned.Load()
		if _, err := x.Search(ctx, archive.SearchQuery{Text: "polise"}); err != nil {
			t.Fatal(err)
		}
		built, scanned = append(built, c.built.Load()-b), append(scanned, c.scanned.Load()-s)
	}
	if built[0] == 0 || built[1] != 0 || built[2] != 0 || scanned[0] == 0 || scanned[1] != 0 || scanned[2] != 0 {
		t.Errorf("3 searches for polise built %v automata and scanned %v dictionaries; want some, then none", built, scanned)
	}
	// A new segment (a new recording) is scanned; the old ones are not.
	if err := x.Put(ctx, "more", []archive.CueDoc{{RecordingID: "more", Lang: "en", Text: "The police came."}}); err != nil {
		t.Fatal(err)
	}
	s := c.scanned.Load()
	res, err := x.Search(ctx, archive.SearchQuery{Text: "polise"})
	if err != nil || res.Total != 3 {
		t.Fatalf("Search(polise) after a new recording = %d hits, %v; want 3", res.Total, err)
	}
	if n := c.scanned.Load() - s; n == 0 {
		t.Error("Search(polise) after a new recording scanned no dictionary; want the new segment's")
	}

	lru := newCache[string, int](3 << 20)
	for i, w := range []string{"abcdefghij", "bcdefghijk", "cdefghijkl", "defghijklm"} {
		lru.put(w, i, dfaCost(w, 2))
		if lru.size > lru.max {
			t.Errorf("after %d automata the cache holds %d bytes; bound %d", i+1, lru.size, lru.max)
		}
	}
	if _, ok := lru.get("abcdefghij"); ok || len(lru.byKey) == 0 {
		t.Errorf("cache kept %d automata, the oldest still there: want it evicted first", len(lru.byKey))
	}
}

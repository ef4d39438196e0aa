package indextest

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/verbatim-archive/verbatim/internal/archive"
)

// testNearSpellings: exact matches before near ones, and near ones
// labelled with the word they matched.
func testNearSpellings(t *testing.T, idx archive.Index) {
	load(t, idx)

	// "traite" is French; English "training" and Spanish "trata" are
	// near spellings (of its stem) that an engine may find. Whatever it
	// finds, the exact French cue comes first and the rest say near.
	res := search(t, idx, q("traite"))
	if len(res.Hits) == 0 || key(res.Hits[0]) != "hrc-side-event/fr@0" || res.Hits[0].Match != archive.MatchExact {
		t.Fatalf("Search(traite) hits = %v; want hrc-side-event/fr@0 first, exact", describe(res))
	}
	if len(res.Hits[0].NearSpellings) != 0 || !strings.Contains(res.Hits[0].Highlight, "<mark>traite</mark>") {
		t.Errorf("Search(traite) exact hit = %q, near spellings %v; want traite marked exactly and no near spellings", res.Hits[0].Highlight, res.Hits[0].NearSpellings)
	}
	checkNearAfterExact(t, "traite", res)
	for _, h := range res.Hits[1:] {
		if !slices.ContainsFunc(h.NearSpellings, func(s archive.Spelling) bool { return s.Query == "traite" && s.Matched != "traite" }) {
			t.Errorf("Search(traite) near hit %s spellings = %v; want traite → its word", key(h), h.NearSpellings)
		}
	}
	if len(res.Corrections) != 0 {
		t.Errorf("Search(traite).Corrections = %v; want none (the index holds traite)", res.Corrections)
	}

	// A word nothing holds as spelt is corrected, and says so.
	res = search(t, idx, q("trafficing", "en"))
	want := []archive.Spelling{{Query: "trafficing", Matched: "trafficking"}}
	if diff := cmp.Diff(want, res.Corrections); diff != "" {
		t.Errorf("Search(trafficing).Corrections (-want +got):\n%s", diff)
	}
	if len(res.Hits) != 3 {
		t.Errorf("Search(trafficing) = %v; want the 3 trafficking cues", describe(res))
	}
	for _, h := range res.Hits {
		if h.Match != archive.MatchNear || !cmp.Equal(h.NearSpellings, want) || !strings.Contains(h.Highlight, archive.MarkNearOpen) || strings.Contains(h.Highlight, archive.MarkOpen) {
			t.Errorf("Search(trafficing) hit %s = %s %v %q; want near, trafficing → trafficking, marked near", key(h), h.Match, h.NearSpellings, h.Highlight)
		}
	}

	// "heard" matches one cue exactly and "herd" (the newest recording)
	// by a near spelling. One per page: the exact hit fills page 1.
	one := func(page int) archive.SearchResult {
		return search(t, idx, archive.SearchQuery{Text: "heard", Langs: []string{"en"}, Page: page, PerPage: 1})
	}
	p1 := one(1)
	if len(p1.Hits) != 1 || key(p1.Hits[0]) != "hrc-side-event/en@13" || p1.Hits[0].Match != archive.MatchExact {
		t.Errorf("Search(heard, page 1 of 1) = %v; want hrc-side-event/en@13, exact", describe(p1))
	}
	if wantTotal := map[bool]int{false: 2, true: 1}[p1.NearSkipped]; p1.Total != wantTotal {
		t.Errorf("Search(heard, page 1 of 1).Total = %d with NearSkipped %v; want %d", p1.Total, p1.NearSkipped, wantTotal)
	}
	p2 := one(2)
	if len(p2.Hits) != 1 || key(p2.Hits[0]) != "press-briefing/en@2" || p2.Hits[0].Match != archive.MatchNear ||
		!cmp.Equal(p2.Hits[0].NearSpellings, []archive.Spelling{{Query: "heard", Matched: "herd"}}) || p2.Total != 2 || p2.NearSkipped {
		t.Errorf("Search(heard, page 2 of 1) = %v, total %d, skipped %v; want press-briefing/en@2, near heard → herd, total 2", describe(p2), p2.Total, p2.NearSkipped)
	}
}

// checkNearAfterExact fails when a near hit ranks before an exact one or
// a hit says neither.
func checkNearAfterExact(t *testing.T, text string, res archive.SearchResult) {
	t.Helper()
	near := false
	for _, h := range res.Hits {
		switch h.Match {
		case archive.MatchExact:
			if near {
				t.Errorf("Search(%s): exact hit %s after a near one: %v", text, key(h), describe(res))
			}
		case archive.MatchNear:
			near = true
		default:
			t.Errorf("Search(%s) hit %s Match = %q; want exact or near", text, key(h), h.Match)
		}
	}
}

// describe lists hits as key:match, for failure messages.
func describe(res archive.SearchResult) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, key(h)+":"+string(h.Match))
	}
	return out
}

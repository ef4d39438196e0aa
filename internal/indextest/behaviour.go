package indextest

import (
	"context"
	"html"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/verbatim-archive/verbatim/internal/archive"
)

func testHitFields(t *testing.T, idx archive.Index) {
	load(t, idx)
	res := search(t, idx, q("Palermo", "en"))
	if len(res.Hits) != 1 {
		t.Fatalf("Search(Palermo, en) = %d hits; want 1", len(res.Hits))
	}
	want := archive.Hit{
		RecordingID: recHRC, Title: "Trafficking in human beings: side event", Event: "HRC 59",
		Date: "2025-06-20", Lang: "en", Kind: archive.KindOriginal, StartMS: 4000, EndMS: 7500,
		Speaker: anaRuiz, Text: "The Palermo Protocol was a milestone for the",
		Match: archive.MatchExact,
	}
	got := res.Hits[0]
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(archive.Hit{}, "Highlight", "Score")); diff != "" {
		t.Errorf("Search(Palermo, en) hit (-want +got):\n%s", diff)
	}
	if got.Score <= 0 {
		t.Errorf("Search(Palermo, en) hit score = %v; want > 0", got.Score)
	}
}

func testFacets(t *testing.T, idx archive.Index) {
	load(t, idx)
	for _, c := range []struct {
		q    archive.SearchQuery
		want archive.Facets
	}{
		{q("Palermo"), archive.Facets{
			Lang:    map[string]int{"en": 1, "fr": 1, "es": 1, "de": 1},
			Speaker: map[string]int{anaRuiz: 4},
		}},
		{q("victims", "en"), archive.Facets{
			Lang:    map[string]int{"en": 2},
			Speaker: map[string]int{anaRuiz: 1, jonasWeber: 1},
		}},
		{archive.SearchQuery{Text: "Survivors", Speakers: []string{mariaLopez}}, archive.Facets{
			Lang:    map[string]int{"en": 1},
			Speaker: map[string]int{mariaLopez: 1},
		}},
		// A cue without a speaker counts for its language only.
		{q("reporters"), archive.Facets{Lang: map[string]int{"en": 1}}},
		{q("zebra"), archive.Facets{}},
	} {
		res := search(t, idx, c.q)
		if diff := cmp.Diff(c.want, res.Facets, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Search(%+v).Facets (-want +got):\n%s", c.q, diff)
		}
	}
}

func testPagination(t *testing.T, idx archive.Index) {
	load(t, idx)
	all := []string{"istac-launch/en@8", "old-panel/en@1", "old-panel/en@5"}
	for _, c := range []struct {
		page, perPage         int
		wantPage, wantPerPage int
		want                  []string
	}{
		{1, 2, 1, 2, all[:2]},
		{2, 2, 2, 2, all[2:]},
		{3, 2, 3, 2, nil},
		{0, 0, 1, 20, all},
		{-1, 1000, 1, 100, all},
	} {
		query := archive.SearchQuery{Text: "without", Page: c.page, PerPage: c.perPage}
		res := search(t, idx, query)
		if diff := cmp.Diff(c.want, keys(res), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Search(%+v) hits (-want +got):\n%s", query, diff)
		}
		if res.Total != len(all) || res.Page != c.wantPage || res.PerPage != c.wantPerPage {
			t.Errorf("Search(%+v) total, page, per page = %d, %d, %d; want %d, %d, %d",
				query, res.Total, res.Page, res.PerPage, len(all), c.wantPage, c.wantPerPage)
		}
	}
}

func testHighlight(t *testing.T, idx archive.Index) {
	load(t, idx)
	for _, c := range []struct {
		q         archive.SearchQuery
		hit, want string
	}{
		{q("heard", "en"), "hrc-side-event/en@13",
			"Survivors must be <mark>heard</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; respected."},
		{q("script", "en"), "hrc-side-event/en@13",
			"Survivors must be heard &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; &amp; respected."},
		{q("Menschenhandel", "de"), "hrc-side-event/de@0",
			"Willkommen zu dieser Nebenveranstaltung über <mark>Menschenhandel</mark>."},
		{q("réseaux", "fr"), "hrc-side-event/fr@13",
			"Les <mark>réseaux</mark> criminels exploitent les plus vulnérables."},
	} {
		got, found := "", false
		for _, h := range search(t, idx, c.q).Hits {
			if key(h) == c.hit {
				got, found = h.Highlight, true
			}
		}
		if !found {
			t.Errorf("Search(%+v) did not find %s", c.q, c.hit)
		} else if got != c.want {
			t.Errorf("Search(%+v) highlight of %s = %q; want %q", c.q, c.hit, got, c.want)
		}
	}

	// Across a cue boundary only the part in the cue itself is marked.
	res := search(t, idx, q(`"milestone for the protection of victims"`, "en"))
	if len(res.Hits) != 1 || !strings.Contains(res.Hits[0].Highlight, "<mark>milestone</mark>") {
		t.Errorf("cross-cue phrase hits = %+v; want one hit marking milestone", res.Hits)
	}

	// Every highlight is the escaped text with marks, whatever the query.
	for _, text := range []string{"Survivors", "trafficing", `"human beings"`, "script alert", "Palermo", "victimas"} {
		for _, h := range search(t, idx, q(text)).Hits {
			plain := strings.NewReplacer(archive.MarkOpen, "", archive.MarkNearOpen, "", archive.MarkClose, "").Replace(h.Highlight)
			if strings.ContainsAny(plain, "<>") || html.UnescapeString(plain) != h.Text {
				t.Errorf("Search(%q) highlight %q is not the escaped text %q with marks", text, h.Highlight, h.Text)
			}
			if !strings.Contains(h.Highlight, "<mark") {
				t.Errorf("Search(%q) highlight %q marks nothing", text, h.Highlight)
			}
		}
	}
}

func testPutReplaces(t *testing.T, idx archive.Index) {
	load(t, idx)
	replaced := []archive.CueDoc{{
		RecordingID: recPanel, Title: "Panel on survivor voices", Event: "Expert panel", Date: "2023-03-01",
		Lang: "en", Kind: archive.KindOriginal, Source: archive.SourceVerified, StartMS: 2000, EndMS: 4000,
		Speaker: anaRuiz, Text: "Completely different words.",
	}}
	if err := idx.Put(context.Background(), recPanel, replaced); err != nil {
		t.Fatalf("Put(%q): %v", recPanel, err)
	}
	wantHits(t, idx, q("without"), "istac-launch/en@8")
	wantHits(t, idx, q("different"), "old-panel/en@2")
}

func testPutEmpty(t *testing.T, idx archive.Index) {
	load(t, idx)
	for _, id := range []string{recHRC, "never-indexed"} {
		if err := idx.Put(context.Background(), id, nil); err != nil {
			t.Fatalf("Put(%q, nil): %v", id, err)
		}
	}
	wantHits(t, idx, q("Palermo"))
	wantHits(t, idx, q("Survivors"), "istac-launch/en@0", "istac-launch/en@4")
}

func testDelete(t *testing.T, idx archive.Index) {
	load(t, idx)
	ctx := context.Background()
	if err := idx.Delete(ctx, recISTAC); err != nil {
		t.Fatalf("Delete(%q): %v", recISTAC, err)
	}
	wantHits(t, idx, q("Survivors"), "hrc-side-event/en@13")
	wantHits(t, idx, q("without"), "old-panel/en@1", "old-panel/en@5")
	if err := idx.Delete(ctx, "never-indexed"); err != nil {
		t.Errorf("Delete(never-indexed) = %v; want nil", err)
	}
	for _, r := range corpus() {
		if r.id == recISTAC {
			if err := idx.Put(ctx, r.id, r.docs()); err != nil {
				t.Fatalf("Put(%q) after Delete: %v", r.id, err)
			}
		}
	}
	wantHits(t, idx, q("without"), "istac-launch/en@8", "old-panel/en@1", "old-panel/en@5")
}

// wantHits checks the hits of q, in any order, and the total.
func wantHits(t *testing.T, idx archive.Index, q archive.SearchQuery, want ...string) {
	t.Helper()
	res := search(t, idx, q)
	sorted := cmpopts.SortSlices(func(a, b string) bool { return a < b })
	if diff := cmp.Diff(want, keys(res), cmpopts.EquateEmpty(), sorted); diff != "" {
		t.Errorf("Search(%+v) hits (-want +got):\n%s", q, diff)
	}
	if res.Total != len(want) {
		t.Errorf("Search(%+v).Total = %d; want %d", q, res.Total, len(want))
	}
}

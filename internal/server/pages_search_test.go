package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

func searchStore() *memStore {
	store := demoStore()
	store.result = archive.SearchResult{
		Total: 45, Page: 1, PerPage: 20,
		Hits: []archive.Hit{
			{RecordingID: "istac-launch", Title: "Launch of ISTAC", Event: "ODIHR", Date: "2021-01-25", Lang: "en", Kind: archive.KindOriginal,
				StartMS: 45_500, EndMS: 48_000, Speaker: "Per-Anders Sunesson", Text: "This is a milestone.",
				Highlight: "This is a <mark>milestone</mark>.", URL: "/watch/istac-launch?t=45.5&lang=en"},
			{RecordingID: "hrc47-side-event", Title: "Side event on trafficking", Lang: "de",
				StartMS: 97_000, EndMS: 101_000, Speaker: "Moderator", Text: "Ein Meilenstein.",
				Highlight: "Ein <mark>Meilenstein</mark>.", URL: "/watch/hrc47-side-event?t=97&lang=de"},
			{RecordingID: "istac-launch", Title: "Launch of ISTAC", Lang: "en",
				StartMS: 200_000, EndMS: 204_000, Text: "x <y> & z",
				Highlight: `<img src=x onerror=alert(1)>`, URL: "javascript:alert(1)"},
		},
		Facets: archive.Facets{Lang: map[string]int{"en": 30, "de": 15}, Speaker: map[string]int{"Per-Anders Sunesson": 5, "Moderator": 40}},
	}
	return store
}

func TestSearchGroupsMomentsByRecording(t *testing.T) {
	store := searchStore()
	srv := pageServer(t, store)
	r := get(t, srv, "/search?q=milestone&page=2", "Accept-Language", "en")
	if r.status != http.StatusOK {
		t.Fatalf("GET /search = %d; want 200", r.status)
	}
	wantContains(t, "search", r.body,
		"45 matches for “milestone”, each language of a moment counted apart",
		`<h2 id="g-istac-launch"><a href="/watch/istac-launch" lang="en">Launch of ISTAC</a></h2>`,
		`<a class="hit-link" href="/watch/istac-launch?lang=en&amp;q=milestone&amp;t=45.5">`,
		`<span class="hit-text" lang="en">This is a <mark>milestone</mark>.</span>`,
		`<span class="hit-speaker">Per-Anders Sunesson</span>`,
		`<span class="hit-lang" lang="en">English</span> <span class="hit-kind">(original speech)</span>`,
		`<span class="hit-text" lang="en">x &lt;y&gt; &amp; z</span>`,  // unchecked highlight falls back to text
		`href="/watch/istac-launch?lang=en&amp;q=milestone&amp;t=200"`, // a non-watch URL is rebuilt
		`<a href="/search?lang=de&amp;q=milestone" lang="de">Deutsch <span class="count">15</span></a>`,
		`<a href="/search?q=milestone&amp;speaker=Moderator">Moderator <span class="count">40</span></a>`,
		`<span aria-current="page">2</span>`,
		`rel="prev"`, `rel="next"`,
		`<svg class="timeline strip"`,
		`<a href="/search?event=ODIHR&amp;q=milestone" title="Only moments from this event" lang="en">ODIHR</a>`,
	)
	wantNotContains(t, "search", r.body, "<img", "javascript:")
	if got := strings.Index(r.body, "g-istac-launch"); got < 0 || got > strings.Index(r.body, "g-hrc47-side-event") {
		t.Error("search groups are not in the index's ranking order")
	}
	if len(store.queries) != 1 || store.queries[0].Page != 2 || store.queries[0].Text != "milestone" {
		t.Errorf("search asked %+v; want page 2 of milestone", store.queries)
	}
}

func TestSearchFiltersReachTheIndex(t *testing.T) {
	store := searchStore()
	r := get(t, pageServer(t, store), "/search?q=milestone&lang=de&speaker=Moderator&event=ODIHR")
	if len(store.queries) != 1 {
		t.Fatalf("search made %d queries; want 1", len(store.queries))
	}
	q := store.queries[0]
	if len(q.Langs) != 1 || q.Langs[0] != "de" || len(q.Speakers) != 1 || q.Speakers[0] != "Moderator" || q.Event != "ODIHR" {
		t.Errorf("search query = %+v; want lang de, speaker Moderator, event ODIHR", q)
	}
	wantContains(t, "search", r.body,
		`<option value="de" selected>Deutsch</option>`,
		`<input type="hidden" name="speaker" value="Moderator">`,
		"Event: ODIHR", `href="/search?lang=de&amp;q=milestone&amp;speaker=Moderator"`,
	)
}

func TestSearchWithoutQueryShowsHint(t *testing.T) {
	store := searchStore()
	r := get(t, pageServer(t, store), "/search")
	wantContains(t, "search", r.body, "Type words someone said")
	if len(store.queries) != 0 {
		t.Errorf("an empty search queried the index: %+v", store.queries)
	}
}

func TestSearchIndexDown(t *testing.T) {
	store := searchStore()
	store.searchErr = fmt.Errorf("bleve: closed: %w", archive.ErrUnavailable)
	r := get(t, pageServer(t, store), "/search?q=milestone", "Accept-Language", "fr")
	if r.status != http.StatusServiceUnavailable {
		t.Errorf("GET /search with the index down = %d; want 503", r.status)
	}
	wantContains(t, "search", r.body, "La recherche est momentanément indisponible", `value="milestone"`)
}

func TestSearchInvalidQueryKeepsTheForm(t *testing.T) {
	store := searchStore()
	store.searchErr = fmt.Errorf("bleveindex: unbalanced quote: %w", archive.ErrInvalid)
	r := get(t, pageServer(t, store), `/search?q=%22milestone`, "Accept-Language", "en")
	if r.status != http.StatusBadRequest {
		t.Errorf("GET /search with a bad query = %d; want 400", r.status)
	}
	wantContains(t, "search", r.body, "This search cannot be run as written", `value="&#34;milestone"`)
}

package server

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

func TestGroupMoments(t *testing.T) {
	h := func(lang string, start, end int64) hitView {
		return hitView{Lang: lang, LangName: langName(lang), startMS: start, endMS: end, URL: fmt.Sprintf("%s@%d", lang, start)}
	}
	for _, tc := range []struct {
		name string
		hits []hitView
		want [][]string // each moment's hits, as lang@start
	}{
		{"one sentence in three languages", []hitView{h("en", 90_400, 96_100), h("fr", 90_400, 96_100), h("de", 90_500, 96_000)},
			[][]string{{"en@90400", "fr@90400", "de@90500"}}},
		{"interpretations a little late still overlap", []hitView{h("en", 10_000, 14_000), h("es", 13_500, 17_000)},
			[][]string{{"en@10000", "es@13500"}}},
		{"cues that only touch are two moments", []hitView{h("en", 10_000, 14_000), h("fr", 14_000, 18_000)},
			[][]string{{"en@10000"}, {"fr@14000"}}},
		{"two sentences in a row in one language", []hitView{h("en", 10_000, 14_000), h("en", 13_000, 18_000)},
			[][]string{{"en@10000"}, {"en@13000"}}},
		{"a long cue joins the first of the two it spans", []hitView{h("en", 10_000, 14_000), h("en", 14_000, 18_000), h("de", 11_000, 17_000)},
			[][]string{{"en@10000", "de@11000"}, {"en@14000"}}},
		{"the same time in another recording is grouped elsewhere, not here; far apart stays apart", []hitView{h("en", 300_000, 302_000), h("fr", 5_000, 7_000)},
			[][]string{{"fr@5000"}, {"en@300000"}}},
		{"a cue with no length", []hitView{h("en", 20_000, 20_000), h("fr", 19_000, 21_000)},
			[][]string{{"en@20000", "fr@19000"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := range tc.hits {
				tc.hits[i].rank = i
			}
			// Ranked in the order listed: a moment lists its languages by rank.
			var got [][]string
			for _, m := range groupMoments(tc.hits) {
				var ids []string
				for _, h := range m.Hits {
					ids = append(ids, h.URL)
				}
				got = append(got, ids)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("moments (-want +got):\n%s", diff)
			}
		})
	}
}

// One sentence found in English, French and German is one moment: one
// line with the three languages under it, one mark on the strip, and
// "1 moment" above.
func TestSearchOneSentenceInThreeLanguagesIsOneMoment(t *testing.T) {
	store := demoStore()
	hit := func(lang string, start, end int64, text string) archive.Hit {
		return archive.Hit{RecordingID: "hrc47-side-event", Title: "Side event", Lang: lang, StartMS: start, EndMS: end,
			Speaker: "Moderator", Text: text, Highlight: text}
	}
	store.result = archive.SearchResult{Total: 4, Page: 1, PerPage: 20, Hits: []archive.Hit{
		hit("fr", 90_400, 96_100, "Protocole de Palerme"),
		hit("en", 90_400, 96_100, "Palermo Protocol"),
		hit("de", 90_500, 96_000, "Palermo-Protokoll"),
		hit("en", 200_000, 204_000, "Palermo again"),
	}}
	for _, ui := range []struct{ lang, want string }{
		{"en", "2 moments for “Palermo”"}, {"fr", "2 moments pour «\u00a0Palermo\u00a0»"},
		{"es", "2 momentos para «Palermo»"}, {"de", "2 Stellen für „Palermo“"},
	} {
		r := get(t, pageServer(t, store), "/search?q=Palermo", "Accept-Language", ui.lang)
		wantContains(t, "search "+ui.lang, r.body, ui.want)
	}
	r := get(t, pageServer(t, store), "/search?q=Palermo", "Accept-Language", "en")
	items := regexp.MustCompile(`(?s)<li class="hit">.*?</ul>`).FindAllString(r.body, -1)
	if len(items) != 2 {
		t.Fatalf("%d result lines; want 2 (one for the three languages at 1:30, one at 3:20)", len(items))
	}
	first := items[0]
	wantContains(t, "the moment at 1:30", first, `<span class="hit-time">1:30</span> <span class="hit-speaker">Moderator</span>`,
		`href="/watch/hrc47-side-event?lang=fr&amp;q=Palermo&amp;t=90.4"`,
		`href="/watch/hrc47-side-event?lang=en&amp;q=Palermo&amp;t=90.4"`,
		`href="/watch/hrc47-side-event?lang=de&amp;q=Palermo&amp;t=90.5"`)
	if n := strings.Count(first, `class="hit-link"`); n != 3 {
		t.Errorf("the moment at 1:30 has %d language lines; want 3", n)
	}
	if a, b, c := strings.Index(first, `lang="fr"`), strings.Index(first, `lang="en"`), strings.Index(first, `lang="de"`); a > b || b > c {
		t.Errorf("the languages of a moment are not in the index's ranking (fr, en, de)")
	}
	if n := strings.Count(first, `class="hit-speaker"`); n != 1 {
		t.Errorf("the shared speaker is named %d times in one moment; want once", n)
	}
	if marks := strings.Count(r.body, `class="tl-mark"`); marks != 2 {
		t.Errorf("%d marks on the strip; want 2, one a moment", marks)
	}
	wantContains(t, "strip", r.body, `aria-label="1:30, Français, English, Deutsch: Moderator"`)
}

// Nothing matched: the page says so across the main column, not in the
// facet column, and offers searches to try, in the viewer's language.
func TestSearchNoResultsSuggests(t *testing.T) {
	store := demoStore()
	store.result = archive.SearchResult{Total: 0, Page: 1, PerPage: 20, Hits: []archive.Hit{}}
	srv := pageServer(t, store)
	r := get(t, srv, `/search?q=%22palermo+zzyzx%22+protocol&lang=de&speaker=Moderator`, "Accept-Language", "en")
	wantContains(t, "no results", r.body,
		`<div class="no-results">`,
		`<h2 class="summary" role="status">Nothing said matches “&#34;palermo zzyzx&#34; protocol”.</h2>`,
		`search fewer words: <a href="/search?lang=de&amp;q=palermo&amp;speaker=Moderator">palermo</a>, <a href="/search?lang=de&amp;q=zzyzx&amp;speaker=Moderator">zzyzx</a>, <a href="/search?lang=de&amp;q=protocol&amp;speaker=Moderator">protocol</a>`,
		`<a href="/search?lang=de&amp;q=palermo&#43;zzyzx&#43;protocol&amp;speaker=Moderator">search the words without the quotes, not as one phrase</a>`,
		`<a href="/search?q=%22palermo&#43;zzyzx%22&#43;protocol">search the same words without the filters</a>`,
		"check the spelling", `<a href="/">browse the recordings</a>`,
	)
	wantNotContains(t, "no results", r.body, `class="search-layout"`, `class="facets"`)

	// One plain word, no filter: only what applies.
	one := get(t, srv, "/search?q=zzyzx", "Accept-Language", "en")
	wantNotContains(t, "one word", one.body, "search fewer words", "without the quotes", "without the filters")
	for _, ui := range []struct{ lang, want string }{
		{"fr", "vérifier l’orthographe"}, {"es", "revisar la ortografía"}, {"de", "die Schreibweise prüfen"},
	} {
		wantContains(t, "no results "+ui.lang, get(t, srv, "/search?q=a+b", "Accept-Language", ui.lang).body, ui.want, `<div class="no-results">`)
	}
}

package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// nearStore answers every search with one exact hit and one near one,
// and a corrected query word.
func nearStore() *memStore {
	store := demoStore()
	store.result = archive.SearchResult{
		Total: 2, Page: 1, PerPage: 20,
		Hits: []archive.Hit{
			{RecordingID: "hrc47-side-event", Title: "Side event", Lang: "fr", StartMS: 26_500, EndMS: 32_500,
				Text: "éliminer la traite des êtres", Highlight: "éliminer la <mark>traite</mark> des êtres", Match: archive.MatchExact,
				URL: "/watch/hrc47-side-event?t=26.5&lang=fr"},
			{RecordingID: "hrc47-side-event", Title: "Side event", Lang: "en", StartMS: 10_000, EndMS: 12_000,
				Text: "support services and training.", Highlight: `support services and <mark class="near">training</mark>.`, Match: archive.MatchNear,
				NearSpellings: []archive.Spelling{{Query: "traite", Matched: "training"}}, URL: "/watch/hrc47-side-event?t=10&lang=en"},
		},
		Corrections: []archive.Spelling{{Query: "trafficing", Matched: "trafficking"}},
	}
	return store
}

func TestSearchLabelsNearSpellings(t *testing.T) {
	for _, c := range []struct{ lang, label, corrected, exactly string }{
		{"en", "near spelling: training", "Showing results for", "Search instead for exactly “traite trafficing”"},
		{"fr", "orthographe proche : training", "Résultats pour", "Rechercher plutôt exactement « traite trafficing »"},
		{"es", "grafía cercana: training", "Mostrando resultados de", "Buscar en su lugar exactamente «traite trafficing»"},
		{"de", "ähnliche Schreibweise: training", "Ergebnisse für", "Stattdessen genau nach „traite trafficing“ suchen"},
	} {
		r := get(t, pageServer(t, nearStore()), "/search?q=traite+trafficing&ui="+c.lang, "Accept-Language", c.lang)
		if r.status != http.StatusOK {
			t.Fatalf("GET /search (%s) = %d; want 200", c.lang, r.status)
		}
		wantContains(t, "search "+c.lang, r.body,
			`<span class="hit-text" lang="en">support services and <mark class="near">training</mark>.</span> <span class="hit-near">`+c.label+`</span>`,
			`<span class="hit-text" lang="fr">éliminer la <mark>traite</mark> des êtres</span></a>`,
			`<p class="notice notice-spelling">`+c.corrected+` <a href="/search?q=traite&#43;trafficking"><strong>traite trafficking</strong></a>.`,
			`<a href="/search?q=traite&#43;%22trafficing%22">`+c.exactly+`</a>`,
		)
		// The exact moment (at 0:26) is listed before the near one (at 0:10).
		if e, n := strings.Index(r.body, "<mark>traite</mark>"), strings.Index(r.body, `<mark class="near">`); e < 0 || n < e {
			t.Errorf("search (%s): the near moment comes before the exact one", c.lang)
		}
	}
}

func TestRewriteWords(t *testing.T) {
	to := map[string]string{"trafficing": "trafficking", "protcol": "protocol"}
	for _, c := range []struct{ q, corrected, exact string }{
		{"trafficing", "trafficking", `"trafficing"`},
		{"Palermo Protcol, trafficing!", "Palermo protocol, trafficking!", `Palermo "Protcol", "trafficing"!`},
		{`"trafficing in" trafficing`, `"trafficing in" trafficking`, `"trafficing in" "trafficing"`},
		{"nothing here", "nothing here", "nothing here"},
	} {
		if got, exact := rewriteWords(c.q, to); got != c.corrected || exact != c.exact {
			t.Errorf("rewriteWords(%q) = %q, %q; want %q, %q", c.q, got, exact, c.corrected, c.exact)
		}
	}
}

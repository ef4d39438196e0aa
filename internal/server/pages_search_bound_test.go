package server

import (
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// An index that counts within a bound (Meilisearch past VERBATIM_MEILI_MAX_HITS)
// flags its total as a lower bound: the page says "more than", never a
// number it does not know.
func TestSearchPageTotalLowerBound(t *testing.T) {
	store := demoStore()
	srv := pageServer(t, store)
	for _, c := range []struct {
		bound bool
		want  string
	}{{false, "667 matches for"}, {true, "more than 667 matches for"}} {
		store.result = archive.SearchResult{Total: 667, TotalIsLowerBound: c.bound, Page: 1, PerPage: 20, Hits: []archive.Hit{}}
		res := get(t, srv, "/search?q=trafficking", "Accept-Language", "en")
		if res.status != 200 || !strings.Contains(res.body, c.want) || (!c.bound && strings.Contains(res.body, "more than")) {
			t.Errorf("lower bound %v: status %d, page lacks %q", c.bound, res.status, c.want)
		}
	}
}

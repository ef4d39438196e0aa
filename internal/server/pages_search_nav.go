package server

import (
	"cmp"
	"slices"
	"strings"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// The search page's navigation: the language menu, active filters, facets
// and pagination. Every link is a plain URL, so all of it works without
// JavaScript.

func langOptions(uiLangs []string, counts map[string]int, selected string) []option {
	langs := slices.Clone(uiLangs)
	for l := range counts {
		langs = append(langs, l)
	}
	if selected != "" {
		langs = append(langs, selected)
	}
	slices.Sort(langs)
	langs = slices.Compact(langs)
	out := make([]option, 0, len(langs))
	for _, l := range langs {
		out = append(out, option{Value: l, Name: langName(l), Selected: l == selected})
	}
	return out
}

func searchFilters(base pageBase, sp searchParams) []filter {
	var out []filter
	add := func(label string, clear func(*searchParams)) {
		out = append(out, filter{Label: label, RemoveURL: sp.url(clear), RemoveLabel: base.T("search.filter.remove", label)})
	}
	if sp.lang != "" {
		add(base.T("search.filter.lang", langName(sp.lang)), func(n *searchParams) { n.lang = "" })
	}
	if sp.speaker != "" {
		add(base.T("search.filter.speaker", sp.speaker), func(n *searchParams) { n.speaker = "" })
	}
	if sp.event != "" {
		add(base.T("search.filter.event", sp.event), func(n *searchParams) { n.event = "" })
	}
	return out
}

func searchFacets(base pageBase, sp searchParams, f archive.Facets) []facet {
	var out []facet
	if len(f.Lang) > 0 {
		fc := facet{Title: base.T("search.facet.lang")}
		for _, k := range byCount(f.Lang) {
			fc.Options = append(fc.Options, facetOption{
				Name: langName(k), Lang: k, Count: f.Lang[k], Selected: k == sp.lang,
				URL: sp.url(func(n *searchParams) { n.lang = toggle(n.lang, k) }),
			})
		}
		out = append(out, fc)
	}
	if len(f.Speaker) > 0 {
		fc := facet{Title: base.T("search.facet.speaker")}
		for _, k := range byCount(f.Speaker) {
			fc.Options = append(fc.Options, facetOption{
				Name: k, Count: f.Speaker[k], Selected: k == sp.speaker,
				URL: sp.url(func(n *searchParams) { n.speaker = toggle(n.speaker, k) }),
			})
		}
		out = append(out, fc)
	}
	return out
}

// toggle selects v, or clears the filter when v is already selected.
func toggle(cur, v string) string {
	if cur == v {
		return ""
	}
	return v
}

// byCount orders facet values by count, then name, so pages are stable.
func byCount(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b)) })
	return keys
}

// pagination lists the first, last and nearby pages, with gaps between.
func pagination(base pageBase, sp searchParams, total, perPage int) (links []pageLink, prev, next string) {
	last := min((total+perPage-1)/perPage, 1000)
	if last <= 1 {
		return nil, "", ""
	}
	at := func(n int) string { return sp.url(func(s *searchParams) { s.page = n }) }
	gap := false
	for n := 1; n <= last; n++ {
		if n != 1 && n != last && (n < sp.page-2 || n > sp.page+2) {
			if !gap {
				links = append(links, pageLink{})
				gap = true
			}
			continue
		}
		gap = false
		links = append(links, pageLink{N: n, URL: at(n), Label: base.T("search.page", n), Current: n == sp.page})
	}
	if sp.page > 1 {
		prev = at(min(sp.page-1, last))
	}
	if sp.page < last {
		next = at(sp.page + 1)
	}
	return links, prev, next
}

// noResults is what the page offers when nothing matched: searches a
// viewer could try next, each a link that can be followed as it is.
type noResults struct {
	Words       []suggestion // each word alone, when the query has several
	UnquotedURL string       // the words without the quotes of a phrase
	ClearURL    string       // the same words without the filters
}

type suggestion struct{ Label, URL string }

// maxWordSuggestions bounds the "fewer words" links of a long query.
const maxWordSuggestions = 6

func noResultsFor(sp searchParams) *noResults {
	nr := &noResults{}
	plain := strings.ReplaceAll(sp.q, `"`, " ")
	seen := map[string]bool{}
	var words []string
	for _, w := range strings.Fields(plain) {
		if k := strings.ToLower(w); !seen[k] {
			seen[k] = true
			words = append(words, w)
		}
	}
	if len(words) > 1 {
		for _, w := range words[:min(len(words), maxWordSuggestions)] {
			nr.Words = append(nr.Words, suggestion{Label: w, URL: sp.url(func(n *searchParams) { n.q = w })})
		}
	}
	if strings.Contains(sp.q, `"`) && len(words) > 0 {
		unquoted := strings.Join(strings.Fields(plain), " ")
		nr.UnquotedURL = sp.url(func(n *searchParams) { n.q = unquoted })
	}
	if sp.lang != "" || sp.speaker != "" || sp.event != "" {
		nr.ClearURL = sp.url(func(n *searchParams) { n.lang, n.speaker, n.event = "", "", "" })
	}
	return nr
}

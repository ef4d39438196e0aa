package bleveindex

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Paging defaults, as in the conformance suite.
const (
	defaultPerPage = 20
	maxPerPage     = 100
	facetSize      = 500
)

// Search runs q: relevance first, then newer recordings, then earlier
// moments.
func (x *Index) Search(ctx context.Context, q archive.SearchQuery) (archive.SearchResult, error) {
	cs, err := parseText(q.Text)
	if err != nil {
		return archive.SearchResult{}, err
	}
	filter, err := filterQuery(q)
	if err != nil {
		return archive.SearchResult{}, err
	}
	page, perPage := paging(q)
	out := archive.SearchResult{Page: page, PerPage: perPage, Hits: []archive.Hit{}}

	x.mu.RLock()
	defer x.mu.RUnlock()
	match := x.matchQuery(q.Langs, cs, x.automata.forSearch())
	if match == nil {
		return out, nil
	}
	bq := query.NewBooleanQuery([]query.Query{match}, nil, nil)
	if filter != nil {
		bq.AddFilter(filter)
	}
	req := bleve.NewSearchRequestOptions(ownQuery{bq}, perPage, (page-1)*perPage, false)
	req.SortBy([]string{"-_score", fOrder})
	req.Fields = storedFields
	req.IncludeLocations = true
	req.AddFacet(fLang, bleve.NewFacetRequest(fLang, facetSize))
	req.AddFacet(fSpeaker, bleve.NewFacetRequest(fSpeaker, facetSize))
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return archive.SearchResult{}, fmt.Errorf("bleveindex: search %q: %w", q.Text, err)
	}
	out.Total = int(res.Total)
	for _, dm := range res.Hits {
		out.Hits = append(out.Hits, hit(dm))
	}
	out.Facets = archive.Facets{Lang: facet(res.Facets[fLang]), Speaker: facet(res.Facets[fSpeaker])}
	return out, nil
}

func paging(q archive.SearchQuery) (page, perPage int) {
	page, perPage = max(q.Page, 1), q.PerPage
	switch {
	case perPage < 1:
		perPage = defaultPerPage
	case perPage > maxPerPage:
		perPage = maxPerPage
	}
	return page, perPage
}

// matchQuery searches the analyzer groups of langs (all groups when langs
// is empty), or returns nil when no group has anything left to search.
func (x *Index) matchQuery(langs []string, cs []clause, am *automata) query.Query {
	want := groups
	if len(langs) > 0 {
		want = nil
		seen := map[string]bool{}
		for _, l := range langs {
			if g := group(l); !seen[g] {
				seen[g] = true
				want = append(want, g)
			}
		}
	}
	var qs []query.Query
	for _, g := range want {
		a := x.idx.Mapping().AnalyzerNamed(g)
		if a == nil {
			continue
		}
		if gq := groupQuery(g, a, cs, am); gq != nil {
			qs = append(qs, gq)
		}
	}
	if len(qs) == 0 {
		return nil
	}
	return query.NewDisjunctionQuery(qs)
}

func hit(dm *search.DocumentMatch) archive.Hit {
	str := func(f string) string { s, _ := dm.Fields[f].(string); return s }
	num := func(f string) int64 { n, _ := dm.Fields[f].(float64); return int64(n) }
	h := archive.Hit{
		RecordingID: str(fRecording),
		Title:       str(fTitle),
		Event:       str(fEvent),
		Date:        str(fDate),
		Lang:        str(fLang),
		Kind:        archive.Kind(str(fKind)),
		StartMS:     num(fStart),
		EndMS:       num(fEnd),
		Speaker:     str(fSpeaker),
		Text:        str(fText),
		Score:       dm.Score,
	}
	g := group(h.Lang)
	h.Highlight = highlight(h.Text, dm.Locations[winField(g)])
	return h
}

func facet(fr *search.FacetResult) map[string]int {
	m := map[string]int{}
	if fr == nil || fr.Terms == nil {
		return m
	}
	for _, t := range fr.Terms.Terms() {
		if t.Term != "" {
			m[t.Term] = t.Count
		}
	}
	return m
}

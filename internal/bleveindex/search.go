package bleveindex

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Paging defaults, as in the conformance suite.
const (
	defaultPerPage = 20
	maxPerPage     = 100
	// facetSize bounds the lang/speaker pairs counted: beyond it the
	// facets would undercount.
	facetSize = 100000
)

// Search runs q: relevance first, then newer recordings, then earlier
// moments.
//
// It takes two passes so that only one doc-values field is read per hit:
// the first ranks every hit by score alone (ties broken by document id,
// which starts with the tie-break key, see docID) and counts the facets
// from the combined lang/speaker field; the second loads the stored
// fields and match locations of the page's hits only.
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
	ranked, total, facets, err := x.rank(ctx, ownQuery{bq}, (page-1)*perPage+perPage)
	if err != nil {
		return archive.SearchResult{}, fmt.Errorf("bleveindex: search %q: %w", q.Text, err)
	}
	out.Total, out.Facets = total, facets
	if from := (page - 1) * perPage; from < len(ranked) {
		out.Hits, err = x.load(ctx, ownQuery{bq}, ranked[from:min(from+perPage, len(ranked))])
		if err != nil {
			return archive.SearchResult{}, fmt.Errorf("bleveindex: search %q: %w", q.Text, err)
		}
	}
	return out, nil
}

// rank returns at least the first n hits in order, the total and the
// facets. It fetches one more than asked: when that one ties with the
// last asked for, the tie may run on, and it fetches twice as many.
func (x *Index) rank(ctx context.Context, q query.Query, n int) ([]*search.DocumentMatch, int, archive.Facets, error) {
	var facets archive.Facets
	for size := n + 1; ; size *= 2 {
		req := bleve.NewSearchRequestOptions(q, size, 0, false)
		req.SortBy([]string{"-_score"})
		if facets.Lang == nil {
			req.AddFacet(fMeta, bleve.NewFacetRequest(fMeta, facetSize))
		}
		res, err := x.idx.SearchInContext(ctx, req)
		if err != nil {
			return nil, 0, facets, err
		}
		if facets.Lang == nil {
			facets = metaFacets(res.Facets[fMeta])
		}
		hits := res.Hits
		if len(hits) < size || hits[size-1].Score != hits[n-1].Score {
			sort.SliceStable(hits, func(i, j int) bool {
				if hits[i].Score != hits[j].Score {
					return hits[i].Score > hits[j].Score
				}
				return hits[i].ID < hits[j].ID
			})
			return hits, int(res.Total), facets, nil
		}
	}
}

// load fetches the stored fields and locations of the ranked hits.
func (x *Index) load(ctx context.Context, q query.Query, ranked []*search.DocumentMatch) ([]archive.Hit, error) {
	ids := make([]string, len(ranked))
	for i, dm := range ranked {
		ids[i] = dm.ID
	}
	bq := query.NewBooleanQuery([]query.Query{q}, nil, nil)
	bq.AddFilter(query.NewDocIDQuery(ids))
	req := bleve.NewSearchRequestOptions(bq, len(ids), 0, false)
	req.Fields = storedFields
	req.IncludeLocations = true
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	byID := map[string]*search.DocumentMatch{}
	for _, dm := range res.Hits {
		byID[dm.ID] = dm
	}
	hits := make([]archive.Hit, 0, len(ranked))
	for _, r := range ranked {
		if dm, ok := byID[r.ID]; ok {
			h := hit(dm)
			h.Score = r.Score
			hits = append(hits, h)
		}
	}
	return hits, nil
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

// metaFacets splits the counts of lang/speaker pairs into the two facets.
func metaFacets(fr *search.FacetResult) archive.Facets {
	f := archive.Facets{Lang: map[string]int{}, Speaker: map[string]int{}}
	if fr == nil || fr.Terms == nil {
		return f
	}
	for _, t := range fr.Terms.Terms() {
		lang, speaker, _ := strings.Cut(t.Term, metaSep)
		f.Lang[lang] += t.Count
		if speaker != "" {
			f.Speaker[speaker] += t.Count
		}
	}
	return f
}

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
// moments; hits that need a near spelling after every exact one (see
// plan.go).
//
// Each step takes two passes so that only one doc-values field is read
// per hit: the first ranks every hit by score alone (ties broken by
// document id, which starts with the tie-break key, see docID) and counts
// the facets from the combined lang/speaker field; the second loads the
// stored fields and match locations of the page's hits only.
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
	p, err := x.planQuery(ctx, q.Langs, cs, x.automata.forSearch())
	if err != nil {
		return archive.SearchResult{}, fmt.Errorf("bleveindex: search %q: %w", q.Text, err)
	}
	if p == nil {
		return out, nil
	}
	withFilter := func(must []query.Query, mustNot ...query.Query) query.Query {
		bq := query.NewBooleanQuery(must, nil, mustNot)
		if filter != nil {
			bq.AddFilter(filter)
		}
		return ownQuery{bq}
	}
	from, end := (page-1)*perPage, page*perPage
	exact := withFilter([]query.Query{p.exactQuery()})
	ranked, total, facets, err := x.rank(ctx, exact, end)
	if err != nil {
		return archive.SearchResult{}, fmt.Errorf("bleveindex: search %q: %w", q.Text, err)
	}
	ranked = ranked[:min(len(ranked), total)]
	var near query.Query
	var rankedNear []*search.DocumentMatch
	switch {
	case !p.widens():
	case total >= end:
		out.NearSkipped = true
	default:
		near = withFilter([]query.Query{p.nearQuery()}, ownQuery{p.exactQuery()})
		var n int
		var nf archive.Facets
		rankedNear, n, nf, err = x.rank(ctx, near, end-total)
		if err != nil {
			return archive.SearchResult{}, fmt.Errorf("bleveindex: search %q: %w", q.Text, err)
		}
		total += n
		facets = addFacets(facets, nf)
	}
	out.Total, out.Facets = total, facets
	var loaded []archive.Hit
	if from < len(ranked) {
		hs, err := x.load(ctx, exact, ranked[from:min(end, len(ranked))], p)
		if err != nil {
			return archive.SearchResult{}, fmt.Errorf("bleveindex: search %q: %w", q.Text, err)
		}
		loaded = hs
	}
	if nf := max(from-len(ranked), 0); near != nil && nf < len(rankedNear) && len(loaded) < perPage {
		hs, err := x.load(ctx, near, rankedNear[nf:min(nf+perPage-len(loaded), len(rankedNear))], p)
		if err != nil {
			return archive.SearchResult{}, fmt.Errorf("bleveindex: search %q: %w", q.Text, err)
		}
		loaded = append(loaded, hs...)
	}
	out.Hits = append(out.Hits, loaded...)
	out.Corrections = p.corrections(out.Hits)
	return out, nil
}

// addFacets sums the facets of two disjoint sets of hits.
func addFacets(a, b archive.Facets) archive.Facets {
	out := archive.Facets{Lang: map[string]int{}, Speaker: map[string]int{}}
	for _, f := range []archive.Facets{a, b} {
		for k, v := range f.Lang {
			out.Lang[k] += v
		}
		for k, v := range f.Speaker {
			out.Speaker[k] += v
		}
	}
	return out
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

// load fetches the stored fields and locations of the ranked hits. The
// page's ids lead a conjunction, so q's searchers only advance to those
// documents (a boolean query's filter would run q over every hit again,
// with term vectors, and drop all but the page).
func (x *Index) load(ctx context.Context, q query.Query, ranked []*search.DocumentMatch, p *plan) ([]archive.Hit, error) {
	ids := make([]string, len(ranked))
	for i, dm := range ranked {
		ids[i] = dm.ID
	}
	cq := query.NewConjunctionQuery([]query.Query{query.NewDocIDQuery(ids), q})
	req := bleve.NewSearchRequestOptions(cq, len(ids), 0, false)
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
			h := p.hit(dm)
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

func (p *plan) hit(dm *search.DocumentMatch) archive.Hit {
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
	p.mark(&h, dm.Locations[winField(group(h.Lang))], winField(group(h.Lang)))
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

package bleveindex

import (
	"context"
	"strings"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// ownQuery keeps the hits of its query that have a match starting in the
// cue's own text, the window before boundary. A hit whose matches all lie
// in the next cue belongs to that cue, which is a hit of its own. Dropping
// them while searching keeps totals and facets exact.
type ownQuery struct{ query.Query }

func (q ownQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, opts search.SearcherOptions) (search.Searcher, error) {
	opts.IncludeTermVectors = true // the offsets decide
	s, err := q.Query.Searcher(ctx, r, m, opts)
	if err != nil {
		return nil, err
	}
	return ownSearcher{s}, nil
}

type ownSearcher struct{ search.Searcher }

func owned(d *search.DocumentMatch) bool {
	for _, ftl := range d.FieldTermLocations {
		if ftl.Location.Start < boundary && strings.HasPrefix(ftl.Field, "win_") {
			return true
		}
	}
	return false
}

func (s ownSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	for {
		d, err := s.Searcher.Next(ctx)
		if d == nil || err != nil || owned(d) {
			return d, err
		}
		ctx.DocumentMatchPool.Put(d)
	}
}

func (s ownSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	d, err := s.Searcher.Advance(ctx, id)
	if d == nil || err != nil || owned(d) {
		return d, err
	}
	ctx.DocumentMatchPool.Put(d)
	return s.Next(ctx)
}

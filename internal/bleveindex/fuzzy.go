package bleveindex

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/blevesearch/vellum/levenshtein"
)

// automata builds Levenshtein automata. Building one for a term costs
// more than scanning a term dictionary with it, and a query without a
// language filter looks every word up in five fields (one per analyzer
// group), where the analysed term is mostly the same: automata are built
// once per term and search.
type automata struct {
	builders [3]*levenshtein.LevenshteinAutomatonBuilder // by distance 1, 2

	mu   sync.Mutex
	dfas map[string]*levenshtein.DFA // per search; nil in the shared value
}

func newAutomata() (*automata, error) {
	a := &automata{}
	for n := 1; n <= 2; n++ {
		b, err := levenshtein.NewLevenshteinAutomatonBuilder(uint8(n), true)
		if err != nil {
			return nil, fmt.Errorf("bleveindex: levenshtein builder: %w", err)
		}
		a.builders[n] = b
	}
	return a, nil
}

// forSearch returns a cache for one search, sharing the builders.
func (a *automata) forSearch() *automata {
	return &automata{builders: a.builders, dfas: map[string]*levenshtein.DFA{}}
}

func (a *automata) dfa(term string, n int) (*levenshtein.DFA, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	k := string(rune('0'+n)) + term
	if d, ok := a.dfas[k]; ok {
		return d, nil
	}
	d, err := a.builders[n].BuildDfa(term, uint8(n))
	if err != nil {
		return nil, err
	}
	a.dfas[k] = d
	return d, nil
}

// fuzzyQuery matches the field's terms within n typos (transpositions
// count as one) of term, with the first letter fixed: Meilisearch counts a
// typo there as two, and the fixed letter keeps the dictionary scan short.
type fuzzyQuery struct {
	field, term string
	n           int
	boost       float64
	automata    *automata
}

func (q fuzzyQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, opts search.SearcherOptions) (search.Searcher, error) {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok { // the in-memory index: let bleve expand the term
		fq := query.NewFuzzyQuery(q.term)
		fq.SetField(q.field)
		fq.SetFuzziness(q.n)
		fq.SetPrefix(1)
		fq.SetBoost(q.boost)
		return fq.Searcher(ctx, r, m, opts)
	}
	terms, err := q.expand(snap)
	if err != nil {
		return nil, err
	}
	if len(terms) == 0 {
		return query.NewMatchNoneQuery().Searcher(ctx, r, m, opts)
	}
	qs := make([]query.Query, len(terms))
	for i, t := range terms {
		tq := query.NewTermQuery(t)
		tq.SetField(q.field)
		tq.SetBoost(q.boost)
		qs[i] = tq
	}
	return query.NewDisjunctionQuery(qs).Searcher(ctx, r, m, opts)
}

// expand lists the terms of every segment's dictionary that the automaton
// accepts, among those sharing the term's first letter.
func (q fuzzyQuery) expand(snap *scorch.IndexSnapshot) ([]string, error) {
	dfa, err := q.automata.dfa(q.term, q.n)
	if err != nil {
		return nil, err
	}
	_, size := utf8.DecodeRuneInString(q.term)
	from := []byte(q.term[:size])
	to := append([]byte(q.term[:size-1]), q.term[size-1]+1) // first letter's successor: the range end
	seen := map[string]bool{}
	for _, ss := range snap.Segments() {
		dict, err := ss.Segment().Dictionary(q.field)
		if err != nil {
			return nil, err
		}
		it := dict.AutomatonIterator(dfa, from, to)
		for de, err := it.Next(); de != nil || err != nil; de, err = it.Next() {
			if err != nil {
				return nil, err
			}
			seen[de.Term] = true
		}
	}
	terms := make([]string, 0, len(seen))
	for t := range seen {
		terms = append(terms, t)
	}
	sort.Strings(terms)
	return terms, nil
}

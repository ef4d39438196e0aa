package bleveindex

import (
	"context"
	"errors"
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
// once per term and kept, within dfaCacheBytes, for later searches
// (dfacache.go). Typo matching runs only where the query plan needs it
// (plan.go).
//
// Automata are the one part of a search whose memory grows with the
// query (about 72 KiB per letter of a two-typo automaton), so each search
// has a budget: a term is planned for typo matching only while the
// automata planned so far fit in it, and every other term is searched
// exactly. The budget holds whatever the query: see TestAutomataBudget.
type automata struct {
	builders [3]*levenshtein.LevenshteinAutomatonBuilder // by distance 1, 2
	cache    *typoCaches                                 // shared by every search

	mu      sync.Mutex
	planned map[string]bool             // per search; nil in the shared value
	dfas    map[string]*levenshtein.DFA // built so far, all planned
	spent   int                         // estimated bytes of the planned automata
}

// The per-search automaton budget.
const (
	// maxFuzzyRunes: longer words are searched exactly. The longest words
	// of the archive's languages (German compounds such as
	// "Menschenrechtsverletzungen", 26 letters) stay typo-tolerant.
	maxFuzzyRunes = 32
	// maxAutomata bounds the distinct automata of one search, and so the
	// term dictionary scans it makes.
	maxAutomata = 64
	// automataBudget bounds the estimated bytes (dfaCost) of one search's
	// automata: fourteen 24-letter words with two typos each, or any
	// number of words within it; the rest are searched exactly.
	automataBudget = 24 << 20
	// maxExpansions bounds the dictionary terms one automaton may match.
	maxExpansions = 1024
)

// dfaCost is an upper bound on the bytes building the automaton of term
// at distance n allocates. vellum keeps a 1 KiB transition table per
// state; states grow with the letters and, for letters outside ASCII,
// with the distinct UTF-8 prefixes they need (each adds intermediate
// states to every state). TestDFACost checks the bound against the real
// builder on ASCII, Latin, Cyrillic, CJK and astral words.
func dfaCost(term string, n int) int {
	runes, prefixes := 0, map[string]bool{}
	for i, r := range term {
		runes++
		if size := utf8.RuneLen(r); size > 1 && i+size <= len(term) {
			prefixes[term[i:i+size-1]] = true
		}
	}
	perRune := 12 << 10
	if n >= 2 {
		perRune = 96 << 10
	}
	return (runes + 4) * perRune * (1 + 3*len(prefixes))
}

func newAutomata() (*automata, error) {
	a := &automata{cache: newTypoCaches()}
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
	return &automata{builders: a.builders, cache: a.cache, planned: map[string]bool{}, dfas: map[string]*levenshtein.DFA{}}
}

func dfaKey(term string, n int) string { return string(rune('0'+n)) + term }

// plan reserves the automaton of term at distance n within the search's
// budget, and reports whether the term may be matched with typos. A term
// already planned costs nothing more.
func (a *automata) plan(term string, n int) bool {
	if n < 1 || n > 2 || a.planned == nil {
		return false
	}
	if utf8.RuneCountInString(term) > maxFuzzyRunes {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	k := dfaKey(term, n)
	if a.planned[k] {
		return true
	}
	cost := dfaCost(term, n)
	if len(a.planned) >= maxAutomata || a.spent+cost > automataBudget {
		return false
	}
	a.planned[k] = true
	a.spent += cost
	return true
}

// errUnplanned: an automaton was asked for that plan did not reserve.
var errUnplanned = errors.New("bleveindex: automaton not planned")

// dfa builds (once) the automaton plan reserved for term.
func (a *automata) dfa(term string, n int) (*levenshtein.DFA, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	k := dfaKey(term, n)
	if d, ok := a.dfas[k]; ok {
		return d, nil
	}
	if !a.planned[k] {
		return nil, errUnplanned
	}
	d, ok := a.cache.dfas.get(k)
	if !ok {
		var err error
		if d, err = a.builders[n].BuildDfa(term, uint8(n)); err != nil {
			return nil, err
		}
		a.cache.built.Add(1)
		a.cache.dfas.put(k, d, dfaCost(term, n))
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
	q.automata.cache.expanded.Add(1)
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
		// Unplanned, or too large for vellum ("dfa contains more than
		// 10000 states"): the exact term beside this query still
		// matches, so the word is searched exactly.
		return nil, nil
	}
	_, size := utf8.DecodeRuneInString(q.term)
	from := []byte(q.term[:size])
	to := append([]byte(q.term[:size-1]), q.term[size-1]+1) // first letter's successor: the range end
	seen := map[string]bool{}
	for _, ss := range snap.Segments() {
		if len(seen) >= maxExpansions {
			break
		}
		key := expansionKey{seg: ss.Segment(), field: q.field, dfa: dfaKey(q.term, q.n)}
		ts, ok := q.automata.cache.expansions.get(key)
		if !ok {
			q.automata.cache.scanned.Add(1)
			dict, err := ss.Segment().Dictionary(q.field)
			if err != nil {
				return nil, err
			}
			it := dict.AutomatonIterator(dfa, from, to)
			for de, err := it.Next(); de != nil || err != nil; de, err = it.Next() {
				if err != nil {
					return nil, err
				}
				ts = append(ts, de.Term)
				if len(ts) >= maxExpansions {
					break
				}
			}
			q.automata.cache.expansions.put(key, ts, len(ts)+1)
		}
		for _, t := range ts {
			seen[t] = true
			if len(seen) >= maxExpansions {
				break
			}
		}
	}
	terms := make([]string, 0, len(seen))
	for t := range seen {
		terms = append(terms, t)
	}
	sort.Strings(terms)
	return terms, nil
}

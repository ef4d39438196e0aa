package bleveindex

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Query planning. Typo matching is the costly part of a search (an
// automaton per word, a dictionary scan per automaton and field, a
// disjunction over every term it accepts), and its matches rank after the
// exact ones anyway (as on Meilisearch). So a search runs in up to two
// steps:
//
//  1. the exact query: every word as analysed (case, accents, stem),
//     except a word the index holds in none of the searched fields (its
//     terms are looked up in the term dictionary): that word can only
//     match by a near spelling, so it is matched with typos here already
//     ("trafficing" → "trafficking");
//  2. only when step 1 does not fill the requested page: the near query,
//     every word with typos (within the automaton budget), less the hits
//     of step 1. Its hits rank after all of step 1's.
//
// When step 1 fills the page, step 2 is not run and the result says so
// (NearSkipped): Total counts step 1's hits.

// token is one analysed term of a query word in one analyzer group.
type token struct {
	term    string
	word    int    // the clause it came from
	surface string // the word as typed, in lower case
	typos   int
}

// groupPlan is the query of one analyzer group.
type groupPlan struct {
	field, analyzer string
	phrases         []string // quoted phrases, matched exactly
	tokens          []token  // the words' terms, in order
	exact           map[string]bool
}

// plan is one search's query, planned word by word.
type plan struct {
	groups  []groupPlan
	missing map[int]bool // words no searched field holds exactly
	am      *automata
}

// planQuery analyses the clauses in every group of langs (all groups when
// langs is empty) and looks each word's terms up in the term dictionary.
// It returns nil when no group has anything to search (stop words only).
func (x *Index) planQuery(ctx context.Context, langs []string, cs []clause, am *automata) (*plan, error) {
	p := x.analyse(langs, cs, am)
	if p == nil {
		return nil, nil
	}
	if err := x.findMissing(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// analyse builds the plan's groups, every word not yet looked up.
func (x *Index) analyse(langs []string, cs []clause, am *automata) *plan {
	p := &plan{missing: map[int]bool{}, am: am}
	for _, g := range wantGroups(langs) {
		a := x.idx.Mapping().AnalyzerNamed(g)
		if a == nil {
			continue
		}
		gp := groupPlan{field: winField(g), analyzer: g, exact: map[string]bool{}}
		for i, c := range cs {
			toks := a.Analyze([]byte(c.text))
			if c.phrase {
				if len(toks) > 0 {
					gp.phrases = append(gp.phrases, c.text)
				}
				for _, t := range toks {
					gp.exact[string(t.Term)] = true
				}
				continue
			}
			for _, t := range toks {
				w := c.text[t.Start:t.End]
				gp.tokens = append(gp.tokens, token{term: string(t.Term), word: i, surface: strings.ToLower(w), typos: typos(w)})
				gp.exact[string(t.Term)] = true
			}
		}
		if len(gp.phrases)+len(gp.tokens) > 0 {
			p.groups = append(p.groups, gp)
		}
	}
	if len(p.groups) == 0 {
		return nil
	}
	return p
}

// matchQuery is the unplanned query: every word with typos, as every
// search ran before planning (the benchmark's baseline, and the budget
// tests' worst case). nil when nothing is left to search.
func (x *Index) matchQuery(langs []string, cs []clause, am *automata) query.Query {
	p := x.analyse(langs, cs, am)
	if p == nil {
		return nil
	}
	return p.nearQuery()
}

// findMissing marks the words that no group holds all the terms of.
func (x *Index) findMissing(ctx context.Context, p *plan) error {
	adv, err := x.idx.Advanced()
	if err != nil {
		return err
	}
	r, err := adv.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	held := map[int]bool{}    // word → some group holds every term of it
	lacking := map[int]bool{} // (per group, reset below) word → a term is missing
	asked := map[int]bool{}
	for _, gp := range p.groups {
		clear(lacking)
		seen := map[int]bool{}
		for _, t := range gp.tokens {
			seen[t.word] = true
			if lacking[t.word] {
				continue
			}
			ok, err := hasTerm(ctx, r, gp.field, t.term)
			if err != nil {
				return err
			}
			if !ok {
				lacking[t.word] = true
			}
		}
		for w := range seen {
			asked[w] = true
			if !lacking[w] {
				held[w] = true
			}
		}
	}
	for w := range asked {
		if !held[w] {
			p.missing[w] = true
		}
	}
	return nil
}

// hasTerm reports whether some live document holds term in field.
func hasTerm(ctx context.Context, r index.IndexReader, field, term string) (bool, error) {
	tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
	if err != nil {
		return false, err
	}
	defer tfr.Close()
	return tfr.Count() > 0, nil
}

// exactQuery is step 1: words exactly, missing words with typos.
func (p *plan) exactQuery() query.Query {
	return p.query(func(t token) bool { return p.missing[t.word] })
}

// nearQuery is step 2's match: every word with typos.
func (p *plan) nearQuery() query.Query {
	return p.query(func(token) bool { return true })
}

// widens reports whether the near query can match more than the exact
// one: some word that is not missing may be matched with typos.
func (p *plan) widens() bool {
	for _, gp := range p.groups {
		for _, t := range gp.tokens {
			if !p.missing[t.word] && t.typos > 0 && utf8.RuneCountInString(t.term) <= maxFuzzyRunes {
				return true
			}
		}
	}
	return false
}

// query requires, in one group at least, every phrase and every term;
// the terms fuzzy says so for within their typos.
func (p *plan) query(fuzzy func(token) bool) query.Query {
	var qs []query.Query
	for _, gp := range p.groups {
		var must []query.Query
		for _, ph := range gp.phrases {
			pq := query.NewMatchPhraseQuery(ph)
			pq.SetField(gp.field)
			pq.Analyzer = gp.analyzer
			must = append(must, pq)
		}
		for _, t := range gp.tokens {
			n := 0
			if fuzzy(t) {
				n = t.typos
			}
			must = append(must, termQuery(gp.field, t.term, n, p.am))
		}
		qs = append(qs, query.NewConjunctionQuery(must))
	}
	return query.NewDisjunctionQuery(qs)
}

// wantGroups are the analyzer groups of langs, all when langs is empty.
func wantGroups(langs []string) []string {
	if len(langs) == 0 {
		return groups
	}
	var want []string
	seen := map[string]bool{}
	for _, l := range langs {
		if g := group(l); !seen[g] {
			seen[g] = true
			want = append(want, g)
		}
	}
	return want
}

// group is the plan of the group whose field is field, nil if none.
func (p *plan) group(field string) *groupPlan {
	for i := range p.groups {
		if p.groups[i].field == field {
			return &p.groups[i]
		}
	}
	return nil
}

// closest is the query token a near term was matched for: the nearest
// by edit distance, the first of equals.
func (gp *groupPlan) closest(term string) (token, bool) {
	best, bestD := token{}, -1
	for _, t := range gp.tokens {
		if d := archive.EditDistance(t.term, term); bestD < 0 || d < bestD {
			best, bestD = t, d
		}
	}
	return best, bestD >= 0
}

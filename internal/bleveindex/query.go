package bleveindex

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/verbatim-archive/verbatim/internal/archive"
)

// clause is one part of the query text: a word, or a quoted phrase.
type clause struct {
	text   string
	phrase bool
}

// parseText splits the query text into words and "quoted phrases". An
// unclosed quote runs to the end. It fails with archive.ErrInvalid when
// there is nothing to search for.
func parseText(s string) ([]clause, error) {
	var cs []clause
	for i, part := range strings.Split(s, `"`) {
		if i%2 == 1 {
			if hasWordChar(part) {
				cs = append(cs, clause{text: part, phrase: true})
			}
			continue
		}
		for _, w := range strings.Fields(part) {
			if hasWordChar(w) {
				cs = append(cs, clause{text: w})
			}
		}
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("bleveindex: query %q has no words: %w", s, archive.ErrInvalid)
	}
	return cs, nil
}

func hasWordChar(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// typos is Meilisearch's default: one typo from 5 letters, two from 9.
func typos(word string) int {
	switch n := utf8.RuneCountInString(word); {
	case n >= 9:
		return 2
	case n >= 5:
		return 1
	}
	return 0
}

// exactBoost ranks an exact (or same-stem) match above a typo match of
// the same word within one query.
const exactBoost = 3

// termQuery matches the analysed term, or within n typos of it when the
// search's automaton budget allows (else exactly). The fuzzy part also
// matches the exact term, so exact matches score both.
func termQuery(field, term string, n int, am *automata) query.Query {
	tq := query.NewTermQuery(term)
	tq.SetField(field)
	if n == 0 || !am.plan(term, n) {
		return tq
	}
	tq.SetBoost(exactBoost)
	return query.NewDisjunctionQuery([]query.Query{tq, fuzzyQuery{field: field, term: term, n: n, boost: 1, automata: am}})
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// filterQuery is every filter of q, or nil when there is none.
func filterQuery(q archive.SearchQuery) (query.Query, error) {
	var fs []query.Query
	if len(q.Langs) > 0 {
		fs = append(fs, anyTerm(fLang, q.Langs))
	}
	if len(q.Speakers) > 0 {
		fs = append(fs, anyTerm(fSpeaker, q.Speakers))
	}
	for _, f := range []struct{ field, value string }{
		{fRecording, q.RecordingID}, {fEvent, q.Event}, {fKind, string(q.Kind)},
	} {
		if f.value != "" {
			fs = append(fs, anyTerm(f.field, []string{f.value}))
		}
	}
	for _, d := range []string{q.DateFrom, q.DateTo} {
		if d != "" && !dateRE.MatchString(d) {
			return nil, fmt.Errorf("bleveindex: date %q is not YYYY-MM-DD: %w", d, archive.ErrInvalid)
		}
	}
	if q.DateFrom != "" || q.DateTo != "" {
		yes := true
		dq := query.NewTermRangeInclusiveQuery(q.DateFrom, q.DateTo, &yes, &yes)
		dq.SetField(fDate)
		fs = append(fs, dq)
	}
	if len(fs) == 0 {
		return nil, nil
	}
	return query.NewConjunctionQuery(fs), nil
}

func anyTerm(field string, values []string) query.Query {
	qs := make([]query.Query, 0, len(values))
	for _, v := range values {
		tq := query.NewTermQuery(v)
		tq.SetField(field)
		qs = append(qs, tq)
	}
	return query.NewDisjunctionQuery(qs)
}

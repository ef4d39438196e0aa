package archive

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// QueryLimits bound what one search may ask for, so that no query costs
// the index more than a known amount. The program sets them from
// config.Limits (VERBATIM_MAX_QUERY_CHARS, VERBATIM_MAX_QUERY_TERMS); a zero
// field takes the same default as there.
type QueryLimits struct {
	MaxChars int // characters in the query text
	MaxTerms int // words in the query text, quoted phrases included
}

// Query limit defaults, equal to config's.
const (
	DefaultMaxQueryChars = 512
	DefaultMaxQueryTerms = 32
)

// Fixed bounds on the rest of a query: no viewer needs more, and each
// value costs the index a clause.
const (
	// MaxFilterValues is the most languages or speakers one search may
	// filter by.
	MaxFilterValues = 32
	// MaxPage is the deepest results page served (the search page shows
	// links up to it).
	MaxPage = 1000
)

func (l QueryLimits) withDefaults() QueryLimits {
	if l.MaxChars <= 0 {
		l.MaxChars = DefaultMaxQueryChars
	}
	if l.MaxTerms <= 0 {
		l.MaxTerms = DefaultMaxQueryTerms
	}
	return l
}

// QueryLimits is what the Service's searches are held to.
func (s *Service) QueryLimits() QueryLimits { return s.query }

// QueryError says which budget a query is over. It wraps ErrInvalid (a
// 400), and its message names the size and the limit: "query has 57 words;
// at most 32".
type QueryError struct {
	What string // "characters", "words", "languages" or "speakers"
	Got  int
	Max  int
}

func (e *QueryError) Error() string {
	return "archive: search: " + e.message() + ": " + ErrInvalid.Error()
}

func (e *QueryError) message() string {
	return fmt.Sprintf("query has %d %s; at most %d", e.Got, e.What, e.Max)
}

// Unwrap is the archive Error a client is shown: ErrInvalid with the
// message alone ("query has 57 words; at most 32").
func (e *QueryError) Unwrap() error {
	return &Error{Kind: ErrInvalid, Where: "archive: search", Message: e.message()}
}

// Check reports whether text (already trimmed) is within the limits. It
// reads at most MaxChars+1 characters before answering for the length, so
// its cost does not grow with an oversized query beyond one pass to count.
func (l QueryLimits) Check(text string) error {
	l = l.withDefaults()
	if len(text) > l.MaxChars { // bytes ≥ characters: only then count
		if n := utf8.RuneCountInString(text); n > l.MaxChars {
			return &QueryError{What: "characters", Got: n, Max: l.MaxChars}
		}
	}
	if n := countWords(text); n > l.MaxTerms {
		return &QueryError{What: "words", Got: n, Max: l.MaxTerms}
	}
	return nil
}

// checkRest bounds the filters and the page of q.
func checkRest(q SearchQuery) error {
	for _, f := range []struct {
		what string
		n    int
	}{{"languages", len(q.Langs)}, {"speakers", len(q.Speakers)}} {
		if f.n > MaxFilterValues {
			return &QueryError{What: f.what, Got: f.n, Max: MaxFilterValues}
		}
	}
	if q.Page > MaxPage {
		return fmtErr("search", "", ErrInvalid, fmt.Sprintf("page %d is past the last page served (%d)", q.Page, MaxPage))
	}
	return nil
}

// countWords counts what the indexes search for: the space-separated
// words holding a letter or digit, inside quoted phrases as well as out.
func countWords(text string) int {
	n := 0
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return r == '"' || unicode.IsSpace(r) }) {
		if strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			n++
		}
	}
	return n
}

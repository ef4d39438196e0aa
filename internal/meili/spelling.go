package meili

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Near spellings. Meilisearch ranks typo matches after exact ones itself
// (the "typo" ranking rule, after "words": every word must match) but
// does not say which matched word was a typo. The adapter reads it from
// the match positions (showMatchesPosition): a typo match spans the whole
// document word, which then differs from every query word; an exact one
// is the query word itself (a prefix match spans the typed prefix only,
// so it is the query word too), compared the way Meilisearch normalises
// (case and accents folded). A phrase's span covers several words and is
// always exact: Meilisearch allows no typos in phrases.

// queryWords are the words of the query text (as queryText normalised
// it), folded, with each one's lower-case spelling; phrase words are in
// exact only.
type queryWords struct {
	exact map[string]bool // folded words of the query, phrases included
	loose []queryWord     // words outside phrases: those typos may match
}

type queryWord struct{ folded, lower string }

func parseQueryWords(text string) queryWords {
	qw := queryWords{exact: map[string]bool{}}
	for i, part := range strings.Split(text, `"`) {
		for _, sp := range words(part, 0, len(part)) {
			w := part[sp[0]:sp[1]]
			f := fold(w)
			qw.exact[f] = true
			if i%2 == 0 {
				qw.loose = append(qw.loose, queryWord{folded: f, lower: strings.ToLower(w)})
			}
		}
	}
	return qw
}

// fold is w in lower case without accents (NFD, combining marks
// dropped), as Meilisearch's tokenizer normalises Latin script.
func fold(w string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(w)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// near tells whether the document word at a match span is a near
// spelling, and of which query word. A span of several words (a phrase)
// is exact.
func (qw queryWords) near(docWord string, spanWords int) (queryWord, bool) {
	if spanWords != 1 || len(qw.loose) == 0 {
		return queryWord{}, false
	}
	f := fold(docWord)
	if qw.exact[f] {
		return queryWord{}, false
	}
	for _, w := range qw.loose {
		if strings.HasPrefix(f, w.folded) { // a prefix span reaching the word's end
			return queryWord{}, false
		}
	}
	best, bestD := queryWord{}, -1
	for _, w := range qw.loose {
		if d := typoDistance(w.folded, f); d >= 0 && (bestD < 0 || d < bestD) {
			best, bestD = w, d
		}
	}
	// Beyond every word's typo allowance the match is not a typo the
	// adapter can explain: it is left unlabelled, as exact.
	return best, bestD > 0
}

// typoDistance is the typos between query word q and document word w, or
// between q and a prefix of w (Meilisearch allows typos in the prefix of
// the last word), or -1 when more than q's allowance: one typo from 5
// letters, two from 9, as the index settings say.
func typoDistance(q, w string) int {
	n := 0
	switch l := utf8.RuneCountInString(q); {
	case l >= 9:
		n = 2
	case l >= 5:
		n = 1
	}
	best := -1
	rw, lq := []rune(w), utf8.RuneCountInString(q)
	for l := max(lq-n, 1); l <= min(lq+n, len(rw)); l++ {
		if d := archive.EditDistance(q, string(rw[:l])); d <= n && (best < 0 || d < best) {
			best = d
		}
	}
	if d := archive.EditDistance(q, w); d <= n && (best < 0 || d < best) {
		best = d
	}
	return best
}

package server

import (
	"slices"
	"strings"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Near spellings on the search page. The index ranks hits that needed a
// near spelling after the exact ones and says which word matched which;
// the page labels each such hit in words ("near spelling: trafficking"),
// marks its near words with a different mark than exact ones (a wavy
// underline, not only a colour: see app.css), and, when a query word
// matched nothing as spelt, says what was searched instead and offers
// the exact search: the word in quotes, which the indexes match without
// typos.

// spellingNotice is "Showing results for trafficking. Search instead for
// exactly trafficing".
type spellingNotice struct {
	Corrected    string // the query with each corrected word replaced
	CorrectedURL string
	ExactLabel   string
	ExactURL     string
}

func newSpellingNotice(base pageBase, sp searchParams, cs []archive.Spelling) *spellingNotice {
	if len(cs) == 0 {
		return nil
	}
	to := map[string]string{} // query word → its most frequent spelling
	for _, c := range cs {
		if _, ok := to[c.Query]; !ok {
			to[c.Query] = c.Matched
		}
	}
	corrected, exact := rewriteWords(sp.q, to)
	if corrected == sp.q {
		return nil
	}
	return &spellingNotice{
		Corrected:    corrected,
		CorrectedURL: sp.url(func(n *searchParams) { n.q = corrected }),
		ExactLabel:   base.T("search.exactly", sp.q),
		ExactURL:     sp.url(func(n *searchParams) { n.q = exact }),
	}
}

// rewriteWords returns q with each word outside quotes that to names
// (in lower case) replaced by its spelling, and q with each such word
// quoted, which searches it exactly.
func rewriteWords(q string, to map[string]string) (corrected, exact string) {
	var c, e strings.Builder
	for i, part := range strings.Split(q, `"`) {
		if i > 0 {
			c.WriteByte('"')
			e.WriteByte('"')
		}
		if i%2 == 1 {
			c.WriteString(part)
			e.WriteString(part)
			continue
		}
		pos := 0
		for _, w := range words(part) {
			word := part[w[0]:w[1]]
			c.WriteString(part[pos:w[0]])
			e.WriteString(part[pos:w[0]])
			if m, ok := to[strings.ToLower(word)]; ok {
				c.WriteString(m)
				e.WriteString(`"` + word + `"`)
			} else {
				c.WriteString(word)
				e.WriteString(word)
			}
			pos = w[1]
		}
		c.WriteString(part[pos:])
		e.WriteString(part[pos:])
	}
	return c.String(), e.String()
}

// nearLabel says which near spellings a hit matched, "" for an exact one.
func nearLabel(base pageBase, h archive.Hit) string {
	if h.Match != archive.MatchNear {
		return ""
	}
	var ws []string
	for _, s := range h.NearSpellings {
		if !slices.Contains(ws, s.Matched) {
			ws = append(ws, s.Matched)
		}
	}
	if len(ws) == 0 {
		return base.T("search.near.unnamed")
	}
	return base.T("search.near", strings.Join(ws, ", "))
}

package bleveindex

import (
	"cmp"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/search"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// mark fills the hit's highlight, match and near spellings from its term
// locations in field (byte offsets into the analysed window). It builds
// the HTML itself instead of trusting a highlighter with markup.
// Locations past the end of the cue's text belong to the next cue: they
// are not marked, but a near spelling there still makes the hit near.
//
// A term is exact when it is one the query's words or phrases analyse
// to; any other matched term is a near spelling of the query word
// nearest to it.
func (p *plan) mark(h *archive.Hit, tlm search.TermLocationMap, field string) {
	gp := p.group(field)
	var spans []archive.MarkSpan
	type near struct {
		word int
		archive.Spelling
	}
	var nears, later []near // in the cue; in the next cue (indexed terms)
	h.Match = archive.MatchExact
	for term, locs := range tlm {
		exact := gp == nil || gp.exact[term]
		var tok token
		if !exact {
			tok, exact = gp.closest(term)
			exact = !exact
		}
		for _, l := range locs {
			s, e := int(l.Start), int(l.End)
			own := s < e && e <= len(h.Text)
			if own {
				spans = append(spans, archive.MarkSpan{Start: s, End: e, Near: !exact})
			}
			if exact {
				continue
			}
			h.Match = archive.MatchNear
			if !own {
				later = append(later, near{tok.word, archive.Spelling{Query: tok.surface, Matched: term}})
				continue
			}
			n := near{tok.word, archive.Spelling{Query: tok.surface, Matched: strings.ToLower(h.Text[s:e])}}
			if !slices.Contains(nears, n) {
				nears = append(nears, n)
			}
		}
	}
	// A word matched only in the next cue is named by its indexed term
	// (the next cue's text is not stored with this one).
	for _, n := range later {
		if !slices.ContainsFunc(nears, func(o near) bool { return o.word == n.word }) {
			nears = append(nears, n)
		}
	}
	slices.SortFunc(nears, func(a, b near) int {
		return cmp.Or(cmp.Compare(a.word, b.word), cmp.Compare(a.Matched, b.Matched))
	})
	for _, n := range nears {
		h.NearSpellings = append(h.NearSpellings, n.Spelling)
	}
	h.Highlight = archive.HighlightSpans(h.Text, spans)
}

// corrections are the near spellings of the words the index holds in no
// searched field, as the page's hits matched them, the most frequent
// first.
func (p *plan) corrections(hits []archive.Hit) []archive.Spelling {
	missing := map[string]bool{}
	for _, gp := range p.groups {
		for _, t := range gp.tokens {
			if p.missing[t.word] {
				missing[t.surface] = true
			}
		}
	}
	return archive.Corrections(hits, func(s archive.Spelling) bool { return missing[s.Query] })
}

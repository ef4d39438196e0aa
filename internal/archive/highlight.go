package archive

import (
	"html"
	"sort"
	"strings"
	"unicode/utf8"
)

// Mark tags of Hit.Highlight: exact matches, and near spellings.
const (
	MarkOpen     = "<mark>"
	MarkNearOpen = `<mark class="near">`
	MarkClose    = "</mark>"
)

// MarkSpan is a match to mark: byte offsets [Start, End) into a text, and
// whether it matched by a near spelling.
type MarkSpan struct {
	Start, End int
	Near       bool
}

// Highlight is how every Index builds Hit.Highlight from exact matches
// only: HighlightSpans with every span exact.
func Highlight(text string, spans [][2]int) string {
	ss := make([]MarkSpan, len(spans))
	for i, s := range spans {
		ss[i] = MarkSpan{Start: s[0], End: s[1]}
	}
	return HighlightSpans(text, ss)
}

// HighlightSpans is text escaped, the spans wrapped in <mark> (near
// spellings in <mark class="near">). Spans may overlap, come in any order
// or run past the end of text; they are snapped to character boundaries,
// and touching spans of one kind merge (where spans of the two kinds
// overlap, the one that starts first is marked, the exact one at the same
// start), so the result is always valid UTF-8 holding no markup
// but those two opening tags and </mark>.
func HighlightSpans(text string, spans []MarkSpan) string {
	spans = append([]MarkSpan(nil), spans...)
	sort.SliceStable(spans, func(i, j int) bool {
		if spans[i].Start != spans[j].Start {
			return spans[i].Start < spans[j].Start
		}
		return !spans[i].Near && spans[j].Near
	})
	var b strings.Builder
	pos := 0
	for i := 0; i < len(spans); i++ {
		near := spans[i].Near
		s, e := snap(text, max(spans[i].Start, pos), -1), snap(text, spans[i].End, +1)
		for i+1 < len(spans) && spans[i+1].Start <= e && spans[i+1].Near == near { // merge touching marks
			e = max(e, snap(text, spans[i+1].End, +1))
			i++
		}
		if s < pos {
			s = pos
		}
		if s >= e {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:s]))
		if near {
			b.WriteString(MarkNearOpen)
		} else {
			b.WriteString(MarkOpen)
		}
		b.WriteString(html.EscapeString(text[s:e]))
		b.WriteString(MarkClose)
		pos = e
	}
	b.WriteString(html.EscapeString(text[pos:]))
	return b.String()
}

// snap moves i into text and onto a character boundary, backwards (dir -1)
// or forwards (dir +1).
func snap(text string, i, dir int) int {
	i = min(max(i, 0), len(text))
	for i > 0 && i < len(text) && !utf8.RuneStart(text[i]) {
		i += dir
	}
	return i
}

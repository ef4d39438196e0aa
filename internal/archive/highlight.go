package archive

import (
	"html"
	"sort"
	"strings"
	"unicode/utf8"
)

// Highlight is how every Index builds Hit.Highlight: text escaped, the
// spans (byte offsets [start, end) into text) wrapped in <mark>. Spans may
// overlap, come in any order or run past the end of text; they are snapped
// to character boundaries, so the result is always valid UTF-8 holding no
// markup but <mark> and </mark>.
func Highlight(text string, spans [][2]int) string {
	spans = append([][2]int(nil), spans...)
	sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
	var b strings.Builder
	pos := 0
	for i := 0; i < len(spans); i++ {
		s, e := snap(text, max(spans[i][0], pos), -1), snap(text, spans[i][1], +1)
		for i+1 < len(spans) && spans[i+1][0] <= e { // merge touching marks
			e = max(e, snap(text, spans[i+1][1], +1))
			i++
		}
		if s < pos {
			s = pos
		}
		if s >= e {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:s]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[s:e]))
		b.WriteString("</mark>")
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

package bleveindex

import (
	"html"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2/search"
)

// highlight escapes text and wraps the matched terms in <mark>. It builds
// the HTML itself from term locations (byte offsets into the analysed
// field) instead of trusting a highlighter with markup. Locations past the
// end of text belong to the next cue and are left out.
func highlight(text string, tlms ...search.TermLocationMap) string {
	type span struct{ start, end int }
	var spans []span
	for _, tlm := range tlms {
		for _, locs := range tlm {
			for _, l := range locs {
				if s, e := int(l.Start), int(l.End); s < e && e <= len(text) {
					spans = append(spans, span{s, e})
				}
			}
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var b strings.Builder
	pos := 0
	for i := 0; i < len(spans); i++ {
		s, e := spans[i].start, spans[i].end
		if s < pos {
			s = pos // overlaps the previous mark
		}
		for i+1 < len(spans) && spans[i+1].start <= e {
			e = max(e, spans[i+1].end)
			i++
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

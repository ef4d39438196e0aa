package bleveindex

import (
	"github.com/blevesearch/bleve/v2/search"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// highlight escapes text and wraps the matched terms in <mark>. It builds
// the HTML itself from term locations (byte offsets into the analysed
// field) instead of trusting a highlighter with markup. Locations past the
// end of text belong to the next cue and are left out.
func highlight(text string, tlms ...search.TermLocationMap) string {
	var spans [][2]int
	for _, tlm := range tlms {
		for _, locs := range tlm {
			for _, l := range locs {
				if s, e := int(l.Start), int(l.End); s < e && e <= len(text) {
					spans = append(spans, [2]int{s, e})
				}
			}
		}
	}
	return archive.Highlight(text, spans)
}

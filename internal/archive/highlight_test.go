package archive_test

import (
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

func TestHighlight(t *testing.T) {
	for _, c := range []struct {
		text  string
		spans [][2]int
		want  string
	}{
		{"This is a milestone.", [][2]int{{10, 19}}, "This is a <mark>milestone</mark>."},
		{"a <script>", [][2]int{{2, 10}}, "a <mark>&lt;script&gt;</mark>"},
		{"x < y", nil, "x &lt; y"},
		{"Palermo Protocol", [][2]int{{8, 16}, {0, 7}}, "<mark>Palermo</mark> <mark>Protocol</mark>"},
		{"abcdef", [][2]int{{0, 3}, {2, 5}}, "<mark>abcde</mark>f"}, // overlapping
		{"abcdef", [][2]int{{0, 6}, {2, 4}}, "<mark>abcdef</mark>"}, // contained
		{"abc", [][2]int{{1, 99}}, "a<mark>bc</mark>"},              // past the end
		{"Grüße", [][2]int{{3, 4}}, "Gr<mark>ü</mark>ße"},           // splits ü: snapped out
		{"Menschenhandel", [][2]int{{-3, 0}}, "Menschenhandel"},     // empty
	} {
		if got := archive.Highlight(c.text, c.spans); got != c.want {
			t.Errorf("Highlight(%q, %v) = %q; want %q", c.text, c.spans, got, c.want)
		}
	}
}

func TestHighlightSpansNear(t *testing.T) {
	for _, c := range []struct {
		text  string
		spans []archive.MarkSpan
		want  string
	}{
		{"training and traite", []archive.MarkSpan{{Start: 0, End: 8, Near: true}, {Start: 13, End: 19}},
			`<mark class="near">training</mark> and <mark>traite</mark>`},
		// Touching spans of different kinds stay two marks.
		{"abcdef", []archive.MarkSpan{{Start: 0, End: 3}, {Start: 3, End: 6, Near: true}}, `<mark>abc</mark><mark class="near">def</mark>`},
		// At the same start the exact span is marked.
		{"abcdef", []archive.MarkSpan{{Start: 0, End: 6, Near: true}, {Start: 0, End: 6}}, `<mark>abcdef</mark>`},
		{"a<b", []archive.MarkSpan{{Start: 0, End: 3, Near: true}}, `<mark class="near">a&lt;b</mark>`},
	} {
		if got := archive.HighlightSpans(c.text, c.spans); got != c.want {
			t.Errorf("HighlightSpans(%q, %v) = %q; want %q", c.text, c.spans, got, c.want)
		}
	}
}

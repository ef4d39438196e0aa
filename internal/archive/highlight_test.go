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

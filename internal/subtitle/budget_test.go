package subtitle

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestMaxCues: every format's golden file announces m cues, at least the
// n it yields (empty cues are dropped after counting) and at most one
// more; it is accepted with a budget of m and refused with ErrTooLarge
// naming m and the limit with m-1.
func TestMaxCues(t *testing.T) {
	for _, name := range []string{"srt-styled.srt", "vtt-blocks.vtt", "ssa-v4.ssa", "ass-overrides.ass", "ttml-agents.ttml", "stl-basic.stl"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "golden", name))
			if err != nil {
				t.Fatal(err)
			}
			cues, _, err := Parse(data, name, Options{})
			if err != nil {
				t.Fatal(err)
			}
			n := len(cues)
			m := n
			for ; m <= n+1; m++ {
				if _, _, err := Parse(data, name, Options{MaxCues: m}); err == nil {
					break
				}
			}
			if m > n+1 {
				t.Fatalf("%d cues: refused with every budget up to %d", n, n+1)
			}
			_, _, err = Parse(data, name, Options{MaxCues: m - 1})
			var se *Error
			want := "the file has " + itoa(m) + " cue timings, the limit is " + itoa(m-1) + " cues per track"
			if !errors.Is(err, ErrTooLarge) || !errors.As(err, &se) || se.Reason != want {
				t.Errorf("MaxCues %d = %v; want ErrTooLarge %q", m-1, err, want)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

package subtitle

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// Each reader gets its own fuzz target, seeded with that format's test
// inputs, and all go through Parse: the property is that Parse never
// panics, returns either an *Error of a known kind or sorted, timed,
// non-empty cues, and that those cues survive the canonical VTT form.

func FuzzParseSRT(f *testing.F) { fuzzParse(f, "x.srt", ".srt") }
func FuzzParseVTT(f *testing.F) {
	f.Add([]byte("WEBVTT\n\n" + borrowedNote + "\nBob\nMar&amp;ia\n\nid\n00:00:01.000 --> 00:00:02.000\n<v Bob>one</v>\n"))
	fuzzParse(f, "x.vtt", ".vtt")
}
func FuzzParseASS(f *testing.F)  { fuzzParse(f, "x.ass", ".ass", ".ssa") }
func FuzzParseTTML(f *testing.F) { fuzzParse(f, "x.ttml", ".ttml") }

func FuzzParseSTL(f *testing.F) {
	f.Add(makeSTL(f))
	stl := makeSTL(f)
	f.Add(stl[:1024+128]) // a GSI block and a cut-off TTI block
	fuzzParse(f, "x.stl", ".stl")
}

func fuzzParse(f *testing.F, hint string, exts ...string) {
	for _, pattern := range []string{"testdata/golden/*", "../../subtitles/*/*"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range files {
			for _, ext := range exts {
				if strings.HasSuffix(name, ext) {
					f.Add(readFile(f, name))
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cues, _, err := Parse(data, hint, Options{})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !(errors.Is(err, ErrInvalid) || errors.Is(err, ErrNotSubtitle) || errors.Is(err, ErrTooLarge)) {
				t.Fatalf("Parse error %#v is not an *Error of a known kind", err)
			}
			return
		}
		checkCues(t, cues)
		var buf bytes.Buffer
		if err := WriteVTT(&buf, cues); err != nil {
			t.Fatal(err)
		}
		again, _, err := Parse(buf.Bytes(), "x.vtt", Options{})
		if err != nil {
			t.Fatalf("Parse(WriteVTT(cues)) error: %v\n%s", err, buf.String())
		}
		if len(again) != len(cues) {
			t.Fatalf("Parse(WriteVTT(cues)) gave %d cues; want %d\n%s", len(again), len(cues), buf.String())
		}
		for k := range cues {
			a, b := cues[k], again[k]
			if a.Start != b.Start || a.End != b.End || a.Speaker != b.Speaker || a.Text != b.Text || !slices.Equal(a.Borrowed, b.Borrowed) {
				t.Fatalf("cue %d changed in the VTT round trip:\n %#v\n %#v\n%s", k, a, b, buf.String())
			}
		}
	})
}

func checkCues(t *testing.T, cues []Cue) {
	t.Helper()
	if len(cues) == 0 {
		t.Fatal("Parse succeeded with no cues")
	}
	for k, c := range cues {
		if c.Start < 0 || c.End < c.Start {
			t.Fatalf("cue %d has times %v-%v", k, c.Start, c.End)
		}
		if k > 0 && c.Start < cues[k-1].Start {
			t.Fatalf("cue %d starts at %v, before cue %d at %v", k, c.Start, k-1, cues[k-1].Start)
		}
		if strings.TrimSpace(c.Text) == "" || !utf8.ValidString(c.Text) || !utf8.ValidString(c.Styled) {
			t.Fatalf("cue %d has empty or invalid text %q / %q", k, c.Text, c.Styled)
		}
	}
}

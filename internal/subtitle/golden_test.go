package subtitle

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/asticode/go-astisub"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// goldenCue is a Cue as golden files show it: times readable, ms precise.
type goldenCue struct {
	Start   string `json:"start"`
	End     string `json:"end"`
	Speaker string `json:"speaker,omitempty"`
	Text    string `json:"text"`
	Styled  string `json:"styled,omitempty"`
}

type goldenResult struct {
	Format   Format      `json:"format"`
	Encoding string      `json:"encoding"`
	Speakers []string    `json:"speakers"`
	Warnings []Problem   `json:"warnings"`
	Cues     []goldenCue `json:"cues"`
}

func toGolden(cues []Cue, rep Report) goldenResult {
	g := goldenResult{Format: rep.Format, Encoding: rep.Encoding, Speakers: rep.Speakers, Warnings: rep.Warnings}
	for _, c := range cues {
		gc := goldenCue{Start: formatClock(c.Start, "."), End: formatClock(c.End, "."), Speaker: c.Speaker, Text: c.Text}
		if c.Styled != escapeVTT(c.Text) {
			gc.Styled = c.Styled
		}
		g.Cues = append(g.Cues, gc)
	}
	return g
}

// TestGolden parses every input under testdata/golden and compares the
// cues and report with the .json file beside it.
func TestGolden(t *testing.T) {
	if *update {
		writeFile(t, "testdata/golden/stl-basic.stl", makeSTL(t))
	}
	inputs, err := filepath.Glob("testdata/golden/*.*")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[Format]bool{}
	for _, in := range inputs {
		if strings.HasSuffix(in, ".json") {
			continue
		}
		t.Run(filepath.Base(in), func(t *testing.T) {
			data := readFile(t, in)
			cues, rep, err := Parse(data, filepath.Base(in), Options{MediaDuration: time.Minute})
			if err != nil {
				t.Fatalf("Parse(%s) error: %v", in, err)
			}
			seen[rep.Format] = true
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(toGolden(cues, rep)); err != nil {
				t.Fatal(err)
			}
			got := buf.String()
			golden := strings.TrimSuffix(in, filepath.Ext(in)) + ".json"
			if *update {
				writeFile(t, golden, []byte(got))
			}
			want := readFile(t, golden)
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("Parse(%s) differs from %s (-want +got):\n%s", in, golden, diff)
			}
		})
	}
	for _, f := range []Format{FormatSRT, FormatVTT, FormatSSA, FormatASS, FormatTTML, FormatSTL} {
		if !seen[f] {
			t.Errorf("no golden input in format %s", f)
		}
	}
}

// makeSTL builds an EBU STL file with astisub's writer: two cues, one of
// them with a speaker prefix, one starting after the programme start
// timecode.
func makeSTL(tb testing.TB) []byte {
	tb.Helper()
	subs := astisub.NewSubtitles()
	day := time.Date(2021, 1, 25, 0, 0, 0, 0, time.UTC) // fixed, so -update writes the same bytes
	subs.Metadata = &astisub.Metadata{Framerate: 25, Title: "golden", STLTimecodeStartOfProgramme: 10 * time.Hour,
		STLCreationDate: &day, STLRevisionDate: &day}
	add := func(start, end time.Duration, lines ...string) {
		it := &astisub.Item{StartAt: 10*time.Hour + start, EndAt: 10*time.Hour + end}
		for _, l := range lines {
			it.Lines = append(it.Lines, astisub.Line{Items: []astisub.LineItem{{Text: l}}})
		}
		subs.Items = append(subs.Items, it)
	}
	add(time.Second, 3*time.Second, "Tobias Lorentzson: Article 9", "of the Palermo Protocol")
	add(4*time.Second, 6*time.Second, "Größe und Übung")
	var buf bytes.Buffer
	if err := subs.WriteToSTL(&buf); err != nil {
		tb.Fatalf("WriteToSTL: %v", err)
	}
	return buf.Bytes()
}

func readFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func writeFile(tb testing.TB, name string, data []byte) {
	tb.Helper()
	if err := os.WriteFile(name, data, 0o644); err != nil {
		tb.Fatal(err)
	}
}

package subtitle

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const roundTripVTT = `WEBVTT

1
00:00:01.000 --> 00:00:03.500
<v Per-Anders Sunesson>This is a milestone.</v>

2
00:00:04.250 --> 00:00:07.000
<v Tobias Lorentzson><i>Article 9</i> of the
Palermo Protocol &amp; <b>para 5</b></v>

3
00:00:07.000 --> 00:00:09.999
No speaker here, 5 &lt; 6

4
00:01:35.123 --> 01:02:03.456
<v Survivor member (M.)>We know how the system works.</v>
`

// TestRoundTrip converts VTT to SRT to TTML and back to VTT and checks that
// times, text and speakers survive every step.
func TestRoundTrip(t *testing.T) {
	orig := mustParse(t, []byte(roundTripVTT), "in.vtt")
	steps := []struct {
		name  string
		write func(*bytes.Buffer, []Cue) error
	}{
		{"srt", func(b *bytes.Buffer, c []Cue) error { return WriteSRT(b, c) }},
		{"ttml", func(b *bytes.Buffer, c []Cue) error { return WriteTTML(b, c, "en") }},
		{"vtt", func(b *bytes.Buffer, c []Cue) error { return WriteVTT(b, c) }},
	}
	cur := orig
	for _, s := range steps {
		var buf bytes.Buffer
		if err := s.write(&buf, cur); err != nil {
			t.Fatalf("write %s: %v", s.name, err)
		}
		cur = mustParse(t, buf.Bytes(), "out."+s.name)
		if diff := cmp.Diff(orig, cur); diff != "" {
			t.Errorf("after converting to %s, cues differ (-orig +got):\n%s\n%s", s.name, diff, buf.String())
		}
	}
}

// TestSampleTracksRoundTrip parses every sample track, writes it as VTT and
// reads that back unchanged.
func TestSampleTracksRoundTrip(t *testing.T) {
	for _, f := range sampleFiles(t) {
		cues := mustParse(t, readFile(t, f), f)
		var buf bytes.Buffer
		if err := WriteVTT(&buf, cues); err != nil {
			t.Fatal(err)
		}
		again := mustParse(t, buf.Bytes(), "x.vtt")
		if diff := cmp.Diff(cues, again); diff != "" {
			t.Errorf("%s: VTT round trip differs (-parsed +again):\n%s", f, diff)
		}
	}
}

// TestSampleTracks checks the promises subtitles/README.md makes to other
// tests: same timings across languages, every cue within the video, a
// speaker on every cue, and the fixed quotes.
func TestSampleTracks(t *testing.T) {
	recordings := map[string]struct {
		limit time.Duration
		langs []string
	}{
		"hrc47-side-event": {470 * time.Second, []string{"en", "fr", "es", "de"}},
		"istac-launch":     {350 * time.Second, []string{"en", "de", "fr"}},
	}
	tracks := map[string][]Cue{}
	for _, f := range sampleFiles(t) {
		rel, _ := filepath.Rel(filepath.Join("..", "..", "subtitles"), f)
		tracks[strings.TrimSuffix(rel, filepath.Ext(rel))] = mustParse(t, readFile(t, f), f)
	}
	for id, r := range recordings {
		en := tracks[id+"/en"]
		if len(en) < 50 || len(en) > 80 {
			t.Errorf("%s/en has %d cues; want 50-80", id, len(en))
		}
		for _, lang := range r.langs {
			cues := tracks[id+"/"+lang]
			if len(cues) != len(en) {
				t.Fatalf("%s/%s has %d cues, en has %d", id, lang, len(cues), len(en))
			}
			for k, c := range cues {
				if c.Start != en[k].Start || c.End != en[k].End || c.Speaker != en[k].Speaker {
					t.Errorf("%s/%s cue %d = %v-%v %q; en has %v-%v %q", id, lang, k+1, c.Start, c.End, c.Speaker, en[k].Start, en[k].End, en[k].Speaker)
				}
				if c.End > r.limit || c.Speaker == "" {
					t.Errorf("%s/%s cue %d ends at %v (limit %v), speaker %q", id, lang, k+1, c.End, r.limit, c.Speaker)
				}
			}
		}
	}
	istac := func(lang string, k int) Cue { return tracks["istac-launch/"+lang][k-1] }
	checks := []struct {
		cue  Cue
		want string
	}{
		{istac("en", 7), "This is a milestone"},
		{istac("de", 7), "Meilenstein"},
		{istac("en", 17), "Palermo Protocol"},
		{istac("de", 17), "Palermo-Protokolls"},
		{istac("de", 17), "Palermo Protocol"},
		{istac("en", 21), "to discourage the demand"},
		{istac("en", 22), "that fosters all forms"},
	}
	for _, c := range checks {
		if !strings.Contains(strings.ReplaceAll(c.cue.Text, "\n", " "), c.want) {
			t.Errorf("cue at %v = %q; want it to contain %q", c.cue.Start, c.cue.Text, c.want)
		}
	}
	if s := istac("en", 7).Speaker; s != "Per-Anders Sunesson" {
		t.Errorf("milestone cue speaker = %q; want Per-Anders Sunesson", s)
	}
	if s := istac("en", 17).Speaker; s != "Tobias Lorentzson" {
		t.Errorf("Palermo cue speaker = %q; want Tobias Lorentzson", s)
	}
	active := false
	for _, c := range tracks["hrc47-side-event/de"] {
		active = active || c.Start <= 95*time.Second && c.End > 95*time.Second
	}
	if !active {
		t.Error("no German hrc47 cue is active at 95 s")
	}
}

func sampleFiles(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "subtitles", "*", "*.*"))
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if formatFromName(f) != "" {
			out = append(out, f)
		}
	}
	if len(out) < 7 {
		tb.Fatalf("found %d sample tracks; want at least 7", len(out))
	}
	return out
}

func mustParse(tb testing.TB, data []byte, name string) []Cue {
	tb.Helper()
	cues, _, err := Parse(data, name, Options{})
	if err != nil {
		tb.Fatalf("Parse(%s): %v", name, err)
	}
	return cues
}

// TestSampleManifest checks subtitles/manifest.json against the tracks:
// every file exists and parses, and every speaker in a track is a speaker
// of the recording.
func TestSampleManifest(t *testing.T) {
	var m struct {
		Recordings []struct {
			ID       string `json:"id"`
			Media    string `json:"media"`
			Speakers []struct {
				ID, Name, Visibility string
			} `json:"speakers"`
			Tracks []struct {
				Lang, File, Kind, Source string
			} `json:"tracks"`
		} `json:"recordings"`
	}
	dir := filepath.Join("..", "..", "subtitles")
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, "manifest.json")), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Recordings) != 2 {
		t.Fatalf("manifest has %d recordings; want 2", len(m.Recordings))
	}
	for _, r := range m.Recordings {
		names := map[string]bool{}
		for _, s := range r.Speakers {
			names[s.Name] = true
		}
		for _, tr := range r.Tracks {
			cues := mustParse(t, readFile(t, filepath.Join(dir, tr.File)), tr.File)
			for _, s := range Speakers(cues) {
				if !names[s] {
					t.Errorf("%s: speaker %q is not in the manifest of %s", tr.File, s, r.ID)
				}
			}
			if tr.Kind != "original" && tr.Kind != "interpretation" || tr.Source != "human" {
				t.Errorf("%s: kind %q source %q", tr.File, tr.Kind, tr.Source)
			}
		}
	}
}

// TestParseConcurrent parses the sample tracks from many goroutines at once;
// under -race it shows Parse shares no state.
func TestParseConcurrent(t *testing.T) {
	files := sampleFiles(t)
	for _, f := range files {
		data := readFile(t, f)
		want := mustParse(t, data, f)
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			for range 3 {
				if got := mustParse(t, data, f); !cmp.Equal(got, want) {
					t.Errorf("Parse(%s) differs between runs", f)
				}
			}
		})
	}
}

package server

import (
	"html/template"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/i18n"
	"github.com/verbatim-archive/verbatim/web"
)

func TestCueMarks(t *testing.T) {
	cues := []archive.Cue{
		{StartMS: 1000, Text: "We meet in parallel to the 47th session of the Human Rights Council"},
		{StartMS: 5000, Text: "and the 79th session of the CEDAW Committee in Geneva."},
		{StartMS: 9000, Text: "Human rights, again."},
	}
	texts := map[int]string{0: cues[0].Text, 1: cues[1].Text, 2: cues[2].Text}
	tests := []struct {
		name string
		q    string
		hits []archive.Hit
		want map[int]template.HTML
	}{
		{"phrase across two cues: the rest marked in the next", `"Human Rights Council and the 79th session"`,
			[]archive.Hit{{StartMS: 1000, Highlight: "We meet in parallel to the 47th session of the <mark>Human</mark> <mark>Rights</mark> <mark>Council</mark>"}},
			map[int]template.HTML{
				0: "We meet in parallel to the 47th session of the <mark>Human</mark> <mark>Rights</mark> <mark>Council</mark>",
				1: "<mark>and the 79th session</mark> of the CEDAW Committee in Geneva.",
			}},
		{"phrase inside one cue: the next is untouched", `"Human Rights"`,
			[]archive.Hit{{StartMS: 1000, Highlight: "We meet in parallel to the 47th session of the <mark>Human Rights</mark> Council"}},
			map[int]template.HTML{0: "We meet in parallel to the 47th session of the <mark>Human Rights</mark> Council"}},
		{"words, not a phrase: nothing runs on", `Human Council`,
			[]archive.Hit{{StartMS: 1000, Highlight: "We meet in parallel to the 47th session of the <mark>Human</mark> Rights <mark>Council</mark>"}},
			map[int]template.HTML{0: "We meet in parallel to the 47th session of the <mark>Human</mark> Rights <mark>Council</mark>"}},
		{"a highlight that is not the shown text is not used", `rights`,
			[]archive.Hit{{StartMS: 9000, Highlight: "<mark>Human</mark> rights, once more."}},
			map[int]template.HTML{}},
		{"a highlight with other markup is not used", `rights`,
			[]archive.Hit{{StartMS: 9000, Highlight: `<b>Human</b> rights, again.`}},
			map[int]template.HTML{}},
	}
	for _, tt := range tests {
		got := cueMarks(tt.q, cues, texts, tt.hits)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: cueMarks(%q) (-want +got):\n%s", tt.name, tt.q, diff)
		}
	}
}

func TestWords(t *testing.T) {
	got := []string{}
	s := "l'Europe, co-sponsor — 79th «traite» -x"
	for _, w := range words(s) {
		got = append(got, s[w[0]:w[1]])
	}
	want := []string{"l'Europe", "co-sponsor", "79th", "traite", "x"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("words(%q) (-want +got):\n%s", s, diff)
	}
}

func TestMatchesNav(t *testing.T) {
	base := pageBase{UI: testTranslator(t, "en")}
	hits := []archive.Hit{{StartMS: 10_000}, {StartMS: 45_500}, {StartMS: 90_000}}
	m := matchesNav(base, "r", "en", watchParams{startMS: 45_500, q: `"human rights"`}, hits)
	want := matchNav{
		Query: `"human rights"`, Count: 3,
		Text:       "3 matches for “human rights” in this language, marked on the timeline.",
		Prev:       "/watch/r?lang=en&q=%22human+rights%22&t=10",
		Next:       "/watch/r?lang=en&q=%22human+rights%22&t=90",
		ResultsURL: "/search?q=%22human+rights%22",
	}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("matchesNav at 45.5 s (-want +got):\n%s", diff)
	}
	if m := matchesNav(base, "r", "en", watchParams{startMS: 0, q: "x"}, hits); m.Prev != "" || m.Next != "/watch/r?lang=en&q=x&t=10" {
		t.Errorf("matchesNav at 0 s: prev %q next %q; want none and the first match", m.Prev, m.Next)
	}
}

func TestTurnsOf(t *testing.T) {
	cues := []archive.Cue{{StartMS: 0, Speaker: "A"}, {StartMS: 1000, Speaker: "A"}, {StartMS: 2000, Speaker: "B"}, {StartMS: 3000}, {StartMS: 4000, Speaker: "A"}}
	got := turnsOf("r", "en", cues)
	want := []speakerTurns{
		{Name: "A", Turns: []turn{{"0:00", "/watch/r?lang=en&t=0", "0"}, {"0:04", "/watch/r?lang=en&t=4", "4"}}},
		{Name: "B", Turns: []turn{{"0:02", "/watch/r?lang=en&t=2", "2"}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("turnsOf (-want +got):\n%s", diff)
	}
}

func testTranslator(t *testing.T, lang string) *i18n.Translator {
	t.Helper()
	b, err := i18n.Load(web.Catalogs(), "en")
	if err != nil {
		t.Fatal(err)
	}
	return b.Translator(lang)
}

// Turns are drawn to the recording's length, not the last cue's end: a
// turn at 1:49 of 6:00 starts at 30 % of the strip.
func TestSegmentsOf(t *testing.T) {
	cues := []archive.Cue{{StartMS: 0, EndMS: 4000}, {StartMS: 109_000, EndMS: 112_000, Speaker: "A"}, {StartMS: 112_000, EndMS: 120_000, Speaker: "A"}, {StartMS: 120_000, EndMS: 126_000, Speaker: "B"}}
	got := segmentsOf(cues, 360_000)
	want := []segment{{X: "302.8", W: "30.6", Sec: "109", Name: "A", Shade: 0}, {X: "333.3", W: "16.7", Sec: "120", Name: "B", Shade: 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("segmentsOf (-want +got):\n%s", diff)
	}
	if got := segmentsOf(cues, 0); got != nil {
		t.Errorf("segmentsOf with no length = %v; want none", got)
	}
}

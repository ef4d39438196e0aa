package cite

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var accessed = time.Date(2026, 12, 2, 23, 30, 0, 0, time.FixedZone("UTC-5", -5*3600)) // December 3 in UTC

var cases = map[string]Quote{
	// An interpretation, one named speaker with a role.
	"one_speaker": {
		Words:    "Survivors must be heard,\nnot only counted.",
		Speakers: []Speaker{{Name: "Maria Lopez", Role: "Special Rapporteur"}},
		Title:    "Side event on trafficking in human beings", Event: "HRC 47", Date: "2021-07-01", Place: "Geneva",
		About: "English interpretation of a statement made in French; transcribed by a person",
		Start: "1:35", End: "1:41", URL: "https://verbatim.example/watch/hrc47-side-event?end=101&lang=en&t=95",
		Site: "Verbatim", Accessed: accessed,
	},
	// Two speakers, one with a hyphenated given name; Markdown's own
	// characters in the words and title.
	"two_speakers": {
		Words: "Thank you, *Chair*. [Applause] We_start now.",
		Speakers: []Speaker{
			{Name: "Jean-Pierre Dupont", Role: "Chair"},
			{Name: "Ana Real"},
		},
		Title: "Launch of the ISTAC [council]", Event: "OSCE/ODIHR launch", Date: "2021-01-25", Place: "Warsaw",
		About: "original statement in English, as spoken; transcription checked by an editor",
		Start: "1:02:03", End: "1:02:30", URL: "https://verbatim.example/watch/istac-launch?end=3750&lang=en&t=3723",
		Site: "Verbatim", Accessed: accessed,
	},
	// An anonymised speaker: the pseudonym is never inverted; no date,
	// no place, the event the same as the title.
	"anonymised": {
		Words:    "I was recruited with a false promise.",
		Speakers: []Speaker{{Name: "Member A", Anonymised: true}},
		Title:    "Survivors' panel", Event: "Survivors' panel",
		About: "Spanish interpretation; machine transcription, not checked",
		Start: "0:04", End: "0:06", URL: "https://verbatim.example/watch/panel?end=6&lang=es&t=4",
		Site: "Verbatim", Accessed: accessed,
	},
}

func TestFormatGolden(t *testing.T) {
	for name, q := range cases {
		c := Format(q)
		for style, got := range map[string]string{"plain": c.Plain, "markdown": c.Markdown, "apa": c.APA, "chicago": c.Chicago} {
			path := filepath.Join("testdata", name+"."+style+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/cite -update to write it)", err)
			}
			if diff := cmp.Diff(string(want), got+"\n"); diff != "" {
				t.Errorf("Format(%s).%s mismatch (-want +got):\n%s", name, style, diff)
			}
		}
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct{ in, initialled, inverted string }{
		{"Maria Lopez", "Lopez, M.", "Lopez, Maria"},
		{"Jean-Pierre Dupont", "Dupont, J.-P.", "Dupont, Jean-Pierre"},
		{"Ana María Real", "Real, A. M.", "Real, Ana María"},
		{"UNODC", "UNODC", "UNODC"},
		{"élodie Durand", "Durand, É.", "Durand, élodie"},
	} {
		if got := initialled(tc.in); got != tc.initialled {
			t.Errorf("initialled(%q) = %q; want %q", tc.in, got, tc.initialled)
		}
		if got := inverted(tc.in); got != tc.inverted {
			t.Errorf("inverted(%q) = %q; want %q", tc.in, got, tc.inverted)
		}
	}
}

// Without speakers (their words withheld since), the work leads.
func TestFormatNoSpeakers(t *testing.T) {
	q := cases["one_speaker"]
	q.Words, q.Speakers = "", nil
	c := Format(q)
	want := Citations{
		Plain:    "Side event on trafficking in human beings, HRC 47, Geneva, July 1, 2021, 1:35–1:41. English interpretation of a statement made in French; transcribed by a person. https://verbatim.example/watch/hrc47-side-event?end=101&lang=en&t=95 (accessed 2026-12-03).",
		Markdown: "*Side event on trafficking in human beings*, HRC 47, Geneva, July 1, 2021, [1:35–1:41](https://verbatim.example/watch/hrc47-side-event?end=101&lang=en&t=95). English interpretation of a statement made in French; transcribed by a person. Accessed 2026-12-03.",
		APA:      "Side event on trafficking in human beings [Video; 1:35–1:41; English interpretation of a statement made in French; transcribed by a person]. (2021, July 1). HRC 47, Geneva. Verbatim. Retrieved December 3, 2026, from https://verbatim.example/watch/hrc47-side-event?end=101&lang=en&t=95",
		Chicago:  "“Side event on trafficking in human beings.” 2021. HRC 47, Geneva, July 1. Video, 1:35–1:41. English interpretation of a statement made in French; transcribed by a person. Verbatim. Accessed December 3, 2026. https://verbatim.example/watch/hrc47-side-event?end=101&lang=en&t=95.",
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("Format without speakers mismatch (-want +got):\n%s", diff)
	}
}

func TestSeries(t *testing.T) {
	for _, tc := range []struct {
		names []string
		conj  string
		want  string
	}{
		{nil, "&", ""},
		{[]string{"Lopez, M."}, "&", "Lopez, M."},
		{[]string{"Lopez, M.", "Real, A."}, "&", "Lopez, M., & Real, A."},
		{[]string{"Lopez, Maria", "Ana Real", "Member A"}, "and", "Lopez, Maria, Ana Real, and Member A"},
	} {
		if got := series(tc.names, tc.conj); got != tc.want {
			t.Errorf("series(%q, %q) = %q; want %q", tc.names, tc.conj, got, tc.want)
		}
	}
}

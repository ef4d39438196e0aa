package bleveindex

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/google/go-cmp/cmp"
	"github.com/verbatim-archive/verbatim/internal/corpus"
)

// TestWindowAnalyzer: the window analyzer's tokens are the group
// analyzer's tokens of the whole window (terms, byte offsets, positions,
// types), for every window of a generated archive in four languages and
// for edge cases: stop words and punctuation at either end of the
// boundary, no next cue, a cue of boundary bytes or longer, accents and
// apostrophes, and text in a language without its own analyzer.
func TestWindowAnalyzer(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	type win struct{ group, text string }
	var ws []win
	g, err := corpus.New(corpus.Config{Seed: 5, Hours: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	for r := range g.Recordings() {
		for _, d := range r.Docs() {
			ws = append(ws, win{group(d.Lang), window(d.Text, d.Next)})
		}
	}
	long := strings.Repeat("word ", 120)
	for _, c := range []struct{ lang, text, next string }{
		{"en", "It is the", "and of the matter."},
		{"en", "The delegate's — said:", "«quotes» and 1,500 dollars"},
		{"fr", "l'assemblée générale", "d'aujourd'hui, et"},
		{"de", "Straße und Grüße", "über Änderungen"},
		{"es", "¿Qué año?", "¡Señor!"},
		{"en", "no next cue", ""},
		{"en", long, "next"},
		{"en", long[:boundary-1], "next"},
		{"en", long[:boundary-2] + "x", "next"},
		{"pt", "a sessão começa", "às três horas"},
		{"ja", "会議は", "始まります"},
	} {
		ws = append(ws, win{group(c.lang), window(c.text, c.next)})
	}
	for _, w := range ws {
		whole := m.AnalyzerNamed(w.group)
		split := m.AnalyzerNamed(winAnalyzer(w.group))
		if split == nil {
			t.Fatalf("no analyzer %q", winAnalyzer(w.group))
		}
		want, got := tokens(whole.Analyze([]byte(w.text))), tokens(split.Analyze([]byte(w.text)))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s window %q: tokens differ from the group analyzer's (-want +got):\n%s", w.group, w.text, diff)
		}
	}
}

type tok struct {
	Term                 string
	Start, End, Position int
	Type                 analysis.TokenType
}

func tokens(ts analysis.TokenStream) []tok {
	out := make([]tok, len(ts))
	for i, t := range ts {
		out[i] = tok{string(t.Term), t.Start, t.End, t.Position, t.Type}
	}
	return out
}

// TestMappingReopens: the mapping as bleve stores it builds again, as
// when an index is opened: bleve builds the custom analyzers in map order,
// which varies, and the window analyzers must not depend on it.
func TestMappingReopens(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		var back mapping.IndexMappingImpl
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatalf("the stored mapping does not build: %v", err)
		}
	}
}

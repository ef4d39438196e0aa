package archive

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/subtitle"
)

func TestRewriter(t *testing.T) {
	w := newRewriter()
	w.add("Maria Lopez", "[name withheld]")
	w.add("Maria", "[name withheld]")
	w.add("Ana Real", "Member A")
	w.add("Quetzalpan", "[redacted]")
	w.done()
	tests := []struct {
		in    string
		plain bool
		want  string
	}{
		{"Thank you MARIA LOPEZ.", true, "Thank you [name withheld]."},
		{"maría\nlópez and Maria  Lopez", true, "[name withheld] and [name withheld]"},
		{"Banana and Anastasia Realm", true, "Banana and Anastasia Realm"},
		{"Ana <b>Real</b> is here, and <i>Maria</i> Lopez too.", false, "Member A<b></b> is here, and <i>[name withheld]</i> too."},
		{"Ma<i>ria</i> L&amp;opez", false, "[name withheld]<i></i> L&amp;opez"},
		{"from QUETZALPAN &lt;3", false, "from [redacted] &lt;3"},
		{"Mariam", true, "Mariam"},
		{"Lo\u0301pez, Maria", true, "Lo\u0301pez, [name withheld]"},
	}
	for _, tt := range tests {
		if got := w.apply(tt.in, tt.plain); got != tt.want {
			t.Errorf("apply(%q, %v) = %q; want %q", tt.in, tt.plain, got, tt.want)
		}
	}
	if got := plainOf("Ana <b>x</b> &amp;\n  y  "); got != "Ana x &\ny" {
		t.Errorf("plainOf = %q", got)
	}
}

// benchCues is a track of n two-speaker cues with styled text.
func benchCues(n int) []subtitle.Cue {
	cues := make([]subtitle.Cue, n)
	for k := range cues {
		a := subtitle.Span{Speaker: "Bob Named", Text: fmt.Sprintf("Cue %d: we thank the council for its work on article %d.", k, k%40), Styled: fmt.Sprintf("Cue %d: we thank the <i>council</i> for its work on article %d.", k, k%40)}
		b := subtitle.Span{Speaker: "Maria Lopez", Text: "I spoke to Ana Real about it.", Styled: "I spoke to Ana Real about it."}
		cues[k] = subtitle.Cue{Start: time.Duration(k) * time.Second, End: time.Duration(k)*time.Second + 900*time.Millisecond, Spans: []subtitle.Span{a, b}}
		cues[k].Speaker, cues[k].Text, cues[k].Styled = subtitle.JoinSpans(cues[k].Spans)
	}
	return cues
}

// The viewer against its peer, the editor's unfiltered conversion of the
// same cues: the ratio is what deciding per span, matching names and
// redacting costs on every viewer read.
func BenchmarkViewerCues(b *testing.B) {
	cues := benchCues(10000)
	rec := Recording{Status: StatusPublished, Speakers: []Speaker{{ID: "bob-named", Name: "Bob Named", Visibility: VisibilityNamed},
		{ID: "maria-lopez", Name: "Maria Lopez", Visibility: VisibilityHidden, Aliases: []string{"Maria", "Ms Lopez"}},
		{ID: "ana-real", Name: "Ana Real", Visibility: VisibilityAnonymised, Pseudonym: "Member A"}}}
	for i := range 50 {
		rec.Redactions = append(rec.Redactions, Redaction{Text: fmt.Sprintf("place %d", i)})
	}
	now := time.Now()
	b.Run("viewer", func(b *testing.B) {
		for b.Loop() {
			if out := newViewer(rec, now).cues(cues); len(out) != len(cues) || strings.Contains(out[0].Text, "Ana") {
				b.Fatal("wrong result")
			}
		}
	})
	b.Run("editor", func(b *testing.B) {
		for b.Loop() {
			if out := fromSubtitle(cues); len(out) != len(cues) {
				b.Fatal("wrong result")
			}
		}
	})
}

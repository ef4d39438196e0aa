package subtitle

import (
	"bytes"
	"testing"
	"time"

	"github.com/asticode/go-astisub"
	"github.com/google/go-cmp/cmp"
)

// Every format keeps a second speaker inside a cue as their own span:
// consent is decided per span, so no reader may fold Maria's words into
// Bob's.
func TestSpansPerSpeaker(t *testing.T) {
	bobMaria := []Span{{Speaker: "Bob Named", Text: "Over to you.", Styled: "Over to you."}, {Speaker: "Maria Lopez", Text: "secret words", Styled: "secret words"}}
	tests := []struct {
		name string
		file string
		data []byte
		want []Span
	}{
		{"vtt same line", "a.vtt", []byte("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Bob Named>Over to you.</v> <v Maria Lopez>secret words</v>\n"), bobMaria},
		{"vtt second line", "a.vtt", []byte("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Bob Named>Over to you.\n<v Maria Lopez>secret words\n"), bobMaria},
		{"vtt label line", "a.vtt", []byte("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Bob Named>Over to you.\nMaria Lopez: secret words\n"), bobMaria},
		{"srt dashes", "a.srt", []byte("1\n00:00:01,000 --> 00:00:02,000\n- Bob Named: Over to you.\n- Maria Lopez: secret words\n"), bobMaria},
		{"ass name and label", "a.ass", []byte("[Script Info]\nScriptType: v4.00+\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\nDialogue: 0,0:00:01.00,0:00:02.00,Default,Bob Named,0,0,0,,Over to you.\\NMaria Lopez: secret words\n"), bobMaria},
		{"ttml nested agent", "a.ttml", []byte(`<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttm="http://www.w3.org/ns/ttml#metadata"><head><metadata>
<ttm:agent xml:id="b"><ttm:name>Bob Named</ttm:name></ttm:agent><ttm:agent xml:id="m"><ttm:name>Maria Lopez</ttm:name></ttm:agent></metadata></head>
<body><div><p begin="00:00:01.000" end="00:00:02.000" ttm:agent="b">Over to you. <span ttm:agent="m">secret words</span></p></div></body></tt>`), bobMaria},
		{"ttml back to the first agent", "a.ttml", []byte(`<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttm="http://www.w3.org/ns/ttml#metadata"><body><div><p begin="1s" end="2s" ttm:agent="b">one <span ttm:agent="m">two</span> three</p></div></body></tt>`),
			[]Span{{Speaker: "b", Text: "one", Styled: "one"}, {Speaker: "m", Text: "two", Styled: "two"}, {Speaker: "b", Text: "three", Styled: "three"}}},
		{"stl dashes", "a.stl", stlWith(t, "- Bob Named: Over to you.", "- Maria Lopez: secret words"), bobMaria},
		{"srt same speaker labelled twice", "a.srt", []byte("1\n00:00:01,000 --> 00:00:02,000\nBob Named: Over to you.\n0:0:0,0\nBob Named: .\n"),
			[]Span{{Speaker: "Bob Named", Text: "Over to you.\n0:0:0,0", Styled: "Over to you.\n0:0:0,0"}, {Speaker: "Bob Named", Text: ".", Styled: "."}}},
		{"srt a label-like line after a repeated label", "a.srt", []byte("1\n00:00:01,000 --> 00:00:02,000\nBob Named: one\nBob Named: Nt : .\n"),
			[]Span{{Speaker: "Bob Named", Text: "one", Styled: "one"}, {Speaker: "Bob Named", Text: "Nt : .", Styled: "Nt : ."}}},
		{"vtt same voice again on the next line", "a.vtt", []byte("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Bob Named>one</v>\n<v Bob Named>two</v>\n"),
			[]Span{{Speaker: "Bob Named", Text: "one", Styled: "one"}, {Speaker: "Bob Named", Text: "two", Styled: "two"}}},
		{"styles stay balanced per span", "a.vtt", []byte("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Bob Named><i>Over to you.</v> <v Maria Lopez>secret</i> words</v>\n"),
			[]Span{{Speaker: "Bob Named", Text: "Over to you.", Styled: "<i>Over to you.</i>"}, {Speaker: "Maria Lopez", Text: "secret words", Styled: "secret words"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cues, rep, err := Parse(tt.data, tt.file, Options{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(cues) != 1 {
				t.Fatalf("Parse gave %d cues; want 1", len(cues))
			}
			if diff := cmp.Diff(tt.want, cues[0].Spans); diff != "" {
				t.Errorf("spans differ (-want +got):\n%s", diff)
			}
			for _, sp := range tt.want {
				found := false
				for _, s := range rep.Speakers {
					found = found || s == sp.Speaker
				}
				if !found {
					t.Errorf("report speakers %q lack %q", rep.Speakers, sp.Speaker)
				}
			}
			// The stored form (our WebVTT) must give the same spans back.
			var buf bytes.Buffer
			if err := WriteVTT(&buf, cues); err != nil {
				t.Fatal(err)
			}
			again, _, err := Parse(buf.Bytes(), "t.vtt", Options{})
			if err != nil {
				t.Fatalf("Parse(WriteVTT): %v\n%s", err, buf.String())
			}
			if diff := cmp.Diff(cues[0].Spans, again[0].Spans); diff != "" {
				t.Errorf("spans after a round trip through WriteVTT differ (-want +got):\n%s\n%s", diff, buf.String())
			}
		})
	}
}

func TestJoinSpans(t *testing.T) {
	sp, text, styled := JoinSpans([]Span{{Speaker: "A", Text: "x < y", Styled: ""}, {Speaker: "B", Text: "two", Styled: "<i>two</i>"}, {Speaker: "B", Text: "more", Styled: "more"}})
	if sp != "A" || text != "x < y\nB: two\nmore" || styled != "x &lt; y\nB: <i>two</i>\nmore" {
		t.Errorf("JoinSpans = %q, %q, %q", sp, text, styled)
	}
}

func stlWith(tb testing.TB, lines ...string) []byte {
	tb.Helper()
	subs := astisub.NewSubtitles()
	day := time.Date(2021, 1, 25, 0, 0, 0, 0, time.UTC)
	subs.Metadata = &astisub.Metadata{Framerate: 25, Title: "turns", STLCreationDate: &day, STLRevisionDate: &day}
	it := &astisub.Item{StartAt: time.Second, EndAt: 2 * time.Second}
	for _, l := range lines {
		it.Lines = append(it.Lines, astisub.Line{Items: []astisub.LineItem{{Text: l}}})
	}
	subs.Items = append(subs.Items, it)
	var buf bytes.Buffer
	if err := subs.WriteToSTL(&buf); err != nil {
		tb.Fatalf("WriteToSTL: %v", err)
	}
	return buf.Bytes()
}

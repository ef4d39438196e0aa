package subtitle

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func sec(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

func TestShift(t *testing.T) {
	cues := []Cue{{Start: sec(1), End: sec(2), Text: "a"}, {Start: sec(3), End: sec(4), Text: "b"}}
	tests := []struct {
		d       time.Duration
		want    []Cue
		wantErr bool
	}{
		{sec(1.5), []Cue{{Start: sec(2.5), End: sec(3.5), Text: "a"}, {Start: sec(4.5), End: sec(5.5), Text: "b"}}, false},
		{-sec(1), []Cue{{Start: 0, End: sec(1), Text: "a"}, {Start: sec(2), End: sec(3), Text: "b"}}, false},
		{-sec(1.001), nil, true},
	}
	for _, tt := range tests {
		got, err := Shift(cues, tt.d)
		if (err != nil) != tt.wantErr || err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("Shift(%v) error = %v; want error %v (ErrInvalid)", tt.d, err, tt.wantErr)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Shift(%v) (-want +got):\n%s", tt.d, diff)
		}
	}
	if cues[0].Start != sec(1) {
		t.Errorf("Shift changed its input: %v", cues[0])
	}
}

func TestLinear(t *testing.T) {
	// A track timed at 25 fps played at 23.976 fps drifts by 25/23.976.
	cues := []Cue{{Start: sec(10), End: sec(12)}, {Start: sec(3600), End: sec(3602)}}
	got, err := Linear(cues, sec(10), sec(10), sec(3600), sec(3600*25/23.976))
	if err != nil {
		t.Fatal(err)
	}
	want := []Cue{{Start: sec(10), End: sec(12.086)}, {Start: sec(3753.754), End: sec(3755.839)}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Linear (-want +got):\n%s", diff)
	}
	for _, bad := range [][4]time.Duration{
		{sec(5), sec(1), sec(5), sec(2)},    // same reference point twice
		{sec(1), sec(2), sec(5), sec(1)},    // reverses time
		{sec(20), sec(0), sec(30), sec(10)}, // first cue lands before 0
	} {
		if _, err := Linear(cues, bad[0], bad[1], bad[2], bad[3]); !errors.Is(err, ErrInvalid) {
			t.Errorf("Linear(%v) error = %v; want ErrInvalid", bad, err)
		}
	}
}

func TestBorrowSpeakers(t *testing.T) {
	ref := []Cue{
		{Start: sec(0), End: sec(4), Speaker: "Moderator"},
		{Start: sec(4), End: sec(9), Speaker: "Sunesson"},
		{Start: sec(9), End: sec(10), Speaker: ""},
		{Start: sec(20), End: sec(60), Speaker: "Lorentzson"}, // long cue, starts well before a target
	}
	target := []Cue{
		{Start: sec(1), End: sec(3)},                  // inside Moderator
		{Start: sec(3), End: sec(8)},                  // 1 s Moderator, 4 s Sunesson
		{Start: sec(2), End: sec(6), Speaker: "Kept"}, // has a speaker already
		{Start: sec(9.2), End: sec(9.8)},              // only an unnamed reference cue
		{Start: sec(50), End: sec(52)},                // inside the long cue
		{Start: sec(100), End: sec(101)},              // nothing
		{Start: sec(3.5), End: sec(4.5)},              // a tie: the earlier cue wins
	}
	got := BorrowSpeakers(target, ref)
	want := []string{"Moderator", "Sunesson", "Kept", "", "Lorentzson", "", "Moderator"}
	var speakers []string
	for _, c := range got {
		speakers = append(speakers, c.Speaker)
	}
	if diff := cmp.Diff(want, speakers); diff != "" {
		t.Errorf("BorrowSpeakers speakers (-want +got):\n%s", diff)
	}
	if target[0].Speaker != "" {
		t.Error("BorrowSpeakers changed its input")
	}
}

func TestWriters(t *testing.T) {
	cues := []Cue{
		{Start: sec(95.4), End: sec(97.5), Speaker: "Per-Anders Sunesson", Text: "This is\na milestone."},
		{Start: sec(3725), End: sec(3726), Text: "a --> b & <c>\n\n"},
	}
	tests := []struct {
		name  string
		write func(*bytes.Buffer) error
		want  string
	}{
		{"text", func(b *bytes.Buffer) error { return WriteText(b, cues) },
			"[00:01:35] Per-Anders Sunesson: This is a milestone.\n[01:02:05] a --> b & <c>\n"},
		{"vtt", func(b *bytes.Buffer) error { return WriteVTT(b, cues) },
			"WEBVTT\n\n00:01:35.400 --> 00:01:37.500\n<v Per-Anders Sunesson>This is\na milestone.</v>\n\n01:02:05.000 --> 01:02:06.000\na --&gt; b &amp; &lt;c&gt;\n"},
		{"srt", func(b *bytes.Buffer) error { return WriteSRT(b, cues) },
			"1\n00:01:35,400 --> 00:01:37,500\nPer-Anders Sunesson: This is\na milestone.\n\n2\n01:02:05,000 --> 01:02:06,000\na -> b & <c>\n"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if err := tt.write(&buf); err != nil {
			t.Fatalf("Write %s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, buf.String()); diff != "" {
			t.Errorf("Write %s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// An interpreted cue cannot be split by turn: whoever speaks in the
// reference cues it overlaps may be speaking in it, so all of them are
// kept, not only the first speaker of the cue overlapping most.
func TestBorrowSpeakersKeepsEveryOverlappingSpeaker(t *testing.T) {
	ref := []Cue{
		{Start: sec(0), End: sec(4), Speaker: "Bob", Spans: []Span{{Speaker: "Bob", Text: "over to you"}, {Speaker: "Maria", Text: "secret"}}},
		{Start: sec(4), End: sec(9), Speaker: "Sunesson"},
		{Start: sec(9), End: sec(10), Spans: []Span{{Text: "unnamed"}, {Speaker: "Ana", Text: "named later"}}},
		{Start: sec(12), End: sec(12), Speaker: "Zed"}, // no duration
	}
	tests := []struct {
		name         string
		cue          Cue
		speaker      string
		wantBorrowed []string
	}{
		{"inside a cue of two speakers", Cue{Start: sec(1), End: sec(3)}, "Bob", []string{"Bob", "Maria"}},
		{"across two cues", Cue{Start: sec(3), End: sec(8)}, "Sunesson", []string{"Bob", "Maria", "Sunesson"}},
		{"a later turn's speaker", Cue{Start: sec(9.2), End: sec(9.8)}, "Ana", []string{"Ana"}},
		{"a reference cue of no duration inside", Cue{Start: sec(11.5), End: sec(13)}, "Zed", []string{"Zed"}},
		{"a cue of no duration", Cue{Start: sec(3.5), End: sec(3.5)}, "Bob", []string{"Bob", "Maria"}},
		{"a cue of no duration where one ends and one starts", Cue{Start: sec(4), End: sec(4)}, "Sunesson", []string{"Sunesson"}},
		{"borrowed before: borrowed again", Cue{Start: sec(5), End: sec(6), Speaker: "Old", Borrowed: []string{"Old"}}, "Sunesson", []string{"Sunesson"}},
		{"its own speaker", Cue{Start: sec(1), End: sec(3), Speaker: "Kept"}, "Kept", nil},
		{"its own speaker in a later turn", Cue{Start: sec(1), End: sec(3), Spans: []Span{{Text: "a"}, {Speaker: "Own", Text: "b"}}}, "", nil},
		{"nothing overlaps", Cue{Start: sec(100), End: sec(101)}, "", nil},
	}
	for _, tt := range tests {
		got := BorrowSpeakers([]Cue{tt.cue}, ref)[0]
		if got.Speaker != tt.speaker || !slices.Equal(got.Borrowed, tt.wantBorrowed) {
			t.Errorf("%s: BorrowSpeakers gives speaker %q, borrowed %q; want %q, %q", tt.name, got.Speaker, got.Borrowed, tt.speaker, tt.wantBorrowed)
		}
	}
	spanned := BorrowSpeakers([]Cue{{Start: sec(1), End: sec(3), Spans: []Span{{Text: "a"}, {Text: "b"}}}}, ref)[0]
	for _, s := range spanned.Spans {
		if s.Speaker != "Bob" {
			t.Errorf("a borrowed cue's span has speaker %q; want Bob", s.Speaker)
		}
	}
}

// Tracks are stored as WebVTT: the borrowed speakers must read back from
// it, whatever characters their names hold, and only from the note
// WriteVTT writes, just before its cue.
func TestBorrowedSurvivesVTT(t *testing.T) {
	cues := []Cue{
		{Start: sec(1), End: sec(2), Speaker: "Bob", Text: "one", Borrowed: []string{"Bob", "María <b> & --> x", "Ana\nReal"}},
		{Start: sec(3), End: sec(4), Text: "two"},
		{Start: sec(5), End: sec(6), Speaker: "Bob", Text: "three", Borrowed: []string{"Bob"}},
	}
	var buf bytes.Buffer
	if err := WriteVTT(&buf, cues); err != nil {
		t.Fatal(err)
	}
	got, _, err := Parse(buf.Bytes(), "x.vtt", Options{})
	if err != nil {
		t.Fatalf("Parse(WriteVTT): %v\n%s", err, buf.String())
	}
	want := [][]string{{"Bob", "María <b> & --> x", "Ana Real"}, nil, {"Bob"}}
	for k, c := range got {
		if !slices.Equal(c.Borrowed, want[k]) {
			t.Errorf("cue %d borrowed %q after the VTT round trip; want %q\n%s", k, c.Borrowed, want[k], buf.String())
		}
	}

	withID := strings.Replace(buf.String(), "\n00:00:05.000", "\ncue-3\n00:00:05.000", 1)
	other := "WEBVTT\n\nNOTE any comment\nMaria\n\n00:00:01.000 --> 00:00:02.000\none\n\n" + borrowedNote + "\nMaria\n\n00:00:02.000 --> 00:00:03.000\ntwo\n\n00:00:03.000 --> 00:00:04.000\nthree\n"
	for _, tt := range []struct {
		name, vtt string
		want      [][]string
	}{
		{"a cue identifier between", withID, want},
		{"only our note, only before its cue", other, [][]string{nil, {"Maria"}, nil}},
	} {
		got, _, err := Parse([]byte(tt.vtt), "x.vtt", Options{})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		for k, c := range got {
			if !slices.Equal(c.Borrowed, tt.want[k]) {
				t.Errorf("%s: cue %d borrowed %q; want %q", tt.name, k, c.Borrowed, tt.want[k])
			}
		}
	}
}

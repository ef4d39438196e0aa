package subtitle

import "testing"

func TestStripSource(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<i>Hello</i> <b>world</b>", "Hello world"},
		{"{\\an8}Top{\\i1} text", "Top text"},
		{"a < b and c > d", "a < b and c > d"},
		{"x <<i>y</i>", "x <y"},
		{"5 &lt; 6 &amp; &quot;q&quot;&nbsp;!", `5 < 6 & "q" !`},
		{"unclosed <i", "unclosed <i"},
	}
	for _, tt := range tests {
		if got := stripSource(tt.in); got != tt.want {
			t.Errorf("stripSource(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestJoinRuns(t *testing.T) {
	tests := []struct {
		runs        []run
		src         string
		plain, html string
	}{
		// astisub dropped the space between the tags; the source has it.
		{[]run{{text: "Hello", i: true}, {text: "world", b: true}}, "Hello world", "Hello world", "<i>Hello</i> <b>world</b>"},
		// no space in the source: one word styled in two parts.
		{[]run{{text: "Hel"}, {text: "lo", i: true}}, "Hello", "Hello", "Hel<i>lo</i>"},
		// runs not found in the source: separate two words, not punctuation.
		{[]run{{text: "end"}, {text: "."}}, "???", "end.", "end."},
		{[]run{{text: "two"}, {text: "words"}}, "???", "two words", "two words"},
		// an empty source means whitespace was kept: join as is.
		{[]run{{text: "a"}, {text: "b"}}, "", "ab", "ab"},
		{[]run{{text: "x < y & z"}}, "", "x < y & z", "x &lt; y &amp; z"},
	}
	for _, tt := range tests {
		cursor := 0
		plain, styled := joinRuns(tt.runs, tt.src, &cursor)
		if plain != tt.plain || styled != tt.html {
			t.Errorf("joinRuns(%v, %q) = %q, %q; want %q, %q", tt.runs, tt.src, plain, styled, tt.plain, tt.html)
		}
	}
}

func TestIsSpeakerName(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Per-Anders Sunesson", true},
		{"Representative of France", true},
		{"OHCHR representative", true},
		{"Survivor member (M.)", true},
		{"MAN", true},
		{"OSCE/ODIHR representative", true},
		{"This is the point", false},
		{"Article 9", false},
		{"http", false},
		{"a", false},
		{"One Two Three Four Five Six Seven", false},
	}
	for _, tt := range tests {
		if got := isSpeakerName(tt.in); got != tt.want {
			t.Errorf("isSpeakerName(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

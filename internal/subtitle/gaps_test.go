package subtitle

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asticode/go-astisub"
)

// TestAstisubGaps records, input by input, what plain astisub v0.45.0 does
// wrong and what Parse does instead. If astisub fixes one, its half of the
// test fails and the workaround here can go.
func TestAstisubGaps(t *testing.T) {
	longLine := "1\n00:00:01,000 --> 00:00:02,000\n" + strings.Repeat("x", 70000) + "\n\n2\n00:00:03,000 --> 00:00:04,000\nlost\n"
	noBlank := "00:00:01,000 --> 00:00:02,000\nfirst\n00:00:03,000 --> 00:00:04,000\nsecond\n"
	ttml := `<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttm="http://www.w3.org/ns/ttml#metadata"><body><div>
<p begin="00:00:01.000" end="00:00:02.000" ttm:agent="a">Das ist
    ein Meilenstein</p></div></body></tt>`
	tests := []struct {
		name   string
		peer   func() (string, error) // astisub's reading, summarised
		peerIs string                 // what astisub gives
		oursIs string                 // what Parse gives
		ours   func() string
	}{
		{
			name: "line over 64 KiB: astisub stops there without an error",
			peer: func() (string, error) {
				s, err := astisub.ReadFromSRT(strings.NewReader(longLine))
				return itemCount(s), err
			},
			peerIs: "1 items", // of 2
			ours:   func() string { return parseSummary(longLine) },
			oursIs: "error: line 3: line is 70000 bytes long, the limit is 65536",
		},
		{
			name: "SRT without blank lines: astisub drops text",
			peer: func() (string, error) {
				s, err := astisub.ReadFromSRT(strings.NewReader(noBlank))
				return firstItem(s), err
			},
			peerIs: "",
			ours:   func() string { return parseSummary(noBlank) },
			oursIs: "first|second",
		},
		{
			name: "TTML: astisub glues words on different source lines",
			peer: func() (string, error) {
				s, err := astisub.ReadFromTTML(strings.NewReader(ttml))
				return firstItem(s), err
			},
			peerIs: "Das istein Meilenstein",
			ours:   func() string { return parseSummary(ttml) },
			oursIs: "a: Das ist ein Meilenstein",
		},
		{
			name: "TTML: astisub drops nested spans and glues sibling spans",
			peer: func() (string, error) {
				s, err := astisub.ReadFromTTML(strings.NewReader(nestedTTML))
				return firstItem(s), err
			},
			peerIs: "Nested  textb",
			ours:   func() string { return parseSummary(nestedTTML) },
			oursIs: "Nested inner text b",
		},
		{
			name: "Windows-1252: astisub rejects the file",
			peer: func() (string, error) {
				s, err := astisub.ReadFromSRT(strings.NewReader(string(cp1252("1\n00:00:01,000 --> 00:00:02,000\nGröße\n"))))
				return itemCount(s), err
			},
			peerIs: "error",
			ours:   func() string { return parseSummary(string(cp1252("1\n00:00:01,000 --> 00:00:02,000\nGröße\n"))) },
			oursIs: "Größe",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.peer()
			if err != nil {
				got = "error"
			}
			if got != tt.peerIs {
				t.Errorf("astisub gives %q; this test expects astisub's known gap %q", got, tt.peerIs)
			}
			if ours := tt.ours(); ours != tt.oursIs {
				t.Errorf("Parse gives %q; want %q", ours, tt.oursIs)
			}
		})
	}
}

const nestedTTML = `<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="00:00:01.000" end="00:00:02.000"><span>Nested <span>inner</span> text</span> <span>b</span></p></div></body></tt>`

// TestAstisubTTMLPanics shows astisub's TTML reader panicking on a <p>
// without begin, or timed by dur, which Parse reports as an error or reads.
func TestAstisubTTMLPanics(t *testing.T) {
	noBegin := `<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p end="00:00:02.000">x</p></div></body></tt>`
	withDur := `<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="1s" dur="1.5s">x</p></div></body></tt>`
	for _, in := range []string{noBegin, withDur} {
		_, err := readWith("ttml", func() (*astisub.Subtitles, error) { return astisub.ReadFromTTML(strings.NewReader(in)) })
		if err == nil || !strings.Contains(err.Error(), "cannot read") {
			t.Errorf("astisub.ReadFromTTML(%s) behind recover = %v; want the recovered panic", in, err)
		}
	}
	if _, _, err := Parse([]byte(noBegin), "x.ttml", Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Parse(no begin) = %v; want ErrInvalid", err)
	}
	cues, _, err := Parse([]byte(withDur), "x.ttml", Options{})
	if err != nil || len(cues) != 1 || cues[0].End != 2500*time.Millisecond {
		t.Errorf("Parse(dur) = %v, %v; want one cue ending at 2.5s", cues, err)
	}
}

func itemCount(s *astisub.Subtitles) string {
	if s == nil {
		return "nil"
	}
	return strconv.Itoa(len(s.Items)) + " items"
}

func firstItem(s *astisub.Subtitles) string {
	if s == nil || len(s.Items) == 0 {
		return "none"
	}
	return s.Items[0].String()
}

// parseSummary is "speaker: text|…" for the cues of a file, or the error.
func parseSummary(in string) string {
	cues, _, err := Parse([]byte(in), "", Options{})
	if err != nil {
		return "error: " + err.Error()
	}
	var parts []string
	for _, c := range cues {
		s := c.Text
		if c.Speaker != "" {
			s = c.Speaker + ": " + s
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "|")
}

package subtitle

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/asticode/go-astisub"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/charmap"
)

// want describes the outcome of one nasty input: either an error (kind,
// line and a piece of the reason) or some facts about the cues and report.
type want struct {
	kind     error
	line     int
	reason   string
	texts    []string // cue texts, in order
	speakers []string // cue speakers, in order ("" for none)
	encoding string
	warn     string // a piece of some warning
}

func TestParseNasty(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		hint string
		opts Options
		want want
	}{
		{
			name: "windows-1252 German with umlauts and CRLF",
			data: cp1252("1\r\n00:00:01,000 --> 00:00:02,000\r\nGröße und Übermaß – „gut“\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nWeiß €5\r\n"),
			hint: "de.srt",
			want: want{texts: []string{"Größe und Übermaß – „gut“", "Weiß €5"}, encoding: encCP1252},
		},
		{
			name: "UTF-16LE with BOM",
			data: utf16Bytes("1\r\n00:00:01,000 --> 00:00:02,500\r\nÇa marche, 你好\r\n", binary.LittleEndian, true),
			hint: "fr.srt",
			want: want{texts: []string{"Ça marche, 你好"}, encoding: encUTF16LE},
		},
		{
			name: "UTF-16BE without BOM",
			data: utf16Bytes("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Anna>Grüß Gott\n", binary.BigEndian, false),
			hint: "de.vtt",
			want: want{texts: []string{"Grüß Gott"}, speakers: []string{"Anna"}, encoding: encUTF16BE},
		},
		{
			name: "ISO-8859-1 Spanish",
			data: latin1("1\n00:00:01,000 --> 00:00:02,000\n¿Qué tal, señoría? Año\n"),
			hint: "es.srt",
			want: want{texts: []string{"¿Qué tal, señoría? Año"}, encoding: encCP1252},
		},
		{
			name: "ISO-8859-15 with euro and oe ligature",
			data: latin9("1\n00:00:01,000 --> 00:00:02,000\nLe cœur coûte 20 € !\n"),
			hint: "fr.srt",
			want: want{texts: []string{"Le cœur coûte 20 € !"}, encoding: encLatin9},
		},
		{
			name: "SRT without cue numbers or blank lines",
			data: []byte("00:00:01,000 --> 00:00:02,000\nfirst\n00:00:03,000 --> 00:00:04,000\nsecond\n3\n00:00:05,000 --> 00:00:06,000\nthird\n"),
			want: want{texts: []string{"first", "second", "third"}},
		},
		{
			name: "lone CR line endings",
			data: []byte("1\r00:00:01,000 --> 00:00:02,000\rOld Mac file\r\r2\r00:00:03,000 --> 00:00:04,000\rsecond\r"),
			want: want{texts: []string{"Old Mac file", "second"}},
		},
		{
			name: "ASS with override tags, \\N and Comment lines",
			data: []byte(assHeader + "Comment: 0,0:00:00.00,0:00:05.00,Default,,0,0,0,,hidden note\nComment: malformed\n" +
				"Dialogue: 0,0:00:01.00,0:00:02.00,Default,Anna,0,0,0,,{\\an8}{\\i1}Hallo{\\i0} Welt\\Nzweite Zeile\n"),
			hint: "x.ass",
			want: want{texts: []string{"Hallo Welt\nzweite Zeile"}, speakers: []string{"Anna"}},
		},
		{
			name: "WebVTT with NOTE, STYLE, REGION, settings and non-numeric ids",
			data: []byte("WEBVTT\n\nNOTE a note\n\nSTYLE\n::cue { color: red }\n\nREGION\nid:r1\nwidth:40%\n\nfirst cue\n00:01.000 --> 00:02.000 region:r1 align:left\nHello\n\n00:00:03.000 --> 00:00:04.000 region:unknown\nWorld\n"),
			want: want{texts: []string{"Hello", "World"}, warn: "cue settings"},
		},
		{
			name: "WebVTT from an HLS segment",
			data: []byte("WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:900000\n\n00:00:01.000 --> 00:00:02.000\nsegment\n"),
			want: want{texts: []string{"segment"}, warn: "X-TIMESTAMP-MAP ignored"},
		},
		{
			name: "multi-line voice spans",
			data: []byte("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v.loud Per-Anders Sunesson>This is\na milestone.</v>\n\n00:00:04.000 --> 00:00:05.000\n<v Anna>one\n<v Ben>two\n"),
			want: want{texts: []string{"This is\na milestone.", "one\nBen: two"}, speakers: []string{"Per-Anders Sunesson", "Anna"}},
		},
		{
			name: "italic and bold words are not glued",
			data: []byte("1\n00:00:01,000 --> 00:00:02,000\n<i>Hello</i> <b>world</b>\n"),
			want: want{texts: []string{"Hello world"}},
		},
		{
			name: "timing line with no end time",
			data: []byte("1\n00:00:01,000 --> 00:00:02,000\nfine\n\n2\n00:00:03,000 -->\nbroken\n"),
			want: want{kind: ErrInvalid, line: 6, reason: "no end time"},
		},
		{
			name: "end before start",
			data: []byte("WEBVTT\n\n00:00:05.000 --> 00:00:04.000\nbackwards\n"),
			want: want{kind: ErrInvalid, line: 3, reason: "end time before start time"},
		},
		{
			name: "end before start in ASS",
			data: []byte(assHeader + "Dialogue: 0,0:00:05.00,0:00:04.00,Default,,0,0,0,,backwards\n"),
			want: want{kind: ErrInvalid, line: 6, reason: "end time before start time"},
		},
		{
			name: "ASS dialogue with too few fields",
			data: []byte(assHeader + "Dialogue: 0,0:00:01.00,0:00:02.00,Default\n"),
			want: want{kind: ErrInvalid, line: 6, reason: "has 4 fields"},
		},
		{
			name: "unreadable timing",
			data: []byte("1\n00:00:01,000 --> 00:00:02,000\nfine\n\n2\n00:0x:03,000 --> 00:00:04,000\nbad\n"),
			want: want{kind: ErrInvalid, line: 6, reason: "unreadable start time"},
		},
		{
			name: "line over 64 KiB",
			data: []byte("1\n00:00:01,000 --> 00:00:02,000\nshort\n\n2\n00:00:03,000 --> 00:00:04,000\n" + strings.Repeat("x", 70000) + "\n\n3\n00:00:05,000 --> 00:00:06,000\nlost by astisub\n"),
			want: want{kind: ErrInvalid, line: 7, reason: "limit is 65536"},
		},
		{
			name: "PNG renamed to .srt",
			data: append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...),
			hint: "movie.srt",
			want: want{kind: ErrNotSubtitle, reason: "image/png"},
		},
		{
			name: "HTML page",
			data: []byte("<!DOCTYPE html><html><body>00:00:01,000 --> 00:00:02,000</body></html>"),
			hint: "x.ttml",
			want: want{kind: ErrNotSubtitle, reason: "<html>"},
		},
		{
			name: "plain prose",
			data: []byte("Dear editor,\nhere is the transcript.\n"),
			want: want{kind: ErrNotSubtitle},
		},
		{
			name: "empty file",
			data: []byte("\xEF\xBB\xBF \n"),
			want: want{kind: ErrInvalid, reason: "empty"},
		},
		{
			name: "WebVTT header and no cues",
			data: []byte("WEBVTT\n\nNOTE nothing here\n"),
			want: want{kind: ErrInvalid, reason: "no cues"},
		},
		{
			name: "only empty cues",
			data: []byte("1\n00:00:01,000 --> 00:00:02,000\n<i> </i>\n"),
			want: want{kind: ErrInvalid, reason: "no cues"},
		},
		{
			name: "too large",
			data: []byte("1\n00:00:01,000 --> 00:00:02,000\nhello\n"),
			opts: Options{MaxBytes: 10},
			want: want{kind: ErrTooLarge},
		},
		{
			name: "TTML p without begin (astisub panics)",
			data: []byte(`<tt xmlns="http://www.w3.org/ns/ttml"><body><div>` + "\n" + `<p end="00:00:02.000">x</p></div></body></tt>`),
			want: want{kind: ErrInvalid, line: 2, reason: "no begin time"},
		},
		{
			name: "TTML malformed",
			data: []byte("<tt xmlns=\"http://www.w3.org/ns/ttml\"><body><div>\n<p begin=\"1s\" end=\"2s\">x</div></body></tt>"),
			want: want{kind: ErrInvalid, line: 2, reason: "malformed XML"},
		},
		{
			name: "unsorted, overlapping, empty and late cues are accepted with warnings",
			data: []byte("1\n00:00:05,000 --> 00:00:07,000\nsecond\n\n2\n00:00:01,000 --> 00:00:06,000\nfirst\n\n3\n00:00:08,000 --> 00:00:09,000\n\n\n4\n00:00:10,000 --> 00:00:12,000\nlate\n"),
			opts: Options{MediaDuration: 11 * time.Second},
			want: want{texts: []string{"first", "second", "late"}, warn: "sorted"},
		},
		{
			name: "SRT content named .vtt",
			data: []byte("1\n00:00:01,000 --> 00:00:02,000\nhello\n"),
			hint: "en.vtt",
			want: want{texts: []string{"hello"}, warn: "file name says vtt"},
		},
		{
			name: "speaker prefixes",
			data: []byte("1\n00:00:01,000 --> 00:00:02,000\n- Survivor member (M.): We know.\n\n2\n00:00:03,000 --> 00:00:04,000\nNote the time: 10:30\n\n3\n00:00:05,000 --> 00:00:06,000\nTOBIAS LORENTZSON:\nArticle 9.\n\n4\n00:00:07,000 --> 00:00:08,000\nhttp://example.org: a link\n"),
			want: want{
				texts:    []string{"We know.", "Note the time: 10:30", "Article 9.", "http://example.org: a link"},
				speakers: []string{"Survivor member (M.)", "", "TOBIAS LORENTZSON", ""},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cues, rep, err := Parse(tt.data, tt.hint, tt.opts)
			checkOutcome(t, tt.want, cues, rep, err)
		})
	}
}

func checkOutcome(t *testing.T, w want, cues []Cue, rep Report, err error) {
	t.Helper()
	if w.kind != nil {
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, w.kind) || e.Line != w.line || !strings.Contains(e.Reason, w.reason) {
			t.Fatalf("Parse error = %#v; want kind %v, line %d, reason containing %q", err, w.kind, w.line, w.reason)
		}
		return
	}
	if err != nil {
		t.Fatalf("Parse error = %v; want success", err)
	}
	var texts, speakers []string
	for _, c := range cues {
		texts = append(texts, c.Text)
		speakers = append(speakers, c.Speaker)
	}
	if diff := cmp.Diff(w.texts, texts); diff != "" {
		t.Errorf("cue texts differ (-want +got):\n%s", diff)
	}
	if w.speakers != nil {
		if diff := cmp.Diff(w.speakers, speakers); diff != "" {
			t.Errorf("cue speakers differ (-want +got):\n%s", diff)
		}
	}
	if w.encoding != "" && rep.Encoding != w.encoding {
		t.Errorf("Report.Encoding = %q; want %q", rep.Encoding, w.encoding)
	}
	if w.warn != "" && !hasWarning(rep, w.warn) {
		t.Errorf("Report.Warnings = %v; want one containing %q", rep.Warnings, w.warn)
	}
}

func hasWarning(rep Report, piece string) bool {
	for _, p := range rep.Warnings {
		if strings.Contains(p.Reason, piece) {
			return true
		}
	}
	return false
}

// TestParseWarnings checks each warning kind and its line on one file.
func TestParseWarnings(t *testing.T) {
	data := []byte("1\n00:00:05,000 --> 00:00:07,000\nsecond\n\n2\n00:00:01,000 --> 00:00:06,000\nfirst\n\n3\n00:00:08,000 --> 00:00:09,000\n\n\n4\n00:00:10,000 --> 00:00:12,000\nlate\n")
	_, rep, err := Parse(data, "x.srt", Options{MediaDuration: 11 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	want := []Problem{
		{Line: 10, Reason: "empty cue dropped"},
		{Line: 6, Reason: "cues are not in time order; they were sorted"},
		{Line: 2, Reason: "cue starting at 00:00:05.000 overlaps the previous cue, which ends at 00:00:06.000"},
		{Line: 14, Reason: "cue ends at 00:00:12.000, after the end of the media at 00:00:11.000"},
	}
	if diff := cmp.Diff(want, rep.Warnings); diff != "" {
		t.Errorf("Parse warnings differ (-want +got):\n%s", diff)
	}
}

// TestParseWarningsCapped checks that a file with many overlaps lists a
// bounded number of them and a summary.
func TestParseWarningsCapped(t *testing.T) {
	var sb strings.Builder
	for k := range 100 {
		sb.WriteString(formatClock(time.Duration(k)*time.Second, ",") + " --> " + formatClock(time.Duration(k+2)*time.Second, ",") + "\noverlap\n\n")
	}
	_, rep, err := Parse([]byte(sb.String()), "x.srt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) != maxListed+1 || !strings.Contains(rep.Warnings[maxListed].Reason, "79 more") {
		t.Errorf("Parse of 99 overlaps gave %d warnings, last %v; want %d and a summary of 79 more", len(rep.Warnings), rep.Warnings[len(rep.Warnings)-1], maxListed+1)
	}
}

// TestReadWithRecovers checks that a panicking reader becomes an error.
func TestReadWithRecovers(t *testing.T) {
	_, err := readWith("test", func() (*astisub.Subtitles, error) { panic("boom") })
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) || !strings.Contains(e.Reason, "boom") {
		t.Errorf("readWith(panicking reader) = %v; want an ErrInvalid naming the panic", err)
	}
}

const assHeader = "[Script Info]\nScriptType: v4.00+\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"

// cp1252 and latin9 return nil if s has a character the code page lacks,
// which makes the test case fail visibly.
func cp1252(s string) []byte { return encodeWith(charmap.Windows1252, s) }

func latin9(s string) []byte { return encodeWith(charmap.ISO8859_15, s) }

func encodeWith(cm *charmap.Charmap, s string) []byte {
	b, err := cm.NewEncoder().Bytes([]byte(s))
	if err != nil {
		return nil
	}
	return b
}

func latin1(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		out = append(out, byte(r)) // every rune used is below U+0100
	}
	return out
}

func utf16Bytes(s string, order binary.ByteOrder, bom bool) []byte {
	var buf bytes.Buffer
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	for _, u := range units {
		binary.Write(&buf, order, u)
	}
	return buf.Bytes()
}

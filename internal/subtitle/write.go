package subtitle

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Writers are our own rather than astisub's: astisub escapes the markup in
// our styled text, starts SRT with a BOM and writes no TTML agents, so
// speakers would not survive a round trip.

// WriteVTT writes cues as WebVTT, each speaker's turn as its own voice
// span, so that reading the file back gives the same spans.
func WriteVTT(w io.Writer, cues []Cue) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("WEBVTT\n")
	for _, c := range cues {
		var lines []string
		for _, sp := range c.Turns() {
			sl := styledLines(Cue{Text: sp.Text, Styled: sp.Styled})
			if len(sl) == 0 {
				continue
			}
			if sp.Speaker != "" {
				sl[0] = "<v " + escapeVTT(oneLine(sp.Speaker)) + ">" + sl[0]
				sl[len(sl)-1] += "</v>"
			}
			lines = append(lines, sl...)
		}
		if len(lines) == 0 {
			continue
		}
		writeBorrowed(bw, c.Borrowed)
		fmt.Fprintf(bw, "\n%s --> %s\n", formatClock(c.Start, "."), formatClock(c.End, "."))
		for _, l := range lines {
			bw.WriteString(l)
			bw.WriteByte('\n')
		}
	}
	return flush(bw, "vtt")
}

// borrowedNote heads the NOTE block WriteVTT writes before a cue whose
// speaker was borrowed, one speaker of Cue.Borrowed a line after it. A
// comment, so players ignore it; readVTT gives it back to the cue.
const borrowedNote = "NOTE speaker borrowed by time; any of these may be speaking:"

func writeBorrowed(bw *bufio.Writer, names []string) {
	var lines []string
	for _, n := range names {
		if n = nameLine(n); n != "" {
			lines = append(lines, escapeVTT(n)) // no "-->" and no blank line can end the note
		}
	}
	if len(lines) == 0 {
		return
	}
	bw.WriteString("\n" + borrowedNote + "\n" + strings.Join(lines, "\n") + "\n")
}

// WriteSRT writes cues as SRT, speakers as a "Name: " prefix and styles as
// <b>, <i> and <u>.
func WriteSRT(w io.Writer, cues []Cue) error {
	bw := bufio.NewWriter(w)
	n := 0
	for _, c := range cues {
		var lines []string
		for _, l := range styledLines(c) {
			if s := srtLine(l); s != "" {
				lines = append(lines, s)
			}
		}
		if len(lines) == 0 {
			continue
		}
		if c.Speaker != "" {
			lines[0] = oneLine(c.Speaker) + ": " + lines[0]
		}
		n++
		if n > 1 {
			bw.WriteByte('\n')
		}
		fmt.Fprintf(bw, "%d\n%s --> %s\n%s\n", n, formatClock(c.Start, ","), formatClock(c.End, ","), strings.Join(lines, "\n"))
	}
	return flush(bw, "srt")
}

// WriteText writes a transcript: one "[hh:mm:ss] Speaker: text" line per
// cue.
func WriteText(w io.Writer, cues []Cue) error {
	bw := bufio.NewWriter(w)
	for _, c := range cues {
		text := strings.Join(strings.Fields(c.Text), " ")
		if text == "" {
			continue
		}
		secs := int64(c.Start / time.Second)
		fmt.Fprintf(bw, "[%02d:%02d:%02d] ", secs/3600, secs/60%60, secs%60)
		if c.Speaker != "" {
			bw.WriteString(oneLine(c.Speaker) + ": ")
		}
		bw.WriteString(text)
		bw.WriteByte('\n')
	}
	return flush(bw, "text")
}

// WriteTTML writes cues as TTML with speakers as ttm:agent elements and
// references, and styles as tts attributes on spans.
func WriteTTML(w io.Writer, cues []Cue, lang string) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(xml.Header)
	bw.WriteString(`<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttm="http://www.w3.org/ns/ttml#metadata" xmlns:tts="http://www.w3.org/ns/ttml#styling" xml:lang="` + xmlEscape(lang) + `">` + "\n")
	ids := map[string]string{}
	speakers := Speakers(cues)
	if len(speakers) > 0 {
		bw.WriteString("  <head>\n    <metadata>\n")
		for k, s := range speakers {
			ids[s] = "s" + strconv.Itoa(k+1)
			fmt.Fprintf(bw, "      <ttm:agent xml:id=%q type=\"person\"><ttm:name type=\"full\">%s</ttm:name></ttm:agent>\n", ids[s], xmlEscape(s))
		}
		bw.WriteString("    </metadata>\n  </head>\n")
	}
	bw.WriteString("  <body>\n    <div>\n")
	for _, c := range cues {
		lines := styledLines(c)
		if len(lines) == 0 {
			continue
		}
		fmt.Fprintf(bw, `      <p begin="%s" end="%s"`, formatClock(c.Start, "."), formatClock(c.End, "."))
		if id := ids[c.Speaker]; id != "" {
			fmt.Fprintf(bw, ` ttm:agent="%s"`, id)
		}
		bw.WriteString(">")
		for k, l := range lines {
			if k > 0 {
				bw.WriteString("<br/>")
			}
			bw.WriteString(ttmlLine(l))
		}
		bw.WriteString("</p>\n")
	}
	bw.WriteString("    </div>\n  </body>\n</tt>\n")
	return flush(bw, "ttml")
}

func flush(bw *bufio.Writer, what string) error {
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("subtitle: write %s: %w", what, err)
	}
	return nil
}

// styledLines returns a cue's display lines as WebVTT markup, made safe to
// sit in a cue block: no blank lines, no "-->".
func styledLines(c Cue) []string {
	s := c.Styled
	if strings.TrimSpace(s) == "" {
		s = escapeVTT(c.Text)
	}
	var out []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(strings.ReplaceAll(l, "-->", "--&gt;"))
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// nameLine is a name as one line without control characters: a line
// break is a space, as between words.
func nameLine(s string) string { return oneLine(dropControls(oneLine(s))) }

func xmlEscape(s string) string {
	var sb strings.Builder
	xml.EscapeText(&sb, []byte(s))
	return sb.String()
}

// styledRuns reads one line of our styled markup back into runs.
func styledRuns(line string) []run {
	var runs []run
	var cur run
	for line != "" {
		lt := strings.IndexByte(line, '<')
		if lt < 0 {
			cur.text = unescapeText(line)
			runs = append(runs, cur)
			break
		}
		if lt > 0 {
			cur.text = unescapeText(line[:lt])
			runs = append(runs, cur)
		}
		gt := strings.IndexByte(line[lt:], '>')
		if gt < 0 {
			cur.text = unescapeText(line[lt:])
			runs = append(runs, cur)
			break
		}
		name, _, closing := splitTag(line[lt+1 : lt+gt])
		switch name {
		case "b":
			cur.b = !closing
		case "i":
			cur.i = !closing
		case "u":
			cur.u = !closing
		}
		line = line[lt+gt+1:]
	}
	return coalesce(runs)
}

// coalesce merges neighbouring runs of the same style.
func coalesce(runs []run) []run {
	var out []run
	for _, r := range runs {
		if n := len(out); n > 0 && out[n-1].b == r.b && out[n-1].i == r.i && out[n-1].u == r.u {
			out[n-1].text += r.text
			continue
		}
		if r.text != "" {
			out = append(out, r)
		}
	}
	return out
}

// srtLine converts a styled line to SRT markup: b, i and u survive, other
// tags go, entities are resolved because SRT players show them literally.
func srtLine(line string) string {
	var sb strings.Builder
	for _, r := range styledRuns(line) {
		t := strings.ReplaceAll(r.text, "-->", "->")
		open, close := tagPair(r, "<", ">")
		sb.WriteString(open + t + close)
	}
	return strings.TrimSpace(sb.String())
}

// ttmlLine converts a styled line to TTML content with styled spans.
func ttmlLine(line string) string {
	var sb strings.Builder
	for _, r := range styledRuns(line) {
		var attrs []string
		if r.b {
			attrs = append(attrs, `tts:fontWeight="bold"`)
		}
		if r.i {
			attrs = append(attrs, `tts:fontStyle="italic"`)
		}
		if r.u {
			attrs = append(attrs, `tts:textDecoration="underline"`)
		}
		if len(attrs) == 0 {
			sb.WriteString(xmlEscape(r.text))
			continue
		}
		sb.WriteString("<span " + strings.Join(attrs, " ") + ">" + xmlEscape(r.text) + "</span>")
	}
	return sb.String()
}

func tagPair(r run, lt, gt string) (open, close string) {
	for _, t := range styleTags(r) {
		open += lt + string(t) + gt
	}
	tags := styleTags(r)
	for k := len(tags) - 1; k >= 0; k-- {
		close += lt + "/" + string(tags[k]) + gt
	}
	return open, close
}

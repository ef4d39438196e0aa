package subtitle

import (
	"slices"
	"strings"
)

// vttTextEnd: a WebVTT cue's text ends at the first blank line.
func vttTextEnd(lines []string, from int) int {
	for j := from; j < len(lines); j++ {
		if t := strings.TrimSpace(lines[j]); t == "" || strings.Contains(t, "-->") {
			return j
		}
	}
	return len(lines)
}

func readVTT(text string, rep *Report) ([]rawCue, error) {
	lines := strings.Split(text, "\n")
	blocks, settings, err := scanTimings(lines, ".", vttTextEnd)
	if err != nil {
		return nil, err
	}
	if len(blocks) == 0 {
		return nil, invalid(0, "no cues")
	}
	if len(blocks) > 0 && strings.Contains(strings.Join(lines[:blocks[0].line-1], "\n"), "X-TIMESTAMP-MAP") {
		// An HLS segment's offset to the MPEG-TS clock; a whole recording
		// is timed from its start, so times are kept as written.
		rep.Warnings = append(rep.Warnings, Problem{Reason: "X-TIMESTAMP-MAP ignored: times are kept as written"})
	}
	if settings {
		// Our Cue has no place for layout: say so rather than drop the
		// settings silently.
		rep.Warnings = append(rep.Warnings, Problem{Reason: "cue settings (position, alignment, size, region) are not kept"})
	}
	out := make([]rawCue, len(blocks))
	for k, b := range blocks {
		out[k] = vttCue(b)
		out[k].borrowed = borrowedAbove(lines, b.line-1)
	}
	return out, nil
}

// borrowedAbove reads the speakers of a borrowedNote block standing just
// before the cue whose timing line is lines[timing] (an identifier line
// may come between): what WriteVTT wrote for a cue with Borrowed.
func borrowedAbove(lines []string, timing int) []string {
	j := timing - 1
	if j >= 0 && strings.TrimSpace(lines[j]) != "" {
		j-- // the cue's identifier
	}
	for j >= 0 && strings.TrimSpace(lines[j]) == "" {
		j--
	}
	end := j + 1
	for j >= 0 && strings.TrimSpace(lines[j]) != "" {
		j--
	}
	if j+1 >= end || strings.TrimSpace(lines[j+1]) != borrowedNote {
		return nil
	}
	var names []string
	for _, l := range lines[j+2 : end] {
		if n := nameLine(unescapeText(l)); n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names
}

// vttCue reads one cue: times from our pre-scan of its timing line, text
// from our own reading of its source lines. (astisub is not used for
// WebVTT: it reads cue text with an HTML tokenizer, which disagrees with
// WebVTT's rules ("<>" is text to it), keeps one voice per line and loses
// voices whose name contains "/", and the times it read were the ones the
// pre-scan already had; the plain and styled text must describe the same
// words, so both come from one reading, and every voice keeps its own
// span.)
func vttCue(b timedBlock) rawCue {
	c := rawCue{line: b.line, start: b.start, end: b.end}
	var cur *rawSpan
	lineBreak := false // a skipped blank run started a source line
	for _, seg := range parseVTTText(b.source) {
		if strings.TrimSpace(seg.plain) == "" {
			// "…</v>\n<v A>…": the run between the voices is blank, but
			// the line break it starts belongs to the next run, even when
			// that run's voice is the same as the one before.
			lineBreak = lineBreak || seg.newLine
			continue
		}
		if lineBreak {
			seg.newLine, lineBreak = true, false
		}
		// A voice opened again at the start of a line is a new turn even
		// when it is the same speaker's: that is how WriteVTT stores two
		// turns of one speaker ("Bob: one" / "Bob: two"), and the first line
		// of a turn is never read as a "Name:" label.
		if cur == nil || seg.voice != cur.speaker || (seg.opened && seg.newLine) {
			c.spans = append(c.spans, rawSpan{speaker: seg.voice})
			cur = &c.spans[len(c.spans)-1]
			seg.newLine = true
		}
		if seg.newLine || len(cur.lines.plain) == 0 {
			cur.lines.add(seg.plain, seg.styled)
			continue
		}
		last := len(cur.lines.plain) - 1
		cur.lines.plain[last] = oneLine(cur.lines.plain[last] + seg.plain)
		cur.lines.styled[last] += seg.styled
	}
	if c.spans == nil {
		c.spans = []rawSpan{}
	}
	return c
}

// vttSeg is a run of a WebVTT cue's text in one voice, as we read it
// ourselves.
type vttSeg struct {
	voice   string // the voice speaking, from <v Name> (carries over lines until </v>)
	plain   string
	styled  string
	newLine bool // the run starts a source line
	opened  bool // the run starts with a <v Name> tag
}

// parseVTTText reads cue text markup into runs, a new one wherever the
// voice changes. astisub keeps only the first voice of a line, only on the
// line where <v> appears, and none whose name has a "/" in it; a voice
// span here lasts until </v> or the end of the cue.
func parseVTTText(src string) []vttSeg {
	var out []vttSeg
	voice := ""
	var open []string
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		seg := vttSeg{voice: voice, newLine: true}
		var plain, styled strings.Builder
		flush := func() {
			seg.plain, seg.styled = plain.String(), styled.String()
			out = append(out, seg)
			plain.Reset()
			styled.Reset()
		}
		text := func(s string) {
			if s == "" {
				return
			}
			t := unescapeText(s)
			plain.WriteString(t)
			styled.WriteString(escapeVTT(t))
		}
		for line != "" {
			lt := tagStart(line)
			gt := strings.IndexByte(line[max(lt, 0):], '>')
			if lt < 0 || gt < 0 {
				text(line)
				break
			}
			text(line[:lt])
			tag := line[lt+1 : lt+gt]
			line = line[lt+gt+1:]
			name, annotation, closing := splitTag(tag)
			switch {
			case name == "v":
				who := ""
				if !closing {
					who = strings.TrimSpace(unescapeText(annotation))
				}
				if who != voice {
					flush()
					seg = vttSeg{voice: who, opened: !closing}
				}
				voice = who
			default:
				styled.WriteString(keepTag(name, tag, closing, &open))
			}
		}
		flush()
	}
	return out
}

// tagStart finds the first '<' that opens a tag: one followed by a letter,
// a digit (a timestamp), '/', '!' or '?'. Any other '<' is text.
func tagStart(s string) int {
	off := 0
	for {
		i := strings.IndexByte(s[off:], '<')
		if i < 0 || off+i+1 >= len(s) {
			return -1
		}
		c := s[off+i+1] | 0x20
		if c >= 'a' && c <= 'z' || s[off+i+1] >= '0' && s[off+i+1] <= '9' || strings.IndexByte("/!?", s[off+i+1]) >= 0 {
			return off + i
		}
		off += i + 1
	}
}

// splitTag splits "c.yellow.big", "v.loud Bob" or "/i" into the tag name,
// its annotation and whether it closes.
func splitTag(tag string) (name, annotation string, closing bool) {
	tag = strings.TrimSpace(tag)
	if strings.HasPrefix(tag, "/") {
		closing, tag = true, strings.TrimSpace(tag[1:])
	}
	head, annotation, _ := strings.Cut(tag, " ")
	name, _, _ = strings.Cut(head, ".")
	return strings.ToLower(name), annotation, closing
}

// keepTag returns the markup to keep for a non-voice tag: b, i, u, c (with
// safe class names), lang, ruby and rt survive; timestamps and anything
// unknown are dropped. open tracks nesting so unmatched closers vanish.
func keepTag(name, raw string, closing bool, open *[]string) string {
	switch name {
	case "b", "i", "u", "c", "lang", "ruby", "rt":
	default:
		return ""
	}
	if closing {
		for k := len(*open) - 1; k >= 0; k-- {
			if (*open)[k] == name {
				var sb strings.Builder
				for j := len(*open) - 1; j >= k; j-- {
					sb.WriteString("</" + (*open)[j] + ">")
				}
				*open = (*open)[:k]
				return sb.String()
			}
		}
		return ""
	}
	*open = append(*open, name)
	tag := name
	head, annotation, _ := strings.Cut(strings.TrimSpace(raw), " ")
	if name == "c" {
		for _, cls := range strings.Split(head, ".")[1:] {
			if cls = safeToken(cls); cls != "" {
				tag += "." + cls
			}
		}
	}
	if name == "lang" {
		if a := safeToken(annotation); a != "" {
			tag += " " + a
		}
	}
	return "<" + tag + ">"
}

// safeToken keeps letters, digits, '-' and '_'.
func safeToken(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return -1
	}, s)
}

package subtitle

import "strings"

// Span is one speaker's turn inside a cue: a cue in which two people speak
// ("<v Bob>Over to you.</v> <v Maria>…", "- Bob: …" / "- Maria: …") has
// one span each, in order. Consent is decided per span, so the readers
// must never fold a second speaker's words into the first one's.
type Span struct {
	Speaker string // may be empty
	Text    string // plain, lines separated by "\n"
	Styled  string // WebVTT inline markup, balanced within the span
}

// rawSpan is a span as a reader hands it to finish.
type rawSpan struct {
	speaker string
	lines   cueLines
}

// JoinSpans gives a cue's speaker, plain and styled text from its spans:
// the speaker is the first span's (or the first named one's); every later
// span whose speaker differs from the one before starts a line with
// "Name: ", the convention every format and transcript understands.
func JoinSpans(spans []Span) (speaker, text, styled string) {
	var plain, sty []string
	for k, s := range spans {
		if speaker == "" {
			speaker = s.Speaker
		}
		p, st := s.Text, s.Styled
		if strings.TrimSpace(st) == "" {
			st = escapeVTT(p)
		}
		if k > 0 && s.Speaker != "" && s.Speaker != spans[k-1].Speaker {
			p = s.Speaker + ": " + p
			st = escapeVTT(s.Speaker) + ": " + st
		}
		plain = append(plain, p)
		sty = append(sty, st)
	}
	return speaker, strings.Join(plain, "\n"), strings.Join(sty, "\n")
}

// splitTurns applies the "Name: text" / "- Name: text" convention to every
// line of a cue: a label at the start of a line starts a new speaker's
// span. The first line of a span whose speaker came from markup is that
// speaker's, whatever it starts with.
func splitTurns(in []rawSpan) []rawSpan {
	var out []rawSpan
	for _, s := range in {
		cur := rawSpan{speaker: s.speaker}
		n := len(s.lines.plain)
		for li := 0; li < n; li++ {
			p, st := s.lines.plain[li], s.lines.styled[li]
			if li > 0 || s.speaker == "" {
				if name, rest, ok := splitLabel(p); ok && (rest != "" || li+1 < n) {
					if len(cur.lines.plain) > 0 || name != cur.speaker {
						out = appendSpan(out, cur)
						cur = rawSpan{speaker: name}
					}
					if rest == "" {
						continue // the label stands alone; the text follows
					}
					p, st = rest, dropLabel(st, name, rest)
				}
			}
			cur.lines.plain = append(cur.lines.plain, p)
			cur.lines.styled = append(cur.lines.styled, st)
		}
		out = appendSpan(out, cur)
	}
	return out
}

func appendSpan(out []rawSpan, s rawSpan) []rawSpan {
	if len(s.lines.plain) == 0 {
		return out
	}
	return append(out, s)
}

// finishSpans turns a reader's spans into the cue's spans: turns split on
// labels, styled markup balanced per span, empty spans dropped.
func finishSpans(raw []rawSpan) []Span {
	var out []Span
	for _, s := range splitTurns(raw) {
		sp := Span{
			Speaker: oneLine(dropControls(s.speaker)),
			Text:    strings.Join(s.lines.plain, "\n"),
			Styled:  balance(strings.Join(s.lines.styled, "\n")),
		}
		if strings.TrimSpace(sp.Text) == "" {
			continue
		}
		out = append(out, sp)
	}
	return out
}

// balance drops closing tags that close nothing and closes tags left open,
// so that each span's styled text stands alone when its neighbours are
// withheld.
func balance(styled string) string {
	if !strings.Contains(styled, "<") {
		return styled
	}
	var sb strings.Builder
	var open []string
	s := styled
	for s != "" {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			sb.WriteString(s)
			break
		}
		gt := strings.IndexByte(s[lt:], '>')
		if gt < 0 {
			sb.WriteString(escapeVTT(unescapeText(s))) // a stray '<' is text
			break
		}
		sb.WriteString(s[:lt])
		raw := s[lt+1 : lt+gt]
		s = s[lt+gt+1:]
		name, _, closing := splitTag(raw)
		sb.WriteString(keepTag(name, raw, closing, &open))
	}
	for k := len(open) - 1; k >= 0; k-- {
		sb.WriteString("</" + open[k] + ">")
	}
	return sb.String()
}

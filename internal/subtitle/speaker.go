package subtitle

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// splitLabel splits "Name: rest" or "- Name: rest". rest may be empty only
// when the label stands alone on the line.
func splitLabel(line string) (name, rest string, ok bool) {
	s := strings.TrimLeft(line, "-–— \t")
	label, rest, found := strings.Cut(s, ":")
	if !found || !isSpeakerName(strings.TrimSpace(label)) {
		return "", "", false
	}
	if rest != "" && !strings.HasPrefix(rest, " ") && !strings.HasPrefix(rest, "\t") {
		return "", "", false // "10:30", "http://", "Art.9:x" are not labels
	}
	return strings.TrimSpace(label), strings.TrimSpace(rest), true
}

// isSpeakerName decides whether a label before a colon names a speaker:
// one to six words without digits, starting with a capital letter, either
// all in capitals or with at least half of the words capitalised
// ("Representative of France", "OHCHR representative", "MAN"), so that an
// ordinary sentence with a colon ("This is the point: …") is not taken.
func isSpeakerName(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > 48 {
		return false
	}
	letters, lower := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
			if unicode.IsLower(r) {
				lower++
			}
		case r == ' ' || strings.ContainsRune(".-'’()/&", r):
		default:
			return false
		}
	}
	words := strings.Fields(s)
	if len(words) > 6 || letters < 2 || !unicode.IsUpper(firstLetter(words[0])) {
		return false
	}
	if lower == 0 {
		return true
	}
	capitalised := 0
	for _, w := range words {
		if unicode.IsUpper(firstLetter(w)) {
			capitalised++
		}
	}
	return capitalised*2 >= len(words)
}

func firstLetter(w string) rune {
	for _, r := range w {
		if unicode.IsLetter(r) {
			return r
		}
	}
	return 0
}

// dropLabel removes the speaker label from a styled line, keeping any tags
// around it; if the label cannot be found it falls back to the plain rest.
func dropLabel(styled, name, rest string) string {
	esc := escapeVTT(name)
	i := strings.Index(styled, esc)
	if i < 0 {
		return escapeVTT(rest)
	}
	after := styled[i+len(esc):]
	trimmed := strings.TrimLeft(after, " \t")
	if !strings.HasPrefix(trimmed, ":") {
		return escapeVTT(rest)
	}
	tail := strings.TrimLeft(trimmed[1:], " \t")
	head := strings.TrimRight(styled[:i], " \t")
	head = strings.TrimRight(head, "-–—")
	return strings.TrimSpace(head + tail)
}

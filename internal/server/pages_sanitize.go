package server

import (
	"html/template"
	"strings"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// safeHighlight returns the index's highlighted text as HTML only after
// checking that it is nothing but escaped text and non-nested <mark>…</mark>
// pairs (near spellings open with <mark class="near">). The index promises exactly that; the page does not take it on
// trust, because a bug there would otherwise become script here. Anything
// else falls back to the plain text, which the template escapes.
func safeHighlight(highlight, text string) any {
	if highlight != "" && onlyMarks(highlight) {
		return template.HTML(highlight)
	}
	return text
}

const (
	markOpen     = archive.MarkOpen
	markNearOpen = archive.MarkNearOpen
	markClose    = archive.MarkClose
)

// onlyMarks reports whether s is text with entity escapes and balanced,
// non-nested <mark> and </mark> tags, and nothing else that HTML would
// treat as markup. A mark may open as <mark> or <mark class="near">.
func onlyMarks(s string) bool {
	open := false
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			switch {
			case !open && strings.HasPrefix(s[i:], markOpen):
				open = true
				i += len(markOpen)
			case !open && strings.HasPrefix(s[i:], markNearOpen):
				open = true
				i += len(markNearOpen)
			case open && strings.HasPrefix(s[i:], markClose):
				open = false
				i += len(markClose)
			default:
				return false
			}
		case '&':
			n := entityLen(s[i:])
			if n == 0 {
				return false
			}
			i += n
		case '>', 0:
			return false
		default:
			i++
		}
	}
	return !open
}

// entityLen returns the length of the character reference at the start of
// s ("&amp;", "&#39;", "&#x27;"), or 0 if it is not one of those forms.
func entityLen(s string) int {
	for _, named := range []string{"&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&nbsp;"} {
		if strings.HasPrefix(s, named) {
			return len(named)
		}
	}
	if !strings.HasPrefix(s, "&#") {
		return 0
	}
	i, hex := 2, false
	if i < len(s) && (s[i] == 'x' || s[i] == 'X') {
		hex = true
		i++
	}
	start := i
	for i < len(s) && i-start < 8 && isDigit(s[i], hex) {
		i++
	}
	if i == start || i >= len(s) || s[i] != ';' {
		return 0
	}
	return i + 1
}

func isDigit(c byte, hex bool) bool {
	return c >= '0' && c <= '9' || hex && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')
}

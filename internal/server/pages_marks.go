package server

import (
	"html"
	"html/template"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// The watch page marks a search's matches on the matched words of the
// transcript, as the index highlighted them. A quoted phrase spoken across
// a cue boundary is one hit on the cue where it starts, highlighted up to
// that cue's end; its rest is the first words of the next cue, marked here.

// cueMarks maps cue positions of the window [from, to) to their text as
// HTML with the matches marked. texts are the cues' shown texts.
func cueMarks(q string, cues []archive.Cue, texts map[int]string, hits []archive.Hit) map[int]template.HTML {
	byStart := make(map[int64]archive.Hit, len(hits))
	for _, h := range hits {
		byStart[h.StartMS] = h
	}
	phrases := quotedPhrases(q)
	out := map[int]template.HTML{}
	for i, text := range texts {
		h, ok := byStart[cues[i].StartMS]
		if !ok || !onlyMarks(h.Highlight) || unmark(h.Highlight) != text {
			continue // no hit here, or the shown text is not what was indexed
		}
		out[i] = template.HTML(h.Highlight)
		next, ok := texts[i+1]
		if !ok {
			continue
		}
		if rest := phraseRest(h.Highlight, phrases); rest > 0 {
			if _, marked := out[i+1]; !marked {
				out[i+1] = markLeading(next, rest)
			}
		}
	}
	return out
}

// unmark is highlighted HTML back as plain text.
func unmark(h string) string {
	return html.UnescapeString(strings.NewReplacer(markOpen, "", markNearOpen, "", markClose, "").Replace(h))
}

// quotedPhrases lists the word counts of q's quoted phrases.
func quotedPhrases(q string) []int {
	var out []int
	parts := strings.Split(q, `"`)
	for k := 1; k < len(parts); k += 2 {
		if n := len(words(parts[k])); n > 1 {
			out = append(out, n)
		}
	}
	return out
}

// phraseRest is how many words of a quoted phrase run on into the next
// cue: the highlight's marks reach the end of the cue, and the marked
// words there are fewer than the phrase has. 0 when nothing runs on.
func phraseRest(highlight string, phrases []int) int {
	highlight = strings.ReplaceAll(highlight, markNearOpen, markOpen) // a mark is a mark here
	end := strings.LastIndex(highlight, markClose)
	if end < 0 || len(words(unmark(highlight[end+len(markClose):]))) > 0 {
		return 0
	}
	// Count the marked words at the end, back to the first unmarked word.
	marked := 0
	rest := highlight
	for {
		close := strings.LastIndex(rest, markClose)
		open := strings.LastIndex(rest, markOpen)
		if close < 0 || open < 0 || open > close || len(words(unmark(rest[close+len(markClose):]))) > 0 {
			break
		}
		marked += len(words(unmark(rest[open+len(markOpen) : close])))
		rest = rest[:open]
	}
	for _, n := range phrases {
		if n > marked {
			return n - marked
		}
	}
	return 0
}

// markLeading escapes text and marks its first n words as one run.
func markLeading(text string, n int) template.HTML {
	ws := words(text)
	if len(ws) == 0 {
		return template.HTML(html.EscapeString(text))
	}
	end := ws[min(n, len(ws))-1][1]
	start := ws[0][0]
	return template.HTML(html.EscapeString(text[:start]) + markOpen + html.EscapeString(text[start:end]) + markClose + html.EscapeString(text[end:]))
}

// words are the byte spans of s's words: letters and digits, with an
// apostrophe or hyphen inside a word kept in it ("l'Europe", "co-sponsor").
func words(s string) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range s {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		if !inWord && start >= 0 && strings.ContainsRune("'’-", r) {
			next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
			inWord = unicode.IsLetter(next) || unicode.IsDigit(next)
		}
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			out = append(out, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(s)})
	}
	return out
}

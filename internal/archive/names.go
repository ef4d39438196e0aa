package archive

import (
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Names are matched the way a reader recognises them, not byte for byte:
// "Maria López", "MARIA LOPEZ", "maria\nlopez", "Maria  Lopez" and
// "<i>Maria</i> Lopez" are one name. Text is folded (NFKD, marks removed,
// lower case) and every run of characters that are neither letters nor
// digits counts as one space; a match must start and end at a word
// boundary, so "Ana" is not found in "Banana".

// fold returns the folded form of r: zero or more lower-case runes, or a
// single ' ' for a separator.
func fold(r rune, buf []rune) []rune {
	if r < utf8.RuneSelf { // most text: no decomposition to look up
		switch {
		case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
			return append(buf, r)
		case 'A' <= r && r <= 'Z':
			return append(buf, r+('a'-'A'))
		}
		return append(buf, ' ')
	}
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
		return append(buf, ' ')
	}
	for _, d := range norm.NFKD.String(string(r)) {
		if unicode.Is(unicode.Mn, d) {
			continue
		}
		if !unicode.IsLetter(d) && !unicode.IsDigit(d) {
			continue
		}
		buf = append(buf, unicode.ToLower(d))
	}
	return buf
}

// foldString folds a whole string: separators collapsed to single spaces,
// none at either end.
func foldString(s string) string {
	var out []rune
	var tmp []rune
	for _, r := range s {
		tmp = fold(r, tmp[:0])
		for _, f := range tmp {
			if f == ' ' && (len(out) == 0 || out[len(out)-1] == ' ') {
				continue
			}
			out = append(out, f)
		}
	}
	return strings.TrimRight(string(out), " ")
}

// rewrite is one phrase to replace and what it reads as instead.
type rewrite struct {
	folded []rune
	with   string
}

// rewriter replaces names, aliases and redacted words wherever they occur
// in a text, markup ignored.
type rewriter struct {
	rules   []rewrite
	byFirst map[string][]int // first folded word -> rules, longest first ("Maria Lopez" wins over "Maria")
	buf     []rune           // scratch for matches (a rewriter serves one request)
}

func newRewriter() *rewriter { return &rewriter{byFirst: map[string][]int{}} }

func (w *rewriter) add(phrase, with string) {
	f := foldString(phrase)
	if f == "" {
		return
	}
	first, _, _ := strings.Cut(f, " ")
	w.byFirst[first] = append(w.byFirst[first], len(w.rules))
	w.rules = append(w.rules, rewrite{folded: []rune(f), with: with})
}

func (w *rewriter) done() {
	for _, ks := range w.byFirst {
		slices.SortStableFunc(ks, func(a, b int) int { return len(w.rules[b].folded) - len(w.rules[a].folded) })
	}
}

func (w *rewriter) empty() bool { return w == nil || len(w.rules) == 0 }

// piece is a character of text (with the source bytes it came from) or a
// markup tag, which is kept as it is.
type piece struct {
	src string // source bytes: the character, its entity, or the whole tag
	r   rune   // the character; 0 for a tag
	tag bool
}

// pieces splits WebVTT styled text (our stored form: tags and &amp; &lt;
// &gt; entities) or, when plain, text with no markup at all.
func pieces(s string, plain bool) []piece {
	out := make([]piece, 0, len(s))
	for i := 0; i < len(s); {
		if !plain {
			switch s[i] {
			case '<':
				if j := strings.IndexByte(s[i:], '>'); j > 0 {
					out = append(out, piece{src: s[i : i+j+1], tag: true})
					i += j + 1
					continue
				}
			case '&':
				if j := strings.IndexByte(s[i:], ';'); j > 1 && j < 12 {
					ent := s[i : i+j+1]
					if u := html.UnescapeString(ent); u != ent {
						for _, r := range u {
							out = append(out, piece{src: ent, r: r})
							ent = "" // one source for the whole entity
						}
						i += j + 1
						continue
					}
				}
			}
		}
		r, n := decodeRune(s[i:])
		out = append(out, piece{src: s[i : i+n], r: r})
		i += n
	}
	return out
}

func decodeRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 1
}

// apply rewrites s (styled markup, or plain text when plain is set). Tags
// stay where they were, so markup stays balanced; the characters of a
// matched phrase go and the replacement, escaped, takes the place of the
// first one.
func (w *rewriter) apply(s string, plain bool) string {
	if w.empty() || s == "" || !w.matches(s, plain) {
		return s
	}
	ps := pieces(s, plain)
	// The folded text and, for each folded rune, the piece it came from.
	var folded []rune
	var owner []int
	var tmp []rune
	for k, p := range ps {
		if p.tag {
			continue
		}
		tmp = fold(p.r, tmp[:0])
		for _, f := range tmp {
			if f == ' ' && (len(folded) == 0 || folded[len(folded)-1] == ' ') {
				continue
			}
			folded = append(folded, f)
			owner = append(owner, k)
		}
	}
	replaced := map[int]string{} // first piece of a match -> replacement
	drop := make([]bool, len(ps))
	for i := 0; i < len(folded); {
		if i > 0 && folded[i-1] != ' ' || folded[i] == ' ' {
			i++
			continue
		}
		n := w.matchAt(folded, i)
		if n == 0 {
			i++
			continue
		}
		first, last := owner[i], owner[i+n-1]
		for k := first; k <= last; k++ {
			if !ps[k].tag {
				drop[k] = true
			}
		}
		replaced[first] = w.rules[w.ruleAt(folded, i)].with
		i += n
	}
	if len(replaced) == 0 {
		return s
	}
	var sb strings.Builder
	for k, p := range ps {
		if with, ok := replaced[k]; ok {
			if plain {
				sb.WriteString(with)
			} else {
				sb.WriteString(escapeStyled(with))
			}
		}
		if !drop[k] {
			sb.WriteString(p.src)
		}
	}
	return sb.String()
}

// matches reports whether any rule matches s, without building anything:
// most text mentions nobody, and is then returned as it is.
func (w *rewriter) matches(s string, plain bool) bool {
	folded := w.buf[:0]
	var tmp [8]rune
	for i := 0; i < len(s); {
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		} else if !plain && (r == '<' || r == '&') {
			// Tags and entities: let the full reading decide.
			if r == '<' && strings.IndexByte(s[i:], '>') > 0 {
				i += strings.IndexByte(s[i:], '>') + 1
				continue
			}
			if r == '&' {
				w.buf = folded
				return w.matchesFolded(append(folded, ' ')) || strings.Contains(s[i:], ";")
			}
		}
		i += n
		for _, f := range fold(r, tmp[:0]) {
			if f == ' ' && (len(folded) == 0 || folded[len(folded)-1] == ' ') {
				continue
			}
			folded = append(folded, f)
		}
	}
	w.buf = folded
	return w.matchesFolded(folded)
}

func (w *rewriter) matchesFolded(folded []rune) bool {
	for i := range folded {
		if (i == 0 || folded[i-1] == ' ') && folded[i] != ' ' && w.ruleAt(folded, i) >= 0 {
			return true
		}
	}
	return false
}

// matchAt returns the length of the longest rule matching folded at i at a
// word boundary, or 0.
func (w *rewriter) matchAt(folded []rune, i int) int {
	if k := w.ruleAt(folded, i); k >= 0 {
		return len(w.rules[k].folded)
	}
	return 0
}

func (w *rewriter) ruleAt(folded []rune, i int) int {
	j := i
	for j < len(folded) && folded[j] != ' ' {
		j++
	}
	for _, k := range w.byFirst[string(folded[i:j])] {
		r := w.rules[k]
		n := len(r.folded)
		if i+n > len(folded) || !slices.Equal(folded[i:i+n], r.folded) {
			continue
		}
		if i+n < len(folded) && folded[i+n] != ' ' {
			continue
		}
		return k
	}
	return -1
}

var styledEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escapeStyled(s string) string { return styledEscaper.Replace(s) }

// plainOf is the plain text of styled markup: tags dropped, entities
// resolved, one space between words on each line.
func plainOf(styled string) string {
	var sb strings.Builder
	for _, p := range pieces(styled, false) {
		if !p.tag {
			sb.WriteRune(p.r)
		}
	}
	lines := strings.Split(sb.String(), "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

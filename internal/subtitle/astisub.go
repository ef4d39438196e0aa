package subtitle

import (
	"html"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/asticode/go-astisub"
)

// readWith calls an astisub reader so that a panic inside it becomes an
// error: a malformed upload must never take the server down.
func readWith(name string, read func() (*astisub.Subtitles, error)) (subs *astisub.Subtitles, err error) {
	defer func() {
		if r := recover(); r != nil {
			subs, err = nil, invalid(0, "the %s reader cannot read this file (%v)", name, r)
		}
	}()
	subs, err = read()
	if err != nil {
		return nil, astisubError(err)
	}
	if subs == nil {
		return nil, invalid(0, "the %s reader returned nothing", name)
	}
	return subs, nil
}

var astisubLine = regexp.MustCompile(`line (\d+):? ?`)

// astisubError turns astisub's messages ("astisub: line 3: parsing …") into
// an *Error that names the line when astisub knew it.
func astisubError(err error) *Error {
	msg := strings.ReplaceAll(err.Error(), "astisub: ", "")
	e := &Error{Kind: ErrInvalid}
	if m := astisubLine.FindStringSubmatchIndex(msg); m != nil {
		e.Line, _ = strconv.Atoi(msg[m[2]:m[3]])
		msg = msg[:m[0]] + msg[m[1]:]
	}
	e.Reason = strings.TrimSpace(msg)
	return e
}

// run is a piece of cue text with the inline styles our Styled form keeps.
type run struct {
	text    string
	b, i, u bool
}

// joinRuns concatenates runs into plain and styled text. astisub drops
// whitespace-only text between two tags ("<i>Hello</i> <b>world</b>"), so
// where two runs meet without whitespace, src (the cue's source text with
// markup removed) decides whether a space belongs there; cursor walks src.
// An empty src means the runs kept their whitespace (SSA, STL).
func joinRuns(runs []run, src string, cursor *int) (plain, styled string) {
	var out []run
	for k, r := range runs {
		t := strings.ReplaceAll(r.text, "\u00A0", " ")
		if t == "" {
			continue
		}
		if k > 0 && len(out) > 0 && needsSpace(out[len(out)-1].text, t, src, cursor) {
			out = append(out, run{text: " "})
		}
		if idx := strings.Index(src[*cursor:], t); idx >= 0 {
			*cursor += idx + len(t)
		}
		r.text = t
		out = append(out, r)
	}
	var p strings.Builder
	for _, r := range out {
		p.WriteString(r.text)
	}
	return p.String(), markup(out)
}

func needsSpace(prev, next, src string, cursor *int) bool {
	if src == "" || endsSpace(prev) || startsSpace(next) {
		return false
	}
	idx := strings.Index(src[*cursor:], next)
	if idx < 0 {
		// Not found in the source: only separate two word characters.
		return isWord(lastRune(prev)) && isWord(firstRune(next))
	}
	return strings.IndexFunc(src[*cursor:*cursor+idx], unicode.IsSpace) >= 0
}

func endsSpace(s string) bool   { return s != "" && unicode.IsSpace(lastRune(s)) }
func startsSpace(s string) bool { return s != "" && unicode.IsSpace(firstRune(s)) }
func isWord(r rune) bool        { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}

func lastRune(s string) rune {
	r := []rune(s)
	if len(r) == 0 {
		return 0
	}
	return r[len(r)-1]
}

// markup writes runs as WebVTT cue text with <b>, <i> and <u>, closing and
// reopening tags where the style changes so that nesting stays valid.
func markup(runs []run) string {
	var sb strings.Builder
	var open []byte
	for _, r := range runs {
		want := styleTags(r)
		if string(open) != string(want) {
			for k := len(open) - 1; k >= 0; k-- {
				sb.WriteString("</" + string(open[k]) + ">")
			}
			for _, t := range want {
				sb.WriteString("<" + string(t) + ">")
			}
			open = want
		}
		sb.WriteString(escapeVTT(r.text))
	}
	for k := len(open) - 1; k >= 0; k-- {
		sb.WriteString("</" + string(open[k]) + ">")
	}
	return sb.String()
}

func styleTags(r run) []byte {
	var t []byte
	if r.b {
		t = append(t, 'b')
	}
	if r.i {
		t = append(t, 'i')
	}
	if r.u {
		t = append(t, 'u')
	}
	return t
}

var vttEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escapeVTT(s string) string { return vttEscaper.Replace(s) }

// stripSource removes tags and SSA override blocks from a cue's source
// text and resolves character references: the text a reader sees.
func stripSource(s string) string {
	s = dropTags(dropEnclosed(s, '{', '}'))
	return strings.ReplaceAll(unescapeText(s), "\u00A0", " ")
}

// dropTags removes markup tags: a '<' that opens a tag (see tagStart) up
// to the next '>'. "a < b" stays text.
func dropTags(s string) string {
	i := tagStart(s)
	if i < 0 {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s))
	for ; i >= 0; i = tagStart(s) {
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		sb.WriteString(s[:i])
		s = s[i+j+1:]
	}
	sb.WriteString(s)
	return sb.String()
}

// dropEnclosed removes every open…close span with neither delimiter
// inside it, as the pattern `<[^<>]*>` would.
func dropEnclosed(s string, open, close byte) string {
	if strings.IndexByte(s, open) < 0 {
		return s
	}
	delims := string([]byte{open, close})
	var sb strings.Builder
	sb.Grow(len(s))
	for {
		i := strings.IndexByte(s, open)
		if i < 0 {
			break
		}
		j := strings.IndexAny(s[i+1:], delims)
		if j < 0 {
			break
		}
		if s[i+1+j] == open { // an unmatched opener is text
			sb.WriteString(s[:i+1+j])
			s = s[i+1+j:]
			continue
		}
		sb.WriteString(s[:i])
		s = s[i+1+j+1:]
	}
	sb.WriteString(s)
	return sb.String()
}

// unescapeText resolves character references astisub leaves in place (it
// knows only &amp;, &lt; and &nbsp;).
func unescapeText(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return html.UnescapeString(s)
}

// cueLines holds a cue's text per line as plain and styled text.
type cueLines struct {
	plain, styled []string
}

func (c *cueLines) add(plain, styled string) {
	plain = strings.Join(strings.Fields(dropControls(plain)), " ") // one space between words, whatever the markup did
	if plain == "" {
		return
	}
	c.plain = append(c.plain, plain)
	c.styled = append(c.styled, strings.TrimSpace(dropControls(styled)))
}

// dropControls removes control characters, which no player shows and
// which would make the stored track look binary; a tab becomes a space.
func dropControls(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case r < 0x20 || r == 0x7F || r >= 0x80 && r < 0xA0:
			return -1
		}
		return r
	}, s)
}

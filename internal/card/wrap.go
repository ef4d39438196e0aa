package card

import (
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// fitQuote lays the quote out at the largest size whose lines fit the
// quote block; at the smallest size a quote that still does not fit is cut
// after the last line that does, ending in an ellipsis.
func (r *Renderer) fitQuote(f *opentype.Font, text string) (lines []string, size int, cut bool, err error) {
	text = oneLine(text)
	var fc font.Face
	for _, size = range quoteSizes {
		if fc, err = face(f, size); err != nil {
			return nil, 0, false, err
		}
		lines = wrap(fc, text, textWidth)
		if len(lines) <= maxQuoteLines(size) {
			fc.Close()
			return lines, size, false, nil
		}
		fc.Close()
	}
	// size is the smallest now; fc has been closed, so make it again.
	if fc, err = face(f, size); err != nil {
		return nil, 0, false, err
	}
	defer fc.Close()
	n := maxQuoteLines(size)
	lines = lines[:n]
	last := strings.TrimRightFunc(lines[n-1], isSpace)
	lines[n-1], _ = fitLine(fc, last+ellipsis, textWidth)
	return lines, size, true, nil
}

// maxQuoteLines is how many lines of size px fit the quote block.
func maxQuoteLines(size int) int {
	return (quoteLimit-quoteTop-size)/(size*5/4) + 1
}

func isSpace(r rune) bool { return r == ' ' }

// wrap breaks text into lines no wider than width, at spaces; a word wider
// than a whole line is broken between characters.
func wrap(f font.Face, text string, width int) []string {
	limit := fixed.I(width)
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		try := word
		if line != "" {
			try = line + " " + word
		}
		if font.MeasureString(f, try) <= limit {
			line = try
			continue
		}
		if line != "" {
			lines = append(lines, line)
			line = ""
		}
		for font.MeasureString(f, word) > limit {
			head := fitRunes(f, word, limit)
			lines = append(lines, head)
			word = word[len(head):]
		}
		line = word
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// fitLine returns s, or the longest prefix of it that fits width followed
// by an ellipsis; ok is false when it had to cut.
func fitLine(f font.Face, s string, width int) (string, bool) {
	limit := fixed.I(width)
	if font.MeasureString(f, s) <= limit {
		return s, true
	}
	s = strings.TrimSuffix(s, ellipsis)
	room := limit - font.MeasureString(f, ellipsis)
	head := strings.TrimRightFunc(fitRunes(f, s, room), isSpace)
	return head + ellipsis, false
}

// fitRunes is the longest prefix of s (at least one character, so
// wrapping always advances) no wider than limit.
func fitRunes(f font.Face, s string, limit fixed.Int26_6) string {
	end := 0
	for i, r := range s {
		next := i + len(string(r))
		if end > 0 && font.MeasureString(f, s[:next]) > limit {
			break
		}
		end = next
	}
	return s[:end]
}

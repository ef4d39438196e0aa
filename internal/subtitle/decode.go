package subtitle

import (
	"bytes"
	"net/http"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// Encodings Report.Encoding can name.
const (
	encUTF8    = "utf-8"
	encUTF16LE = "utf-16le"
	encUTF16BE = "utf-16be"
	encCP1252  = "windows-1252"
	encLatin9  = "iso-8859-15"
)

// decode turns the file's bytes into UTF-8 text with "\n" line endings and
// no BOM, and names the encoding it came in.
func decode(data []byte) (string, string, error) {
	enc, body := sniffEncoding(data)
	if enc == encUTF8 && !utf8.Valid(body) {
		enc = "" // a UTF-8 BOM on 8-bit text: trust the bytes, not the mark
		data = body
	}
	if enc == "" {
		if reason := binaryReason(data); reason != "" {
			return "", "", &Error{Reason: "not a subtitle file: " + reason, Kind: ErrNotSubtitle}
		}
		enc = legacyEncoding(data)
		body = data
	}
	text, err := convert(enc, body)
	if err != nil {
		return "", "", &Error{Reason: "cannot decode " + enc + " text: " + err.Error(), Kind: ErrInvalid}
	}
	text = strings.TrimPrefix(text, "\uFEFF")
	if strings.IndexByte(text, 0) >= 0 {
		return "", "", &Error{Reason: "not a subtitle file: contains NUL characters", Kind: ErrNotSubtitle}
	}
	return normaliseNewlines(text), enc, nil
}

// sniffEncoding recognises byte-order marks and BOM-less UTF-16. It returns
// "" when the bytes carry no such sign.
func sniffEncoding(data []byte) (string, []byte) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return encUTF8, data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return encUTF16LE, data[2:]
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return encUTF16BE, data[2:]
	}
	// Text in UTF-16 without a BOM has a zero byte in every other position
	// for ASCII characters: subtitle files are mostly digits and ASCII.
	n := min(len(data), 4096) &^ 1
	if n < 4 {
		return "", nil
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if data[i] == 0 {
			even++
		}
		if data[i+1] == 0 {
			odd++
		}
	}
	half := n / 2
	switch {
	case odd*10 >= half*4 && even*10 < half:
		return encUTF16LE, data
	case even*10 >= half*4 && odd*10 < half:
		return encUTF16BE, data
	}
	return "", nil
}

// binaryReason says why data is not text at all, or "" if it may be text.
func binaryReason(data []byte) string {
	sample := data[:min(len(data), 8192)]
	if ct := http.DetectContentType(sample); !strings.HasPrefix(ct, "text/") &&
		ct != "application/octet-stream" && !strings.Contains(ct, "xml") {
		return "content looks like " + ct
	}
	var ctl int
	for _, b := range sample {
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != 0x1A {
			ctl++
		}
	}
	if ctl > 0 && ctl*100 >= len(sample) || bytes.IndexByte(sample, 0) >= 0 {
		return "binary content"
	}
	return ""
}

// legacyEncoding picks the encoding of text that is not UTF-16. Valid UTF-8
// is UTF-8. Otherwise it is an 8-bit Western code page: Windows-1252 is a
// superset of ISO-8859-1's printable characters, so the only choice worth
// making is ISO-8859-15, whose € œ Œ š Š ž Ž Ÿ sit where ISO-8859-1 has
// rarely used signs (¤ ½ ¼ ¨ ¦ ¸ ´ ¾), and Windows-1252 has none of its
// letters in 0x80-0x9F.
func legacyEncoding(data []byte) string {
	if utf8.Valid(data) {
		return encUTF8
	}
	var c1, latin9 int
	for i, b := range data {
		switch {
		case b >= 0x80 && b <= 0x9F:
			c1++
		case b == 0xA4: // € before or after an amount
			if nearDigit(data, i) {
				latin9++
			}
		case b == 0xA6 || b == 0xA8 || b == 0xB4 || b == 0xB8 || b == 0xBC || b == 0xBD || b == 0xBE:
			if nearLetter(data, i) {
				latin9++
			}
		}
	}
	if c1 == 0 && latin9 > 0 {
		return encLatin9
	}
	return encCP1252
}

func nearDigit(data []byte, i int) bool {
	for _, j := range []int{i - 2, i - 1, i + 1, i + 2} {
		if j >= 0 && j < len(data) && data[j] >= '0' && data[j] <= '9' {
			return true
		}
	}
	return false
}

func nearLetter(data []byte, i int) bool {
	letter := func(j int) bool {
		if j < 0 || j >= len(data) {
			return false
		}
		b := data[j] | 0x20
		return b >= 'a' && b <= 'z' || data[j] >= 0xC0
	}
	return letter(i-1) || letter(i+1)
}

func convert(enc string, body []byte) (string, error) {
	var e encoding.Encoding
	switch enc {
	case encUTF8:
		return string(body), nil
	case encUTF16LE:
		e = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	case encUTF16BE:
		e = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	case encLatin9:
		e = charmap.ISO8859_15
	default:
		e = charmap.Windows1252
	}
	out, err := e.NewDecoder().Bytes(body)
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// normaliseNewlines turns CRLF and lone CR into LF. astisub splits lines
// itself, but mis-splits a CRLF that arrives across two reads; one form of
// line ending also keeps our pre-scan's line numbers equal to astisub's.
func normaliseNewlines(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// checkLineLengths rejects a line longer than maxLine, naming it.
func checkLineLengths(text string) error {
	line := 1
	for len(text) > 0 {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			i = len(text)
		}
		if i > maxLine {
			return invalid(line, "line is %d bytes long, the limit is %d", i, maxLine)
		}
		line++
		if i == len(text) {
			break
		}
		text = text[i+1:]
	}
	return nil
}

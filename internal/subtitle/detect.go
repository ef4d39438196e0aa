package subtitle

import (
	"encoding/xml"
	"path"
	"strings"
)

// detect names the format of decoded text from its content. The name hint
// only decides between SSA and ASS when the content does not say.
func detect(text, nameHint string) (Format, error) {
	t := strings.TrimLeft(text, " \t\n\f")
	if t == "" {
		return "", invalid(0, "file is empty")
	}
	if strings.HasPrefix(t, "WEBVTT") && (len(t) == 6 || strings.ContainsRune(" \t\n", rune(t[6]))) {
		return FormatVTT, nil
	}
	if t[0] == '<' {
		if root := rootElement(t); root != "tt" {
			return "", &Error{Reason: "not a subtitle file: XML or HTML document whose root is <" + root + ">, not TTML <tt>", Kind: ErrNotSubtitle}
		}
		return FormatTTML, nil
	}
	head := strings.ToLower(t[:min(len(t), 8192)])
	if strings.Contains(head, "[script info]") || strings.Contains(head, "[events]") ||
		strings.Contains(head, "[v4+ styles]") || strings.Contains(head, "[v4 styles]") {
		switch {
		case strings.Contains(head, "[v4+ styles]") || strings.Contains(head, "scripttype: v4.00+"):
			return FormatASS, nil
		case strings.Contains(head, "[v4 styles]") || strings.Contains(head, "scripttype: v4.00"):
			return FormatSSA, nil
		case formatFromName(nameHint) == FormatSSA:
			return FormatSSA, nil
		}
		return FormatASS, nil
	}
	if hasTimingLine(t) {
		return FormatSRT, nil
	}
	return "", &Error{Reason: "not a subtitle file: no timing lines, WebVTT header, SSA sections or TTML root found", Kind: ErrNotSubtitle}
}

// hasTimingLine reports whether some line looks like "00:00:01,000 --> …".
func hasTimingLine(t string) bool {
	for len(t) > 0 {
		i := strings.Index(t, "-->")
		if i < 0 {
			return false
		}
		start := strings.LastIndexByte(t[:i], '\n') + 1
		if before := strings.TrimSpace(t[start:i]); before != "" && strings.ContainsAny(before, "0123456789") &&
			strings.Trim(before, "0123456789:.,") == "" {
			return true
		}
		t = t[i+3:]
	}
	return false
}

// rootElement returns the local name of the first element, or a short
// description of why there is none.
func rootElement(t string) string {
	d := xml.NewDecoder(strings.NewReader(t))
	d.Strict = false
	for range 64 {
		tok, err := d.Token()
		if err != nil {
			return "?"
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
	return "?"
}

// formatFromName maps a file name or bare extension to a format, or "".
func formatFromName(name string) Format {
	ext := path.Ext(name)
	if ext == "" {
		ext = name
	}
	ext = strings.ToLower(strings.TrimPrefix(ext, "."))
	switch ext {
	case "srt":
		return FormatSRT
	case "vtt", "webvtt":
		return FormatVTT
	case "ssa":
		return FormatSSA
	case "ass":
		return FormatASS
	case "ttml", "dfxp", "xml":
		return FormatTTML
	case "stl":
		return FormatSTL
	}
	return ""
}

// sameFamily reports whether a name hint agrees with the detected format
// closely enough not to warn about it.
func sameFamily(hinted, got Format) bool {
	ssa := func(f Format) bool { return f == FormatSSA || f == FormatASS }
	return hinted == got || ssa(hinted) && ssa(got)
}

package server

import (
	"net/http"
	"strings"
)

// maxMetaDescription bounds a page's description, in characters: search
// engines show about 160; a little more lets them choose.
const maxMetaDescription = 300

// abs is path on the site's public address (Server.publicOrigin).
func (p *pages) abs(r *http.Request, path string) string { return p.origin(r) + path }

// metaText is s on one line, white space collapsed, cut to n characters
// at a word boundary with an ellipsis.
func metaText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len([]rune(s)) <= n {
		return s
	}
	cut := string([]rune(s)[:n-1])
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

// joinNonEmpty joins the parts that are not blank.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, s := range parts {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, sep)
}

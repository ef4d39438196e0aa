package server

import (
	"net/http"
	"net/url"
	"strings"
)

// Links that leave the site (oEmbed answers, the iframe code, Open Graph
// tags) must be absolute. They are made on the public base URL when one is
// configured (VERBATIM_BASE_URL), else on the origin the request came to:
// a deployment behind a proxy that rewrites Host should set the base URL.
// ownPath reads such a link back (the url oEmbed is asked about).

// absURL is path (with its query) on the site's public origin
// (publicOrigin: the base URL, else the request's own).
func (s *Server) absURL(r *http.Request, path string) string {
	return s.publicOrigin(r) + path
}

// ownPath is the path and query of u when u is an absolute http(s) URL of
// this site — on its public base URL, or on the origin the request came
// to, either scheme — and ok false for anything else (another site, a
// relative or malformed URL).
func (s *Server) ownPath(r *http.Request, u string) (path string, query url.Values, ok bool) {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.User != nil {
		return "", nil, false
	}
	prefix, host := "", r.Host
	if s.opts.BaseURL != "" {
		b, err := url.Parse(s.opts.BaseURL)
		if err != nil {
			return "", nil, false
		}
		prefix, host = strings.TrimRight(b.Path, "/"), b.Host
	}
	if !strings.EqualFold(p.Host, host) && !strings.EqualFold(p.Host, r.Host) {
		return "", nil, false
	}
	path, found := strings.CutPrefix(p.Path, prefix)
	if !found || !strings.HasPrefix(path, "/") {
		return "", nil, false
	}
	q, err := url.ParseQuery(p.RawQuery)
	if err != nil {
		return "", nil, false
	}
	return path, q, true
}

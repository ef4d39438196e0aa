package server

import (
	"net/http"
	"net/url"
	"strings"
)

// publicOrigin is where absolute links to this site start (canonical
// links, sitemaps, the feed, structured data, Open Graph): the configured
// public URL (VERBATIM_PUBLIC_URL), or else the address this request
// reached (requestOrigin). It never ends in a slash.
func (s *Server) publicOrigin(r *http.Request) string {
	if s.opts.PublicURL != "" {
		return s.opts.PublicURL
	}
	return s.requestOrigin(r)
}

// requestOrigin is scheme://host as the client sees this site. The
// scheme is https over TLS or when a trusted proxy says so; the host is
// the trusted proxy's X-Forwarded-Host when it sends a well-formed one,
// else the Host header. Forwarded headers from anyone else are ignored,
// so a client cannot make the server name another site.
func (s *Server) requestOrigin(r *http.Request) string {
	scheme := "http"
	if s.secure(r) {
		scheme = "https"
	}
	host := r.Host
	if fh := r.Header.Get("X-Forwarded-Host"); fh != "" && s.fromTrustedProxy(r) {
		first, _, _ := strings.Cut(fh, ",")
		if first = strings.TrimSpace(first); plainHost(first) {
			host = first
		}
	}
	if !plainHost(host) {
		host = "localhost"
	}
	return scheme + "://" + host
}

// plainHost reports whether h is a host name or address with an optional
// port, and nothing that could change a URL's meaning once written into one.
func plainHost(h string) bool {
	if h == "" || len(h) > 261 {
		return false
	}
	for _, c := range h {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.', c == '-', c == ':', c == '[', c == ']', c == '_':
		default:
			return false
		}
	}
	return true
}

// absURL is path (with its query) on the site's public origin.
func (s *Server) absURL(r *http.Request, path string) string {
	return s.publicOrigin(r) + path
}

// ownPath reads an absolute link to this site back (the url oEmbed is
// asked about): the path and query of u when u is an http(s) URL on the
// public URL's host or the host this request reached, either scheme; ok
// is false for anything else (another site, a relative or malformed URL).
func (s *Server) ownPath(r *http.Request, u string) (path string, query url.Values, ok bool) {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.User != nil || !strings.HasPrefix(p.Path, "/") {
		return "", nil, false
	}
	own := false
	for _, origin := range []string{s.publicOrigin(r), s.requestOrigin(r)} {
		if o, err := url.Parse(origin); err == nil && strings.EqualFold(o.Host, p.Host) {
			own = true
		}
	}
	if !own {
		return "", nil, false
	}
	q, err := url.ParseQuery(p.RawQuery)
	if err != nil {
		return "", nil, false
	}
	return p.Path, q, true
}

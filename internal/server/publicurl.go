package server

import (
	"net/http"
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

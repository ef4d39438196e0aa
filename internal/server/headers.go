package server

import (
	"strings"

	"github.com/labstack/echo/v4"
)

// hsts tells browsers to come back over HTTPS only, for a year. It is sent
// only on a request that arrived over TLS (directly or from a trusted
// proxy that says so), never on plain HTTP, where it would mean nothing.
const hsts = "max-age=31536000"

// apiCSP is the policy of every non-page response (JSON, track exports,
// media): nothing in it may run or load anything, even if a browser were
// made to render it as a document. Pages set their own.
const apiCSP = "default-src 'none'; frame-ancestors 'none'; sandbox"

// securityHeaders are set before the handler runs, so that every response
// carries them, errors included: no response is ever sniffed into another
// type (an .srt export holds raw cue text, "<script>" and all).
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		if s.secure(c.Request()) {
			h.Set("Strict-Transport-Security", hsts)
		}
		if p := c.Request().URL.Path; strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/media/") {
			h.Set("Content-Security-Policy", apiCSP)
		}
		return next(c)
	}
}

package server

import (
	"crypto/hmac"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// CSRF protection for cookie-authenticated requests and page forms. Two
// independent checks, both required:
//
//   - the request comes from our own origin: Origin, when the browser
//     sends it, names this site; otherwise Sec-Fetch-Site, when sent, is
//     same-origin (or none: the person typed the address);
//   - it carries a token (form field _csrf or header X-CSRF-Token) that
//     only our pages know: an HMAC of the session's random nonce, or, for
//     the sign-in form before any session exists, of a random cookie
//     (double submit).
//
// Requests with an Authorization header are exempt: a browser never adds
// one by itself. Anonymous JSON API writes carry no ambient authority and
// get the origin check only.
const (
	csrfField  = "_csrf"
	csrfHeader = "X-CSRF-Token"
)

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if safeMethod(r.Method) || r.Header.Get(echo.HeaderAuthorization) != "" {
			return next(c)
		}
		if !s.sameOrigin(r) {
			return echo.NewHTTPError(http.StatusForbidden, "cross-site request refused (Origin / Sec-Fetch-Site is not this site)")
		}
		_, signedIn := currentSession(c)
		if !signedIn && strings.HasPrefix(r.URL.Path, "/api/") {
			return next(c)
		}
		token := r.Header.Get(csrfHeader)
		if token == "" && strings.HasPrefix(r.Header.Get(echo.HeaderContentType), echo.MIMEApplicationForm) {
			r.Body = http.MaxBytesReader(c.Response(), r.Body, 1<<20)
			token = r.PostFormValue(csrfField)
		}
		if !s.validCSRF(c, token) {
			return echo.NewHTTPError(http.StatusForbidden, "missing or stale CSRF token: reload the page and try again")
		}
		return next(c)
	}
}

// sameOrigin applies the Origin / Sec-Fetch-Site rule above.
func (s *Server) sameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" {
		return o == s.selfOrigin(r) || (s.baseOrigin != "" && o == s.baseOrigin)
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return true
	}
	return false
}

func (s *Server) selfOrigin(r *http.Request) string { return s.requestOrigin(r) }

func originOf(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// csrfToken is the token pages put into their forms: derived from the
// session, or from the sign-in cookie (ensured here) when signed out.
func (s *Server) csrfToken(c echo.Context) (string, error) {
	keys, err := s.sessKeys.keys(c.Request().Context())
	if err != nil {
		return "", err
	}
	if cs, ok := currentSession(c); ok {
		return b64.EncodeToString(mac(keys[0], "csrf", cs.Nonce)), nil
	}
	r := c.Request()
	name := s.csrfCookieName(r)
	nonce := ""
	if ck, err := r.Cookie(name); err == nil && len(ck.Value) >= 16 && len(ck.Value) <= 64 {
		nonce = ck.Value
	} else {
		nonce = randomToken()
		c.SetCookie(s.cookie(r, name, nonce, 0))
	}
	return b64.EncodeToString(mac(keys[0], "signin-csrf", nonce)), nil
}

func (s *Server) validCSRF(c echo.Context, token string) bool {
	got, err := b64.DecodeString(token)
	if err != nil || token == "" {
		return false
	}
	keys, err := s.sessKeys.keys(c.Request().Context())
	if err != nil {
		return false
	}
	r := c.Request()
	cs, signedIn := currentSession(c)
	ck, cerr := r.Cookie(s.csrfCookieName(r))
	for _, k := range keys {
		if signedIn && hmac.Equal(got, mac(k, "csrf", cs.Nonce)) {
			return true
		}
		if cerr == nil && ck.Value != "" && hmac.Equal(got, mac(k, "signin-csrf", ck.Value)) {
			return true
		}
	}
	return false
}

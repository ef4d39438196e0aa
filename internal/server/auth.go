package server

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

const principalKey = "verbatim.principal"

// sessionReader is implemented by the web login (pages*.go) once it
// exists: it resolves the session cookie to an account. The API's Bearer
// token is checked first; a request carrying neither is an anonymous viewer.
type sessionReader interface {
	sessionPrincipal(c echo.Context) (archive.Principal, bool, error)
}

// authenticate resolves who is asking. A token that does not resolve is a
// 401 even on public routes, so a client never mistakes a typo for
// anonymous access.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		who := archive.Principal{}
		if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
			scheme, token, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") {
				return echo.NewHTTPError(401, "use Authorization: Bearer <token>")
			}
			p, err := s.svc.Authenticate(c.Request().Context(), strings.TrimSpace(token))
			if err != nil {
				return err
			}
			who = p
		} else if sr, ok := any(s).(sessionReader); ok {
			p, found, err := sr.sessionPrincipal(c)
			if err != nil {
				return err
			}
			if found {
				who = p
			}
		}
		c.Set(principalKey, who)
		return next(c)
	}
}

// who is the principal authenticate stored for this request.
func who(c echo.Context) archive.Principal {
	p, _ := c.Get(principalKey).(archive.Principal)
	return p
}

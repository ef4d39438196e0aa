package server

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Authorization lives here and only here: the route table puts one of
// these on every route that is not for viewers, and the authorization
// matrix test (authz_test.go) holds every route to its entry. The Service
// checks again underneath, so a route that forgot would still not write.

// allowed reports whether p holds role (an admin holds every role).
func allowed(p archive.Principal, role archive.Role) bool {
	switch role {
	case archive.RoleAdmin:
		return p.Role == archive.RoleAdmin
	case archive.RoleEditor:
		return p.CanEdit()
	}
	return false
}

// apiRole guards API routes: 401 for anonymous callers, 403 for accounts
// without the role.
func (s *Server) apiRole(role archive.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p := who(c)
			switch {
			case allowed(p, role):
				return next(c)
			case p.Anonymous():
				return echo.NewHTTPError(http.StatusUnauthorized, "sign in or send an API token ("+string(role)+")")
			}
			return echo.NewHTTPError(http.StatusForbidden, "account "+p.Name+" is not "+string(role))
		}
	}
}

// pageRole guards editor pages: anonymous visitors are sent to the
// sign-in page (and back afterwards); accounts without the role get 403.
func (s *Server) pageRole(role archive.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p := who(c)
			switch {
			case allowed(p, role):
				c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
				return next(c)
			case p.Anonymous():
				next := c.Request().URL.Path
				if c.Request().Method != http.MethodGet {
					next = "/edit"
				}
				return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(next))
			}
			return echo.NewHTTPError(http.StatusForbidden, "account "+p.Name+" is not "+string(role))
		}
	}
}

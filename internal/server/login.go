package server

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

type loginPage struct {
	pageBase
	Name    string
	Next    string
	Message string // why the last attempt failed, translated
}

// loginForm serves GET /login.
func (s *Server) loginForm(c echo.Context) error {
	next := safeNext(c.QueryParam("next"))
	if who(c).CanEdit() {
		return c.Redirect(http.StatusSeeOther, next)
	}
	return s.renderLogin(c, http.StatusOK, "", next, "")
}

func (s *Server) renderLogin(c echo.Context, status int, name, next, msgKey string) error {
	if s.pg.err != nil {
		return s.pg.err
	}
	token, err := s.csrfToken(c)
	if err != nil {
		return err
	}
	base := s.pg.base(c, "login", "")
	base.Title = base.T("login.title")
	base.CSRF = token
	page := loginPage{pageBase: base, Name: name, Next: next}
	if msgKey != "" {
		page.Message = base.T(msgKey)
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return s.pg.render(c, status, "login", page)
}

// login handles POST /login (the CSRF middleware has checked origin and
// token). Throttled per account and per client address; an unknown name
// and a wrong password get the same answer after the same work.
func (s *Server) login(c echo.Context) error {
	name := strings.ToLower(strings.TrimSpace(c.FormValue("name")))
	password := c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	now := s.now()
	acctKey, addrKey := "account:"+name, "addr:"+c.RealIP()
	if wait := max(s.loginAcct.wait(acctKey, now), s.loginAddr.wait(addrKey, now)); wait > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return s.renderLogin(c, http.StatusTooManyRequests, name, next, "login.throttled")
	}
	_, sess, err := s.svc.SignIn(c.Request().Context(), name, []byte(password))
	if errors.Is(err, archive.ErrUnauthorized) {
		s.loginAcct.fail(acctKey, now)
		s.loginAddr.fail(addrKey, now)
		s.log.LogAttrs(c.Request().Context(), slog.LevelInfo, "sign-in refused", append(s.clientAttrs(c), slog.String("account", name))...)
		return s.renderLogin(c, http.StatusUnauthorized, name, next, "login.wrong")
	}
	if err != nil {
		return err
	}
	s.loginAcct.forget(acctKey)
	if err := s.startSession(c, sess); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// logout handles POST /logout: every session of the account ends (the
// epoch moves on), on this device and any other.
func (s *Server) logout(c echo.Context) error {
	if cs, ok := currentSession(c); ok {
		if err := s.svc.EndSessions(c.Request().Context(), cs.Name); err != nil {
			return err
		}
	}
	s.endSessionCookie(c)
	return c.Redirect(http.StatusSeeOther, "/")
}

// safeNext keeps a post-sign-in redirect on this site: a local path, not
// "//host" or "/\host" that browsers would read as another site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") || len(next) > 512 {
		return "/edit"
	}
	return next
}

package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// accountsPage is the admin's page of accounts (GET /admin/accounts).
type accountsPage struct {
	pageBase
	Accounts []archive.AccountInfo
	Token    string // a token just issued, shown this once
	TokenFor string
	Notice   string
	Problem  string
}

func (s *Server) accountsList(c echo.Context) error {
	return s.renderAccounts(c, http.StatusOK, accountsPage{})
}

func (s *Server) renderAccounts(c echo.Context, status int, page accountsPage) error {
	if s.pg.err != nil {
		return s.pg.err
	}
	accs, err := s.svc.ListAccounts(c.Request().Context(), who(c))
	if err != nil {
		return err
	}
	page.pageBase = s.pg.base(c, "admin", "")
	page.Title = page.T("admin.title")
	page.Accounts = accs
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return s.pg.render(c, status, "admin_accounts", page)
}

// accountAdd handles POST /admin/accounts.
func (s *Server) accountAdd(c echo.Context) error {
	name := strings.ToLower(strings.TrimSpace(c.FormValue("name")))
	var pw []byte
	if v := c.FormValue("password"); v != "" {
		pw = []byte(v)
	}
	token, err := s.svc.CreateAccount(c.Request().Context(), who(c), name, archive.Role(c.FormValue("role")), pw)
	if err != nil {
		return s.accountProblem(c, err)
	}
	return s.renderAccounts(c, http.StatusOK, accountsPage{Token: token, TokenFor: name})
}

// accountAction handles POST /admin/accounts/:name/:action (remove,
// password, token).
func (s *Server) accountAction(c echo.Context) error {
	ctx, me, name := c.Request().Context(), who(c), c.Param("name")
	var err error
	page := accountsPage{}
	switch c.Param("action") {
	case "remove":
		if name == me.Name {
			return s.accountProblem(c, fmt.Errorf("you cannot remove your own account: %w", archive.ErrInvalid))
		}
		err = s.svc.RemoveAccount(ctx, me, name)
		page.Notice = s.pg.base(c, "", "").T("admin.removed", name)
	case "password":
		err = s.svc.SetPassword(ctx, me, name, []byte(c.FormValue("password")))
		page.Notice = s.pg.base(c, "", "").T("admin.password.set", name)
	case "token":
		page.TokenFor = name
		page.Token, err = s.svc.IssueToken(ctx, me, name, c.FormValue("revoke") == "on")
	default:
		return echo.NewHTTPError(http.StatusNotFound, "no such account action")
	}
	if err != nil {
		return s.accountProblem(c, err)
	}
	return s.renderAccounts(c, http.StatusOK, page)
}

// accountProblem shows a refused change on the page itself (4xx), so the
// admin sees why; other failures go to the error handler.
func (s *Server) accountProblem(c echo.Context, err error) error {
	status, d := classify(err)
	if errors.Is(err, archive.ErrInvalid) {
		status, d.Message = http.StatusBadRequest, err.Error()
	}
	if status >= 500 || status == http.StatusUnauthorized || status == http.StatusForbidden {
		return err
	}
	return s.renderAccounts(c, status, accountsPage{Problem: strings.TrimPrefix(d.Message, "archive: ")})
}

// passwordPage lets any signed-in account change its own password.
type passwordPage struct {
	pageBase
	Done    bool
	Problem string
}

func (s *Server) passwordForm(c echo.Context) error {
	return s.renderPassword(c, http.StatusOK, passwordPage{})
}

func (s *Server) renderPassword(c echo.Context, status int, page passwordPage) error {
	if s.pg.err != nil {
		return s.pg.err
	}
	page.pageBase = s.pg.base(c, "password", "")
	page.Title = page.T("password.title")
	return s.pg.render(c, status, "password", page)
}

// passwordChange handles POST /edit/password: the current password is
// checked (throttled like a sign-in), the new one set, every session of
// the account ends, and this browser gets a fresh one.
func (s *Server) passwordChange(c echo.Context) error {
	me := who(c)
	now := s.now()
	key := "account:" + me.Name
	if s.loginAcct.wait(key, now) > 0 {
		return s.renderPassword(c, http.StatusTooManyRequests, passwordPage{Problem: s.pg.base(c, "", "").T("login.throttled")})
	}
	_, _, err := s.svc.SignIn(c.Request().Context(), me.Name, []byte(c.FormValue("current")))
	if errors.Is(err, archive.ErrUnauthorized) {
		s.loginAcct.fail(key, now)
		return s.renderPassword(c, http.StatusUnauthorized, passwordPage{Problem: s.pg.base(c, "", "").T("password.wrong")})
	}
	if err != nil {
		return err
	}
	if err := s.svc.SetPassword(c.Request().Context(), me, me.Name, []byte(c.FormValue("new"))); err != nil {
		if errors.Is(err, archive.ErrInvalid) {
			return s.renderPassword(c, http.StatusBadRequest, passwordPage{Problem: s.pg.base(c, "", "").T("password.invalid")})
		}
		return err
	}
	_, sess, err := s.svc.SignIn(c.Request().Context(), me.Name, []byte(c.FormValue("new")))
	if err != nil {
		return err
	}
	if err := s.startSession(c, sess); err != nil {
		return err
	}
	return s.renderPassword(c, http.StatusOK, passwordPage{Done: true})
}

package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/i18n"
)

// uiCookie remembers a viewer's explicit choice of interface language.
const uiCookie = "verbatim_ui"

// pageBase is what every page's layout needs.
type pageBase struct {
	UI      *i18n.Translator
	Page    string // home, watch, search, error: the body class
	Title   string
	Query   string // the header search box's value
	UILinks []uiLink
	// Account is the signed-in account ("" for viewers); CSRF is the token
	// its forms carry (the sign-out button, editor forms).
	Account string
	Admin   bool
	CSRF    string
	// What search engines read (pages_seo.go): the page's one absolute
	// address, a description from what viewers may see, and a robots
	// directive ("" : index).
	Canonical, Description, Robots string
}

// T translates a catalog key; templates call it as {{.T "key"}}.
func (b pageBase) T(key string, args ...any) string { return b.UI.T(key, args...) }

// N translates a key with a plural form chosen by n.
func (b pageBase) N(key string, n int, args ...any) string { return b.UI.N(key, n, args...) }

type uiLink struct {
	Lang    string
	Name    string
	URL     string
	Current bool
}

// base picks the interface language (?ui=, then the cookie, then
// Accept-Language) and remembers an explicit ?ui= choice in a cookie.
func (p *pages) base(c echo.Context, page, title string) pageBase {
	req := c.Request()
	choice := c.QueryParam("ui")
	if p.i18n.Has(choice) {
		c.SetCookie(&http.Cookie{
			Name: uiCookie, Value: choice, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.Scheme() == "https",
		})
	}
	var saved string
	if ck, err := req.Cookie(uiCookie); err == nil {
		saved = ck.Value
	}
	tr := p.i18n.Match(req.Header.Get("Accept-Language"), choice, saved)
	b := pageBase{UI: tr, Page: page, Title: title}
	if pr := who(c); !pr.Anonymous() && p.csrfToken != nil {
		b.Account, b.Admin = pr.Name, pr.Role == archive.RoleAdmin
		b.CSRF, _ = p.csrfToken(c)
	}
	q := p.pageParams(c)
	for _, lang := range p.i18n.Langs() {
		q.Set("ui", lang)
		u := url.URL{Path: req.URL.Path, RawQuery: q.Encode()}
		b.UILinks = append(b.UILinks, uiLink{Lang: lang, Name: langName(lang), URL: u.String(), Current: lang == tr.Lang()})
	}
	return b
}

// pageQueryParams are the parameters the pages read; the language links
// carry these and no others.
var pageQueryParams = []string{"q", "lang", "speaker", "event", "page", "t", "end", "next"}

// pageParams is the request's page parameters, each cut to the longest
// query the archive searches: links repeat them, so a page never repeats
// what an oversized request sent.
func (p *pages) pageParams(c echo.Context) url.Values {
	v := url.Values{}
	for _, name := range pageQueryParams {
		if s := c.QueryParam(name); s != "" {
			v.Set(name, clipRunes(s, p.maxQuery()))
		}
	}
	return v
}

// langName is a language's own name ("Deutsch", "Français"), the form
// language pickers use so a reader finds their language in any interface.
func langName(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	name := display.Self.Name(t)
	if name == "" {
		return tag
	}
	r, n := utf8.DecodeRuneInString(name)
	return string(unicode.ToUpper(r)) + name[n:]
}

// dateText writes a YYYY-MM-DD date the way the interface language does.
func dateText(tr *i18n.Translator, date string) string {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return tr.T("date.format", d.Day(), tr.T("month."+strconv.Itoa(int(d.Month()))), d.Year())
}

// durationText writes a length in hours and minutes ("1 h 05 min").
func durationText(tr *i18n.Translator, ms int64) string {
	if ms <= 0 {
		return ""
	}
	sec := (ms + 500) / 1000
	switch {
	case sec >= 3600:
		m := (sec + 30) / 60
		return tr.T("duration.hm", m/60, pad2(m%60))
	case sec >= 60:
		return tr.T("duration.m", (sec+30)/60)
	}
	return tr.T("duration.s", sec)
}

func pad2(n int64) string {
	s := strconv.FormatInt(n, 10)
	if len(s) < 2 {
		s = "0" + s
	}
	return s
}

// sameLang compares BCP 47 tags loosely ("de" and "DE" are the same).
func sameLang(a, b string) bool { return strings.EqualFold(a, b) }

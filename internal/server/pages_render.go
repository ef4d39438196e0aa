package server

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/i18n"
	"github.com/verbatim-archive/verbatim/web"
)

// pages renders the viewer's HTML pages: the archive home, the watch page
// and search. Templates, catalogs and assets are loaded once, here.
type pages struct {
	store  pageStore
	i18n   *i18n.Bundle
	tmpl   map[string]*template.Template
	assets *assetSet
	log    *slog.Logger
	csp    string
	// embedTmpl and embedCSP are the embeds' page and policy
	// (pages_embed.go): the same policy but for frame-ancestors.
	embedTmpl *template.Template
	embedCSP  string
	err       error // set when the pages could not be loaded
	// csrfToken gives signed-in pages their form token (Server.csrfToken).
	csrfToken func(echo.Context) (string, error)
	// maxQueryChars is the archive's longest query (0: its default):
	// pages echo no more of a parameter than that.
	maxQueryChars int
	// quotes reads a quote as viewers see it (nil: no quote pages);
	// clipping says whether the server cuts clips; publicOrigin is the
	// scheme://host absolute URLs start with.
	quotes       quoteSource
	clipping     bool
	publicOrigin func(*http.Request) string
	now          func() time.Time // the clock (nil: time.Now)
}

func (p *pages) maxQuery() int {
	if p.maxQueryChars > 0 {
		return p.maxQueryChars
	}
	return archive.DefaultMaxQueryChars
}

// pages builds the viewer pages on the server's Service. The embedded
// files cannot fail to load in a built binary (tests load them), but if
// they did, every page answers with the error instead of the server
// refusing to start its API.
func (s *Server) pages() *pages {
	var media []string
	if s.opts.PresignTTL > 0 {
		// Media may redirect to a presigned object-store URL whose origin
		// only the store knows; media cannot run script, so allow any.
		media = []string{"https:", "http:"}
	}
	p, err := newPages(viewerStore{svc: s.svc}, s.log, media...)
	if err != nil {
		s.log.Error("viewer pages unavailable", "err", err)
		return &pages{err: err}
	}
	p.csrfToken = s.csrfToken
	p.maxQueryChars = s.svc.QueryLimits().MaxChars
	p.quotes = func(ctx context.Context, id string) (archive.QuoteView, error) {
		return s.svc.QuoteView(ctx, archive.Principal{}, id)
	}
	p.clipping = s.clips != nil
	p.publicOrigin = s.publicOrigin
	p.now = s.now
	return p
}

// pageNames are the templates, each parsed together with layout.html.
var pageNames = []string{"home", "watch", "search", "error", "login", "edit_list", "admin_accounts", "password", "edit_recording", "edit_speakers", "quote"}

// newPages loads everything the pages need from the embedded web package.
// mediaOrigins lists extra origins the video may come from (a presigning
// object store); the page's Content-Security-Policy allows them for media
// only.
func newPages(store pageStore, log *slog.Logger, mediaOrigins ...string) (*pages, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	bundle, err := i18n.Load(web.Catalogs(), "en")
	if err != nil {
		return nil, fmt.Errorf("server: pages: %w", err)
	}
	assets, err := loadAssets(web.Static())
	if err != nil {
		return nil, err
	}
	p := &pages{store: store, i18n: bundle, assets: assets, log: log, tmpl: map[string]*template.Template{}}
	funcs := template.FuncMap{"asset": assets.url}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(web.Templates(), "layout.html", name+".html")
		if err != nil {
			return nil, fmt.Errorf("server: parse template %s: %w", name, err)
		}
		p.tmpl[name] = t
	}
	if p.embedTmpl, err = template.New("embed").Funcs(funcs).ParseFS(web.Templates(), "embed.html"); err != nil {
		return nil, fmt.Errorf("server: parse template embed: %w", err)
	}
	p.csp = contentSecurityPolicy(mediaOrigins, "'none'")
	p.embedCSP = contentSecurityPolicy(mediaOrigins, "*")
	return p, nil
}

// contentSecurityPolicy allows scripts and styles from this origin only
// (no inline code anywhere in the pages), and framing by frameAncestors:
// 'none' for every page but the embeds.
func contentSecurityPolicy(mediaOrigins []string, frameAncestors string) string {
	media := "'self'"
	for _, o := range mediaOrigins {
		if o = strings.TrimSpace(o); o != "" && !strings.ContainsAny(o, "; \t'\"") {
			media += " " + o
		}
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data:",
		"media-src " + media,
		"connect-src 'self'",
		"form-action 'self'",
		"base-uri 'none'",
		"frame-ancestors " + frameAncestors,
		// app.js never writes HTML from strings; make the browser enforce it.
		"require-trusted-types-for 'script'",
	}, "; ")
}

// setPageHeaders marks a page as not frameable, not to be sniffed, and
// varying with the viewer's language choice.
func (p *pages) setPageHeaders(h http.Header) {
	h.Set("Content-Security-Policy", p.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Cache-Control", "no-cache")
	h.Add("Vary", "Accept-Language, Cookie")
}

// render executes a page into memory first, so that a template error
// becomes a clean error response rather than half a page.
func (p *pages) render(c echo.Context, status int, name string, data any) error {
	t, ok := p.tmpl[name]
	if !ok {
		return fmt.Errorf("server: no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("server: render %s: %w", name, err)
	}
	p.setPageHeaders(c.Response().Header())
	return c.HTMLBlob(status, buf.Bytes())
}

// errorPage is a page for a failed request, in the viewer's language.
type errorPage struct {
	pageBase
	Heading string
	Message string
}

// renderError shows a failure as a page, with the status the server's one
// error mapping (classify) gives it; only 5xx are logged.
func (p *pages) renderError(c echo.Context, err error) error {
	status, _ := classify(err)
	kind := "server"
	switch status {
	case http.StatusNotFound:
		kind = "notfound"
	case http.StatusBadRequest:
		kind = "invalid"
	case http.StatusServiceUnavailable:
		kind = "unavailable"
	}
	if isFailure(status, err) {
		p.log.Error("page failed", "path", c.Request().URL.Path, "status", status, "err", err)
	}
	base := p.base(c, "error", "")
	base.Title = base.T("error." + kind + ".title")
	data := errorPage{pageBase: base, Heading: base.Title, Message: base.T("error." + kind + ".body")}
	return p.render(c, status, "error", data)
}

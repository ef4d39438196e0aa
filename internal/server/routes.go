package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// isLongRoute tells the routes that stream media or receive uploads for as
// long as it takes; the request timeout does not apply to them.
func isLongRoute(method, path string) bool {
	switch path {
	case "/media/:id", mediaUploadPath, "/q/:id/clip.mp4", "/q/:id/clip.webm":
		return true
	case "/api/v1/uploads/:upload":
		return method == "PATCH"
	case "/api/v1/recordings/:id/tracks/:lang":
		return method == "PUT"
	case "/api/v1/recordings/:id/tracks/:lang/check":
		return true
	}
	return false
}

// frameable are the routes whose pages other sites may frame: the embeds,
// sent with frame-ancestors * (pages_embed.go). Every other page says
// frame-ancestors 'none' and X-Frame-Options DENY.
var frameable = map[string]bool{"/embed/:id": true, "/embed/watch/:id": true}

// routes is the one route table.
func (s *Server) routes() {
	e := s.echo
	e.Use(s.track)
	e.Use(s.requestID)
	e.Use(middleware.Recover())
	e.Use(s.securityHeaders)
	e.Use(gzipResponses) // pages, API, assets; never media or ranges (gzip.go)
	e.Use(s.metrics.middleware)
	e.Use(s.requestLogger())
	e.Use(middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{
		Skipper: func(c echo.Context) bool { return isLongRoute(c.Request().Method, c.Path()) },
		Timeout: s.opts.RequestTimeout,
	}))
	e.Use(s.bodyDeadlines) // before anything reads a body (csrf reads forms)
	e.Use(s.authenticate)
	e.Use(s.csrf)
	editor := s.apiRole(archive.RoleEditor)
	editorPage := s.pageRole(archive.RoleEditor)

	// Every read answers HEAD too: net/http drops the body, headers stay.
	read := []string{http.MethodGet, http.MethodHead}
	e.Match(read, "/healthz", s.healthz)
	e.Match(read, "/readyz", s.readyz)
	e.Match(read, "/media/:id", s.getMedia)
	e.Match(read, "/media/:id/poster.jpg", s.getPoster)

	api := e.Group("/api/v1")
	api.Match(read, "/recordings", s.listRecordings)
	// Writes check the caller's role before any body is read (apiRole);
	// uploads also take one of a capped number of slots.
	upload := s.uploads.middleware(asError)
	api.POST("/recordings", s.createRecording, editor)
	api.Match(read, "/recordings/:id", s.getRecording)
	api.PATCH("/recordings/:id", s.patchRecording, editor)
	api.DELETE("/recordings/:id", s.deleteRecording, editor)
	api.PUT("/recordings/:id/media", s.putMedia, editor, upload)
	api.PUT("/recordings/:id/tracks/:lang", s.putTrack, editor, upload)
	api.POST("/recordings/:id/tracks/:lang/check", s.checkTrack, editor, upload) // PUT's dry run
	api.Match(read, "/recordings/:id/tracks/:lang", s.getTrack)                  // also :lang = en.vtt|.srt|.ttml|.txt
	api.DELETE("/recordings/:id/tracks/:lang", s.deleteTrack, editor)
	api.Match(read, "/recordings/:id/tracks/:lang/source", s.getTrackSource, editor)
	api.Match(read, "/recordings/:id/audit", s.getAudit, editor)
	api.POST("/recordings/:id/tracks/:lang/shift", s.shiftTrack, editor)
	api.POST("/recordings/:id/tracks/:lang/linear", s.linearTrack, editor)
	api.Match(read, "/search", s.search, s.heavy.middleware(asError))
	api.POST("/quotes", s.createQuote) // who may: archive.Options.QuotesEditorsOnly
	api.Match(read, "/quotes/:id", s.getQuote)
	// Resumable uploads (tus.go): tus 1.0 core, creation, termination.
	api.POST("/uploads/", s.tus(s.tusd.PostFile), editor)
	api.HEAD("/uploads/:upload", s.tus(s.tusd.HeadFile), editor)
	api.PATCH("/uploads/:upload", s.tus(s.tusd.PatchFile), editor, upload)
	api.DELETE("/uploads/:upload", s.tus(s.tusd.DelFile), editor)

	// Viewer pages (pages*.go): HTML, in the viewer's language. Each
	// render takes a slot of the expensive-request limiter.
	pg := s.pages()
	s.pg = pg
	page := s.heavy.middleware(pg.renderError)
	e.Match(read, "/", pg.home, page)
	e.Match(read, "/events/:slug", pg.home, page)
	e.Match(read, "/watch/:id", pg.watch, page)
	e.Match(read, "/search", pg.search, page)
	e.Match(read, "/static/:name", pg.static)
	e.Match(read, "/robots.txt", s.robots)
	// For search engines and feed readers (sitemap.go, feed.go,
	// recording_card.go): from the catalog as anonymous viewers see it.
	heavy := s.heavy.middleware(asError)
	e.Match(read, "/sitemap.xml", s.sitemap, heavy)
	e.Match(read, "/sitemaps/:file", s.sitemapFile, heavy)
	e.Match(read, "/feed.atom", s.feed, heavy)
	e.Match(read, "/watch/:id/card.png", s.getRecordingCard, heavy)
	// A quote's share card and clip (quote_files.go): made once for what
	// the quote shows now, kept in storage, served with Range. A clip may
	// first wait for ffmpeg, within the cutter's own timeout.
	e.Match(read, "/q/:id", pg.quote, page) // the quote page (pages_quote.go)
	e.Match(read, "/q/:id/card.png", s.getQuoteCard, s.heavy.middleware(asError))
	e.Match(read, "/q/:id/clip.mp4", s.getQuoteClip)
	e.Match(read, "/q/:id/clip.webm", s.getQuoteClip)
	e.Match(read, "/q/:id/captions.vtt", s.getQuoteCaptions, s.heavy.middleware(asError))
	// Embeds (pages_embed.go, the only pages other sites may frame: see
	// frameable) and oEmbed (oembed.go), which gives their iframe code.
	embedBusy := s.heavy.middleware(func(c echo.Context, err error) error { return s.embedError(c, err) })
	e.Match(read, "/embed/:id", s.embedQuote, embedBusy)
	e.Match(read, "/embed/watch/:id", s.embedWatch, embedBusy)
	e.Match(read, "/oembed", s.getOEmbed, s.heavy.middleware(asError))

	// Sign-in (login.go) and the editors' pages (editor_*.go). Every
	// editor page is behind editorPage: the one role check for pages.
	e.Match(read, "/login", s.loginForm)
	e.POST("/login", s.login)
	e.POST("/logout", s.logout)
	ed := e.Group("/edit", editorPage)
	ed.Match(read, "", s.editList)
	ed.Match(read, "/password", s.passwordForm)
	ed.POST("/password", s.passwordChange)
	ed.Match(read, "/new", s.editNew)
	ed.POST("/new", s.editCreate)
	ed.Match(read, "/:id", s.editRecording)
	ed.POST("/:id", s.editSave)
	ed.POST("/:id/delete", s.editDelete)
	ed.Match(read, "/:id/speakers", s.editSpeakers)
	ed.POST("/:id/speakers", s.saveSpeakers)
	adm := e.Group("/admin", s.pageRole(archive.RoleAdmin))
	adm.Match(read, "/accounts", s.accountsList)
	adm.POST("/accounts", s.accountAdd)
	adm.POST("/accounts/:name/:action", s.accountAction)
}

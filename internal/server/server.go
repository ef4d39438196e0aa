// Package server is Verbatim's HTTP interface: one route table, short
// handlers that parse, call the archive Service and render, and one error
// handler that turns domain errors into statuses. Echo types stay inside
// this package.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	tusd "github.com/tus/tusd/v2/pkg/handler"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/card"
	"github.com/verbatim-archive/verbatim/internal/clip"
)

// Options configure a Server. Service is required.
type Options struct {
	Service *archive.Service
	Logger  *slog.Logger
	// MaxUpload is the largest media body accepted (413 beyond).
	MaxUpload int64
	// MaxTrack is the largest subtitle file accepted (413 beyond).
	MaxTrack int64
	// RequestTimeout bounds every request except media streaming and
	// uploads, which may legitimately run for hours.
	RequestTimeout time.Duration
	// PresignTTL > 0 redirects media requests to presigned URLs when the
	// store supports them.
	PresignTTL time.Duration
	// TrustedProxies are CIDR networks whose X-Forwarded-For is believed.
	TrustedProxies []string
	// PublicURL is the site's public address, scheme://host[:port]
	// without a trailing slash, for links that must be absolute ("":
	// derived from each request, publicurl.go). Browsers at it are
	// also same-origin for the CSRF check.
	PublicURL string
	// SessionKeys sign web sessions (HMAC-SHA256): the first signs, all
	// verify. Empty: a key generated once and kept in storage.
	SessionKeys [][]byte
	// SessionTTL is how long a sign-in lasts (default 12h).
	SessionTTL time.Duration
	// Login throttling: at most LoginPerAccount failed sign-ins per account
	// and LoginPerAddress per client address within LoginWindow (defaults
	// 5, 20, 15m).
	LoginPerAccount, LoginPerAddress int
	LoginWindow                      time.Duration
	// QuotesPerAddress is how many quotes one client address may ask for
	// without an account per QuoteWindow (defaults 30 per hour).
	QuotesPerAddress int
	QuoteWindow      time.Duration
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
	// Metrics is the registry the server's collectors join and /metrics
	// (AdminHandler) serves; nil: a registry of its own.
	Metrics *prometheus.Registry
	// LogClients adds the query string and the client's address to request
	// logs. Off by default: what people search for in this archive, and who
	// they are, is not written down unless the operator decides to.
	LogClients bool
	// ShutdownGrace is how long Serve lets requests in flight finish once
	// its context ends (default 25s); what is still running then is
	// cancelled.
	ShutdownGrace time.Duration
	// BodyIdleTimeout bounds the wait for the next bytes of any request
	// body; SmallBodyTimeout the whole read of a body other than media.
	BodyIdleTimeout, SmallBodyTimeout time.Duration
	// MaxConcurrentUploads caps media and track uploads running at once;
	// one more answers 503 busy with Retry-After.
	MaxConcurrentUploads int
	// MaxPerPage is the largest per_page a listing accepts (default 100).
	MaxPerPage int
	// MaxConcurrentSearch is how many expensive requests (search API,
	// search page, page renders) run at once (default 2 × GOMAXPROCS,
	// as config's); SearchWait is how long another waits for a slot before
	// 503 with Retry-After (default 2s).
	MaxConcurrentSearch int
	SearchWait          time.Duration
	// SitemapPageSize is how many URLs one sitemap file lists before
	// /sitemap.xml becomes an index (default DefaultSitemapPageSize, at
	// most sitemaps.org's 50,000); tests set a few.
	SitemapPageSize int
	// Clips cuts quote clips; nil (no ffmpeg) means the server has none.
	Clips *clip.Cutter
}

// Server is the HTTP interface: the JSON API, media, health and the viewer
// pages (pages*.go), all registered in the one route table in routes.go.
type Server struct {
	svc     *archive.Service
	log     *slog.Logger
	opts    Options
	echo    *echo.Echo
	pg      *pages // viewer pages; also answer browsers on unknown paths
	metrics *metrics

	now        func() time.Time
	sessKeys   *sessionKeys
	proxies    []*net.IPNet   // trusted proxies, for X-Forwarded-Proto
	baseOrigin string         // scheme://host of PublicURL, accepted as Origin
	loginAcct  *throttle      // failed sign-ins per account
	loginAddr  *throttle      // failed sign-ins per client address
	quoteAddr  *throttle      // anonymous quote requests per client address
	draining   atomic.Bool    // set when shutdown begins: /readyz answers 503
	inflight   sync.WaitGroup // requests being handled, waited for at shutdown
	uploads    *limiter       // media and track uploads running
	heavy      *limiter       // expensive requests: search and page renders
	tusd       *tusd.UnroutedHandler
	cards      *card.Renderer // quote share cards
	clips      *clip.Cutter   // quote clips; nil without ffmpeg
}

// New builds the server and its route table.
func New(o Options) (*Server, error) {
	if o.Service == nil {
		return nil, errors.New("server: New needs a Service")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxUpload <= 0 {
		o.MaxUpload = 20 << 30
	}
	if o.MaxTrack <= 0 {
		o.MaxTrack = 16 << 20
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 30 * time.Second
	}
	if o.MaxConcurrentSearch <= 0 {
		o.MaxConcurrentSearch = 2 * runtime.GOMAXPROCS(0)
	}
	if o.SearchWait <= 0 {
		o.SearchWait = 2 * time.Second
	}
	if o.ShutdownGrace <= 0 {
		o.ShutdownGrace = 25 * time.Second
	}
	if o.BodyIdleTimeout <= 0 {
		o.BodyIdleTimeout = 20 * time.Second
	}
	if o.SmallBodyTimeout <= 0 {
		o.SmallBodyTimeout = time.Minute
	}
	if o.MaxConcurrentUploads <= 0 {
		o.MaxConcurrentUploads = 8
	}
	if o.MaxPerPage <= 0 {
		o.MaxPerPage = 100
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 12 * time.Hour
	}
	if o.LoginPerAccount <= 0 {
		o.LoginPerAccount = 5
	}
	if o.LoginPerAddress <= 0 {
		o.LoginPerAddress = 20
	}
	if o.LoginWindow <= 0 {
		o.LoginWindow = 15 * time.Minute
	}
	if o.QuotesPerAddress <= 0 {
		o.QuotesPerAddress = 30
	}
	if o.QuoteWindow <= 0 {
		o.QuoteWindow = time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	for i, k := range o.SessionKeys {
		if len(k) < 32 {
			return nil, fmt.Errorf("server: session key %d has %d bytes; at least 32 are needed", i+1, len(k))
		}
	}
	s := &Server{
		svc: o.Service, log: o.Logger, opts: o, now: o.Now,
		sessKeys:   &sessionKeys{svc: o.Service, configured: o.SessionKeys},
		baseOrigin: originOf(o.PublicURL),
		loginAcct:  newThrottle(o.LoginPerAccount, o.LoginWindow),
		loginAddr:  newThrottle(o.LoginPerAddress, o.LoginWindow),
		quoteAddr:  newThrottle(o.QuotesPerAddress, o.QuoteWindow),
		heavy:      newLimiter("expensive requests", o.MaxConcurrentSearch, o.SearchWait, o.SearchWait),
	}
	var err error
	if s.metrics, err = newMetrics(o.Metrics, o.Service.Pending); err != nil {
		return nil, fmt.Errorf("server: metrics: %w", err)
	}
	for _, c := range o.TrustedProxies {
		if _, n, err := net.ParseCIDR(c); err == nil {
			s.proxies = append(s.proxies, n)
		}
	}
	s.uploads = newLimiter("uploads", o.MaxConcurrentUploads, 0, 5*time.Second)
	if s.cards, err = card.NewRenderer(); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s.clips = o.Clips
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Logger.SetOutput(discard{})
	extractor, err := ipExtractor(o.TrustedProxies)
	if err != nil {
		return nil, err
	}
	e.IPExtractor = extractor
	e.HTTPErrorHandler = s.handleError
	s.echo = e
	if s.tusd, err = s.newTusHandler(); err != nil {
		return nil, fmt.Errorf("server: resumable uploads: %w", err)
	}
	s.routes()
	return s, nil
}

// ServeHTTP makes the Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// errShutdown is the cause of the cancellation of requests still running
// when the shutdown grace is over.
var errShutdown = errors.New("server: shutting down, grace period over")

// cleanupBound is how long requests cut at the end of the grace get to
// clean up (abort a multipart upload, remove a temporary file) before
// Serve returns.
const cleanupBound = 5 * time.Second

// Serve serves on ln until ctx ends, then shuts down gracefully: it stops
// accepting, /readyz answers 503, and requests in flight (uploads
// included) get ShutdownGrace to finish. Requests still running then are
// cancelled (their context ends with errShutdown and their connections are
// closed) and Serve waits, briefly, for their handlers to clean up. It
// returns nil after a clean shutdown, whether or not requests were cut.
//
// Requests do not inherit ctx's cancellation (only its values): a signal
// must not cancel every request at once.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	base, cut := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cut(nil)
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	probing, stopProbe := context.WithCancel(context.WithoutCancel(ctx))
	defer stopProbe()
	go s.probe(probing)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	s.draining.Store(true)
	grace := s.opts.ShutdownGrace
	s.log.Info("server: shutting down; requests in flight may finish", "grace", grace)
	start := time.Now()
	drain, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := hs.Shutdown(drain)
	if err == nil {
		s.log.Info("server: every request finished", "after", time.Since(start).Round(time.Millisecond))
		return nil
	}
	s.log.Warn("server: grace period over; cancelling the requests still running", "grace", grace)
	cut(errShutdown)
	hs.Close()
	done := make(chan struct{})
	go func() { s.inflight.Wait(); close(done) }()
	select {
	case <-done:
		s.log.Info("server: cancelled requests cleaned up", "after", time.Since(start).Round(time.Millisecond))
	case <-time.After(cleanupBound):
		s.log.Warn("server: requests still cleaning up after the grace period; exiting", "waited", cleanupBound)
	}
	return nil
}

// connCtxKey holds the request's context as net/http made it, before any
// middleware narrowed it: it ends only when the client goes away or the
// shutdown grace is over (ContextTimeout's own context ends with every
// request it wraps).
const connCtxKey = "verbatim.connctx"

// track counts the request as in flight until its handler returns, so
// Serve can wait for cut requests to clean up. It is the outermost
// middleware.
func (s *Server) track(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		s.inflight.Add(1)
		defer s.inflight.Done()
		c.Set(connCtxKey, c.Request().Context())
		return next(c)
	}
}

// ipExtractor believes X-Forwarded-For only from the configured proxies;
// without any, the peer address is the client.
func ipExtractor(trusted []string) (echo.IPExtractor, error) {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect(), nil
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, c := range trusted {
		_, n, err := net.ParseCIDR(c)
		if err != nil {
			return nil, fmt.Errorf("server: trusted proxy %q: %w", c, err)
		}
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...), nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Route is one entry of the route table.
type Route struct{ Method, Path string }

// Routes lists the route table, sorted; the authorization matrix test
// holds every entry to its expectations, so a route cannot be added
// without saying who may use it.
func (s *Server) Routes() []Route {
	var out []Route
	for _, r := range s.echo.Routes() {
		out = append(out, Route{Method: r.Method, Path: r.Path})
	}
	slices.SortFunc(out, func(a, b Route) int { return strings.Compare(a.Path+" "+a.Method, b.Path+" "+b.Method) })
	return out
}

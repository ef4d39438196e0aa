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
	"time"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
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
	// BaseURL is the public URL of the site ("" : derive from requests).
	BaseURL string
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
	s := &Server{svc: o.Service, log: o.Logger, opts: o, metrics: newMetrics()}
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
	s.routes()
	return s, nil
}

// ServeHTTP makes the Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Serve serves on ln until ctx ends, then shuts down gracefully, giving
// requests in flight 10 seconds.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil {
		// Long media streams do not end by themselves: cut them.
		s.log.Warn("server: closing connections still open after 10s", "err", err)
		return hs.Close()
	}
	return nil
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

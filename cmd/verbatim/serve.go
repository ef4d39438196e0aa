package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/clip"
	"github.com/verbatim-archive/verbatim/internal/config"
	"github.com/verbatim-archive/verbatim/internal/server"
)

const serveAbout = `Serve the archive: the web pages, the JSON API under /api/v1, media with
HTTP Range under /media, /healthz and /readyz. Storage is the data
directory (objects/ and the embedded index/), or S3 and Meilisearch when
VERBATIM_S3_* and VERBATIM_MEILI_* are set. On Ctrl-C/SIGTERM it stops
accepting, lets requests in flight finish for VERBATIM_SHUTDOWN_GRACE
(25s), cancels what is left and exits 0.`

func runServe(ctx context.Context, args []string, io Stdio) error {
	fs, cfg, err := flags("serve", "[flags]", serveAbout, io)
	if err != nil {
		return err
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: serve takes no arguments, got %q", errUsage, fs.Args())
	}
	log := newLogger(io.Stderr, cfg)
	d, err := openServe(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	return serve(ctx, cfg, d, io, nil)
}

// serve listens on cfg.Addr and runs the server and the index retry loop
// until ctx ends. announce, if set, is told the URL once listening.
func serve(ctx context.Context, cfg *config.Config, d *deps, io Stdio, announce func(url string)) error {
	log := newLogger(io.Stderr, cfg)
	clips, err := newClipCutter(cfg, log)
	if err != nil {
		return err
	}
	if clips != nil {
		defer clips.Close()
	}
	srv, err := server.New(server.Options{
		Service: d.svc, Logger: log, MaxUpload: cfg.MaxUpload, MaxTrack: cfg.MaxTrack,
		RequestTimeout: cfg.RequestTimeout, PresignTTL: cfg.S3.Presign,
		TrustedProxies: cfg.TrustedProxies, PublicURL: cfg.PublicOrigin(),
		SessionKeys: sessionKeys(cfg.SessionKeys), SessionTTL: cfg.SessionTTL,
		ShutdownGrace: cfg.ShutdownGrace, LogClients: cfg.LogClients, Metrics: d.reg,
		BodyIdleTimeout: cfg.Limits.BodyIdleTimeout, SmallBodyTimeout: cfg.Limits.SmallBodyTimeout,
		MaxConcurrentUploads: cfg.Limits.MaxConcurrentUploads,
		MaxPerPage:           cfg.Limits.MaxPerPage,
		MaxConcurrentSearch:  cfg.Limits.MaxConcurrentSearch, SearchWait: cfg.Limits.SearchWait,
		QuotesPerAddress: cfg.Limits.QuotesPerHour, QuoteWindow: time.Hour,
		Clips: clips,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	url := baseURL(ln.Addr())
	log.Info("verbatim: listening", "url", url, "data", cfg.Data)
	if announce != nil {
		announce(url)
	}
	if io.Listening != nil {
		io.Listening(url)
	}
	if cfg.MetricsAddr != "" {
		// Its own listener, up until the public one has drained: scrapes
		// and probes keep answering during a shutdown.
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s (VERBATIM_METRICS_ADDR): %w", cfg.MetricsAddr, err)
		}
		log.Info("verbatim: metrics", "url", baseURL(mln.Addr())+"metrics")
		admin := &http.Server{Handler: srv.AdminHandler(), ReadHeaderTimeout: 10 * time.Second}
		go admin.Serve(mln)
		defer admin.Close()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	retry := make(chan error, 1)
	go func() { retry <- d.svc.Run(ctx) }()
	err = srv.Serve(ctx, ln)
	cancel()
	<-retry
	return err
}

// baseURL is how a person on this machine reaches the listener.
func baseURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String() + "/"
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

const demoAbout = `Seed a data directory with the two sample recordings (imported from
./subtitles: illustrative reconstructions, not records of what was said)
and serve it. Without --data (or VERBATIM_DATA) a temporary directory is
used and removed on exit. Prints the URL to open on stdout.`

func runDemo(ctx context.Context, args []string, io Stdio) error {
	fs, cfg, err := flags("demo", "[--data DIR] [flags]", demoAbout, io)
	if err != nil {
		return err
	}
	samples := fs.String("samples", "", "`directory` holding manifest.json of the samples (default: subtitles/ found from the working directory)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !flagSet(fs, "data") && io.Getenv("VERBATIM_DATA") == "" {
		tmp, err := os.MkdirTemp("", "verbatim-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		cfg.Data = tmp
	}
	if *samples == "" {
		if *samples, err = findSamples(); err != nil {
			return err
		}
	}
	log := newLogger(io.Stderr, cfg)
	d, err := openServe(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.svc.Import(ctx, system, os.DirFS(*samples), func(s string) { log.Info("demo: " + s) }); err != nil {
		return err
	}
	return serve(ctx, cfg, d, io, func(url string) {
		fmt.Fprintf(io.Stdout, "Verbatim demo: open %s\n(data in %s; sample recordings are illustrative reconstructions)\n", url, cfg.Data)
	})
}

// system is who commands act as: they run with the operator's rights.
var system = archive.Principal{Name: "verbatim-cli", Role: archive.RoleAdmin}

// findSamples looks for subtitles/manifest.json in the working directory
// and its parents, so the demo runs from anywhere in a checkout.
func findSamples() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "subtitles")
		if _, err := os.Stat(filepath.Join(p, "manifest.json")); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("demo: no subtitles/manifest.json in the working directory or its parents; run from a checkout or pass --samples DIR")
		}
		dir = parent
	}
}

func sessionKeys(keys []string) [][]byte {
	var out [][]byte
	for _, k := range keys {
		out = append(out, []byte(k))
	}
	return out
}

// newClipCutter starts the quote clip cutter, or returns nil when clips are
// off (VERBATIM_CLIP_JOBS=0) or ffmpeg is not installed: the server runs
// without them and quote pages say why.
func newClipCutter(cfg *config.Config, log *slog.Logger) (*clip.Cutter, error) {
	if cfg.Limits.ClipJobs == 0 {
		log.Info("verbatim: quote clips are off (VERBATIM_CLIP_JOBS=0)")
		return nil, nil
	}
	c, err := clip.New(clip.Options{FFmpeg: cfg.FFmpeg, Jobs: cfg.Limits.ClipJobs, Timeout: cfg.Limits.ClipTimeout, Log: log})
	if errors.Is(err, clip.ErrNoFFmpeg) {
		log.Info("verbatim: quote clips are off: ffmpeg is not installed")
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("quote clips: %w", err)
	}
	return c, nil
}

// newMediaTools starts the media worker's ffmpeg runner (one job at a
// time: a remux reads and writes a whole upload), or returns nil tools
// when ffmpeg is not installed: uploads then get no poster frame and no
// faststart remux, the work waits in storage, and the editors' pages say
// what was skipped.
func newMediaTools(cfg *config.Config, log *slog.Logger) (archive.MediaTools, func() error, error) {
	c, err := clip.New(clip.Options{FFmpeg: cfg.FFmpeg, Jobs: 1, Timeout: cfg.Limits.MediaTimeout, Log: log})
	if errors.Is(err, clip.ErrNoFFmpeg) {
		log.Info("verbatim: no poster frames or faststart remuxes: ffmpeg is not installed", "ffmpeg", cfg.FFmpeg)
		return nil, func() error { return nil }, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("media worker: %w", err)
	}
	return c, c.Close, nil
}

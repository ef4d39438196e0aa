package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/bleveindex"
	"github.com/verbatim-archive/verbatim/internal/config"
	"github.com/verbatim-archive/verbatim/internal/disk"
	"github.com/verbatim-archive/verbatim/internal/instrument"
	"github.com/verbatim-archive/verbatim/internal/media"
	"github.com/verbatim-archive/verbatim/internal/meili"
	"github.com/verbatim-archive/verbatim/internal/s3"
)

// deps are the opened dependencies of a command, closed together.
type deps struct {
	blobs  archive.Blobs
	index  archive.Index // nil when not opened
	svc    *archive.Service
	reg    *prometheus.Registry // metrics; nil unless opened by openServe
	closer []func() error
}

func (d *deps) Close() error {
	var errs []error
	for i := len(d.closer) - 1; i >= 0; i-- {
		errs = append(errs, d.closer[i]())
	}
	return errors.Join(errs...)
}

// objectsDir and indexDir lay out the data directory: objects as the
// bucket would hold them, and the embedded index beside them.
func objectsDir(cfg *config.Config) string { return filepath.Join(cfg.Data, "objects") }
func indexDir(cfg *config.Config) string   { return filepath.Join(cfg.Data, "index") }

func openBlobs(ctx context.Context, cfg *config.Config, d *deps) error {
	if cfg.S3.Enabled() {
		st, err := s3.Open(ctx, s3.Config{
			Endpoint: cfg.S3.Endpoint, Bucket: cfg.S3.Bucket, Region: cfg.S3.Region,
			AccessKey: cfg.S3.AccessKey, SecretKey: cfg.S3.SecretKey, Secure: cfg.S3.Secure,
			PartSize: cfg.S3.PartSize, CreateBucket: true,
		})
		if err != nil {
			return err
		}
		d.blobs = st
		return nil
	}
	st, err := disk.Open(objectsDir(cfg))
	if err != nil {
		return err
	}
	d.blobs = st
	d.closer = append(d.closer, st.Close)
	return nil
}

// openIndex opens the configured search index: Meilisearch, or the
// embedded bleve index in the data directory.
func openIndex(ctx context.Context, cfg *config.Config, log *slog.Logger) (archive.Index, func() error, error) {
	if cfg.Meili.Enabled() {
		key, err := cfg.Meili.APIKey()
		if err != nil {
			return nil, nil, err
		}
		x, err := meili.Open(ctx, meili.Config{
			URL: cfg.Meili.URL, APIKey: key, Index: cfg.Meili.Index, MaxHits: cfg.Meili.MaxHits, Log: log,
		})
		if err != nil {
			return nil, nil, err
		}
		return x, x.Close, nil
	}
	x, err := openBleve(indexDir(cfg))
	if err != nil {
		return nil, nil, err
	}
	return x, x.Close, nil
}

// openBleve opens the embedded index. bleveindex.Open gives up after a
// short wait when another process (a running server) holds it.
func openBleve(dir string) (*bleveindex.Index, error) {
	x, err := bleveindex.Open(dir)
	if errors.Is(err, archive.ErrUnavailable) {
		return nil, fmt.Errorf("the embedded index %s is held by another verbatim process (a server on this data directory?); "+
			"the embedded index serves one process only: to run several instances, use Meilisearch (VERBATIM_MEILI_URL) with S3 storage (VERBATIM_S3_*): %w", dir, err)
	}
	return x, err
}

type openMode int

const (
	withIndex    openMode = iota // the index must open
	indexIfFree                  // use the index when free, else mark writes for reindex
	withoutIndex                 // storage only
)

// open validates the configuration and opens storage, the index (per
// mode) and the Service.
func open(ctx context.Context, cfg *config.Config, mode openMode, log *slog.Logger) (*deps, error) {
	return openWith(ctx, cfg, mode, log, nil, nil)
}

// openServe opens what a server needs, with metrics: a registry holding
// the Go runtime and process collectors, and storage and index wrapped in
// instrumented decorators that join it.
func openServe(ctx context.Context, cfg *config.Config, log *slog.Logger) (*deps, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m, err := instrument.New(reg)
	if err != nil {
		return nil, err
	}
	tools, closeTools, err := newMediaTools(cfg, log)
	if err != nil {
		return nil, err
	}
	d, err := openWith(ctx, cfg, withIndex, log, m, tools)
	if err != nil {
		closeTools()
		return nil, err
	}
	d.closer = append(d.closer, closeTools)
	d.reg = reg
	return d, nil
}

func openWith(ctx context.Context, cfg *config.Config, mode openMode, log *slog.Logger, m *instrument.Metrics, tools archive.MediaTools) (*deps, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := &deps{}
	if err := openBlobs(ctx, cfg, d); err != nil {
		return nil, err
	}
	if m != nil {
		d.blobs = m.Blobs(d.blobs)
	}
	if mode != withoutIndex {
		x, closeIndex, err := openIndex(ctx, cfg, log)
		switch {
		case err == nil:
			d.index = x
			if m != nil {
				d.index = m.Index(x)
			}
			d.closer = append(d.closer, closeIndex)
		case mode == indexIfFree && errors.Is(err, archive.ErrUnavailable):
			log.Warn("search index busy: changes are recorded as pending index updates and the running server applies them", "err", err)
		default:
			d.Close()
			return nil, err
		}
	}
	var prober archive.Prober
	if p, err := media.NewProber(); err == nil {
		prober = p
	}
	svc, err := archive.NewService(archive.Options{
		Blobs: d.blobs, Index: d.index, Prober: prober, MediaTools: tools, Logger: log, MaxTrack: cfg.MaxTrack,
		MaxCues: cfg.Limits.MaxCues, MaxSpeakers: cfg.Limits.MaxSpeakers, MaxSpeakerName: cfg.Limits.MaxSpeakerName, MaxManifest: cfg.Limits.MaxManifest,
		Query:             archive.QueryLimits{MaxChars: cfg.Limits.MaxQueryChars, MaxTerms: cfg.Limits.MaxQueryTerms},
		CueCache:          cueCache(cfg.Limits.CueCache),
		CatalogFresh:      cfg.Limits.CatalogFresh,
		UploadExpiry:      cfg.UploadExpiry,
		QuotesEditorsOnly: cfg.QuotesBy == config.QuotesByEditors,
	})
	if err != nil {
		d.Close()
		return nil, err
	}
	d.svc = svc
	return d, nil
}

// cueCache maps the setting (0: none) to archive.Options.CueCache (0:
// the default, negative: none).
func cueCache(n int64) int64 {
	if n == 0 {
		return -1
	}
	return n
}

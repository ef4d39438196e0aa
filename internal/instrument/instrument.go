// Package instrument wraps archive.Blobs and archive.Index in decorators
// that time every operation into Prometheus histograms
// (verbatim_storage_operation_duration_seconds and
// verbatim_index_operation_duration_seconds, by operation and outcome).
// cmd/verbatim wraps the opened adapters with them at wiring time; the
// adapters and the archive know nothing of metrics. The decorators keep the
// optional interfaces the archive looks for (Presigner, ranged opens,
// ListAfter, Version, Ping), so wrapping changes no behaviour.
package instrument

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Metrics are the two operation histograms, registered once.
type Metrics struct {
	storage, index *prometheus.HistogramVec
}

// New registers the histograms on reg.
func New(reg prometheus.Registerer) (*Metrics, error) {
	buckets := []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	m := &Metrics{
		storage: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "verbatim_storage_operation_duration_seconds", Buckets: buckets,
			Help: "Time of object store operations (for reads: until the object is open), by operation and outcome.",
		}, []string{"op", "outcome"}),
		index: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "verbatim_index_operation_duration_seconds", Buckets: buckets,
			Help: "Time of search index operations, by operation and outcome.",
		}, []string{"op", "outcome"}),
	}
	for _, c := range []prometheus.Collector{m.storage, m.index} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// outcome names an operation's result without unbounded label values.
func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, archive.ErrNotFound):
		return "not_found"
	case errors.Is(err, archive.ErrPrecondition):
		return "precondition_failed"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	default:
		return "error"
	}
}

func observe(h *prometheus.HistogramVec, op string, start time.Time, err error) {
	h.WithLabelValues(op, outcome(err)).Observe(time.Since(start).Seconds())
}

// Blobs wraps b. The result also implements archive.Presigner and the
// ranged open when b does, and Ping always (listing accounts/ when b
// cannot ping, as the archive would).
func (m *Metrics) Blobs(b archive.Blobs) archive.Blobs {
	base := &blobs{m: m, b: b}
	_, ranged := b.(rangeOpener)
	_, presign := b.(archive.Presigner)
	switch {
	case ranged && presign:
		return &struct {
			*blobs
			rangedBlobs
			presignBlobs
		}{base, rangedBlobs{base}, presignBlobs{base}}
	case ranged:
		return &struct {
			*blobs
			rangedBlobs
		}{base, rangedBlobs{base}}
	case presign:
		return &struct {
			*blobs
			presignBlobs
		}{base, presignBlobs{base}}
	}
	return base
}

type rangeOpener interface {
	OpenRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)
}

type pinger interface {
	Ping(ctx context.Context) error
}

type blobs struct {
	m *Metrics
	b archive.Blobs
}

func (x *blobs) Get(ctx context.Context, key string, offset, length int64) (io.ReadCloser, archive.BlobInfo, error) {
	start := time.Now()
	rc, info, err := x.b.Get(ctx, key, offset, length)
	observe(x.m.storage, "get", start, err)
	return rc, info, err
}

func (x *blobs) Stat(ctx context.Context, key string) (archive.BlobInfo, error) {
	start := time.Now()
	info, err := x.b.Stat(ctx, key)
	observe(x.m.storage, "stat", start, err)
	return info, err
}

func (x *blobs) Put(ctx context.Context, key string, r io.Reader, size int64, opts archive.PutOptions) (archive.BlobInfo, error) {
	start := time.Now()
	info, err := x.b.Put(ctx, key, r, size, opts)
	observe(x.m.storage, "put", start, err)
	return info, err
}

func (x *blobs) Delete(ctx context.Context, key string) error {
	start := time.Now()
	err := x.b.Delete(ctx, key)
	observe(x.m.storage, "delete", start, err)
	return err
}

func (x *blobs) List(ctx context.Context, prefix string) ([]archive.BlobInfo, error) {
	start := time.Now()
	list, err := x.b.List(ctx, prefix)
	observe(x.m.storage, "list", start, err)
	return list, err
}

// ListAfter keeps the store's StartAfter listing (archive.AfterLister),
// or filters a whole listing as the archive would.
func (x *blobs) ListAfter(ctx context.Context, prefix, after string) ([]archive.BlobInfo, error) {
	start := time.Now()
	var list []archive.BlobInfo
	var err error
	if al, ok := x.b.(archive.AfterLister); ok {
		list, err = al.ListAfter(ctx, prefix, after)
	} else if list, err = x.b.List(ctx, prefix); err == nil {
		list = archive.AfterKey(list, after)
	}
	observe(x.m.storage, "list", start, err)
	return list, err
}

// ListPage keeps the store's bounded listing (archive.PageLister), or
// cuts a StartAfter listing as the archive would.
func (x *blobs) ListPage(ctx context.Context, prefix, after string, limit int) ([]archive.BlobInfo, error) {
	start := time.Now()
	var list []archive.BlobInfo
	var err error
	if pl, ok := x.b.(archive.PageLister); ok {
		list, err = pl.ListPage(ctx, prefix, after, limit)
	} else if list, err = x.ListAfter(ctx, prefix, after); err == nil && limit >= 0 {
		list = list[:min(limit, len(list))]
	}
	observe(x.m.storage, "list", start, err)
	return list, err
}

// Version keeps the store's cheap version token (archive.Versioner), or
// uses the ETag of a Stat as the archive would.
func (x *blobs) Version(ctx context.Context, key string) (string, error) {
	start := time.Now()
	var tok string
	var err error
	if v, ok := x.b.(archive.Versioner); ok {
		tok, err = v.Version(ctx, key)
	} else {
		var info archive.BlobInfo
		if info, err = x.b.Stat(ctx, key); err == nil {
			tok = info.ETag
		}
	}
	observe(x.m.storage, "version", start, err)
	return tok, err
}

func (x *blobs) Ping(ctx context.Context) error {
	start := time.Now()
	var err error
	if p, ok := x.b.(pinger); ok {
		err = p.Ping(ctx)
	} else {
		_, err = x.b.List(ctx, "accounts/")
	}
	observe(x.m.storage, "ping", start, err)
	return err
}

// Close closes the wrapped store when it can be closed.
func (x *blobs) Close() error {
	if c, ok := x.b.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

type rangedBlobs struct{ x *blobs }

func (r rangedBlobs) OpenRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	start := time.Now()
	rc, err := r.x.b.(rangeOpener).OpenRange(ctx, key, offset, length)
	observe(r.x.m.storage, "open_range", start, err)
	return rc, err
}

type presignBlobs struct{ x *blobs }

func (p presignBlobs) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	start := time.Now()
	u, err := p.x.b.(archive.Presigner).PresignGet(ctx, key, ttl)
	observe(p.x.m.storage, "presign", start, err)
	return u, err
}

// Index wraps x.
func (m *Metrics) Index(x archive.Index) archive.Index { return &index{m: m, x: x} }

type index struct {
	m *Metrics
	x archive.Index
}

func (i *index) Put(ctx context.Context, recordingID string, docs []archive.CueDoc) error {
	start := time.Now()
	err := i.x.Put(ctx, recordingID, docs)
	observe(i.m.index, "put", start, err)
	return err
}

func (i *index) Delete(ctx context.Context, recordingID string) error {
	start := time.Now()
	err := i.x.Delete(ctx, recordingID)
	observe(i.m.index, "delete", start, err)
	return err
}

func (i *index) Search(ctx context.Context, q archive.SearchQuery) (archive.SearchResult, error) {
	start := time.Now()
	res, err := i.x.Search(ctx, q)
	observe(i.m.index, "search", start, err)
	return res, err
}

func (i *index) Ping(ctx context.Context) error {
	start := time.Now()
	err := i.x.Ping(ctx)
	observe(i.m.index, "ping", start, err)
	return err
}

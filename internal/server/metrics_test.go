package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/bleveindex"
	"github.com/verbatim-archive/verbatim/internal/disk"
	"github.com/verbatim-archive/verbatim/internal/server"
)

// scrape fetches /metrics from h and parses it as Prometheus does.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("GET /metrics = %d %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return fams
}

// sample finds the metric of family name whose labels include want.
func metricOf(fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		return m
	}
	return nil
}

func TestMetrics(t *testing.T) {
	ts := newTestServer(t, nil)
	srv, err := server.New(server.Options{Service: ts.svc})
	if err != nil {
		t.Fatal(err)
	}
	ts.Server.Config.Handler = srv // the requests below go through srv
	ts.published(t, "r")
	uploadMedia(t, ts, "r", sample(t, 5000))
	// A chunked upload has no Content-Length; its bytes still count.
	req, _ := http.NewRequest("PUT", ts.URL+"/api/v1/recordings/r/media?name=b.webm", io.MultiReader(strings.NewReader(string(sample(t, 3000)))))
	req.Header.Set("Authorization", "Bearer "+ts.token)
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("chunked upload: %v %v", err, resp)
	}
	resp.Body.Close()
	readAll(t, ts.do(t, "GET", "/media/r", "", nil, "Range", "bytes=0-999"))
	readAll(t, ts.do(t, "GET", "/media/nope", "", nil)) // an error body is not media
	ts.do(t, "GET", "/api/v1/recordings/nope", "", nil)
	ts.do(t, "GET", "/no/such/route", "", nil)

	if resp := ts.do(t, "GET", "/metrics", "", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on the public listener = %d; want 404 (it is on its own listener)", resp.StatusCode)
	}
	admin := srv.AdminHandler()
	rec := httptest.NewRecorder()
	admin.ServeHTTP(rec, httptest.NewRequest("HEAD", "/metrics", nil))
	if rec.Code != 200 {
		t.Errorf("HEAD /metrics = %d; want 200", rec.Code)
	}

	var fams map[string]*dto.MetricFamily
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		fams = scrape(t, admin)
		// handlers record after the client has the last byte
		if metricOf(fams, "verbatim_http_request_duration_seconds", map[string]string{"route": "/media/:id", "code": "2xx"}) != nil || time.Now().After(deadline) {
			break
		}
	}
	for _, w := range []struct {
		labels map[string]string
		count  uint64
	}{
		{map[string]string{"route": "/api/v1/recordings", "method": "POST", "code": "2xx"}, 1},
		{map[string]string{"route": "/api/v1/recordings/:id/media", "method": "PUT", "code": "2xx"}, 2},
		{map[string]string{"route": "/media/:id", "method": "GET", "code": "2xx"}, 1},
		{map[string]string{"route": "/media/:id", "method": "GET", "code": "4xx"}, 1},
		{map[string]string{"route": "/api/v1/recordings/:id", "method": "GET", "code": "4xx"}, 1},
		{map[string]string{"route": "unmatched", "method": "GET", "code": "4xx"}, 2},
	} {
		m := metricOf(fams, "verbatim_http_request_duration_seconds", w.labels)
		if m == nil || m.Histogram.GetSampleCount() != w.count || len(m.Histogram.Bucket) == 0 {
			t.Errorf("request duration histogram %v = %v; want %d observations in buckets", w.labels, m, w.count)
		}
	}
	for dir, want := range map[string]float64{"sent": 1000, "received": 8000} {
		if m := metricOf(fams, "verbatim_media_bytes_total", map[string]string{"direction": dir}); m == nil || m.Counter.GetValue() != want {
			t.Errorf("verbatim_media_bytes_total{direction=%q} = %v; want %v", dir, m, want)
		}
	}
	if m := metricOf(fams, "verbatim_index_pending", nil); m == nil || m.Gauge.GetValue() != 0 {
		t.Errorf("verbatim_index_pending = %v; want 0", m)
	}
}

// counting Blobs and Index: every call is counted.
type countingBlobs struct {
	archive.Blobs
	n *atomic.Int64
}

func (b countingBlobs) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, archive.BlobInfo, error) {
	b.n.Add(1)
	return b.Blobs.Get(ctx, key, off, n)
}
func (b countingBlobs) Stat(ctx context.Context, key string) (archive.BlobInfo, error) {
	b.n.Add(1)
	return b.Blobs.Stat(ctx, key)
}
func (b countingBlobs) Put(ctx context.Context, key string, r io.Reader, size int64, o archive.PutOptions) (archive.BlobInfo, error) {
	b.n.Add(1)
	return b.Blobs.Put(ctx, key, r, size, o)
}
func (b countingBlobs) Delete(ctx context.Context, key string) error {
	b.n.Add(1)
	return b.Blobs.Delete(ctx, key)
}
func (b countingBlobs) List(ctx context.Context, prefix string) ([]archive.BlobInfo, error) {
	b.n.Add(1)
	return b.Blobs.List(ctx, prefix)
}
func (b countingBlobs) Ping(ctx context.Context) error { b.n.Add(1); return nil }

type countingIndex struct {
	archive.Index
	n *atomic.Int64
}

func (x countingIndex) Put(ctx context.Context, id string, docs []archive.CueDoc) error {
	x.n.Add(1)
	return x.Index.Put(ctx, id, docs)
}
func (x countingIndex) Delete(ctx context.Context, id string) error {
	x.n.Add(1)
	return x.Index.Delete(ctx, id)
}
func (x countingIndex) Search(ctx context.Context, q archive.SearchQuery) (archive.SearchResult, error) {
	x.n.Add(1)
	return x.Index.Search(ctx, q)
}
func (x countingIndex) Ping(ctx context.Context) error { x.n.Add(1); return x.Index.Ping(ctx) }

// TestScrapeCallsNoDependency: scraping /metrics makes no storage and no
// index call (dependency health comes from the background prober), while
// /readyz, which is meant to, does (so the counters can tell).
func TestScrapeCallsNoDependency(t *testing.T) {
	store, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	bi, err := bleveindex.OpenMem()
	if err != nil {
		t.Fatal(err)
	}
	defer bi.Close()
	var storageCalls, indexCalls atomic.Int64
	svc, err := archive.NewService(archive.Options{Blobs: countingBlobs{store, &storageCalls}, Index: countingIndex{bi, &indexCalls}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Options{Service: svc})
	if err != nil {
		t.Fatal(err)
	}
	admin := srv.AdminHandler()
	scrape(t, admin)
	s0, i0 := storageCalls.Load(), indexCalls.Load()
	for range 5 {
		scrape(t, admin)
	}
	if s, i := storageCalls.Load()-s0, indexCalls.Load()-i0; s != 0 || i != 0 {
		t.Errorf("5 scrapes made %d storage and %d index calls; want none", s, i)
	}
	rec := httptest.NewRecorder()
	admin.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != 200 || storageCalls.Load() == s0 || indexCalls.Load() == i0 {
		t.Errorf("/readyz = %d with %d storage and %d index calls; want 200 after calling both", rec.Code, storageCalls.Load()-s0, indexCalls.Load()-i0)
	}
}

// TestTusBytesCounted: bytes of a resumable upload's PATCHes count as
// received media, as a PUT's do.
func TestTusBytesCounted(t *testing.T) {
	ts := newTestServer(t, nil)
	srv, err := server.New(server.Options{Service: ts.svc})
	if err != nil {
		t.Fatal(err)
	}
	ts.Server.Config.Handler = srv
	ts.published(t, "r")
	c := tusClient{base: ts.URL, token: ts.token}
	url, resp := c.create(t, 4000, tusMetadata("recording", "r", "filename", "talk.webm"))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("tus create = %d", resp.StatusCode)
	}
	body := sample(t, 4000)
	for off := int64(0); off < 4000; off += 1500 {
		n := min(1500, 4000-off)
		if resp := c.patch(t, url, off, bytes.NewReader(body[off:off+n]), n); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("PATCH at %d = %d", off, resp.StatusCode)
		}
	}
	fams := scrape(t, srv.AdminHandler())
	if m := metricOf(fams, "verbatim_media_bytes_total", map[string]string{"direction": "received"}); m == nil || m.Counter.GetValue() != 4000 {
		t.Errorf("verbatim_media_bytes_total{direction=\"received\"} = %v; want 4000", m)
	}
}

package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/bleveindex"
	"github.com/verbatim-archive/verbatim/internal/disk"
)

func TestLimiterWaitsThenSheds(t *testing.T) {
	ctx := context.Background()
	l := newLimiter("tests", 1, 20*time.Millisecond, 0)
	release, err := l.acquire(ctx)
	if err != nil {
		t.Fatalf("first acquire: %v", err)
	}
	var be *busyError
	if _, err := l.acquire(ctx); !errors.As(err, &be) {
		t.Fatalf("acquire with the only slot taken = %v; want busyError", err)
	}
	if got := be.retryAfter(); got != "1" {
		t.Errorf("Retry-After = %q; want 1 (whole seconds, at least one)", got)
	}
	// A waiter gets the slot as soon as it is given back.
	got := make(chan error, 1)
	go func() {
		r, err := newWaiter(l).acquire(ctx)
		if err == nil {
			r()
		}
		got <- err
	}()
	release()
	if err := <-got; err != nil {
		t.Errorf("acquire while the slot is given back = %v; want the slot", err)
	}
	if n := l.inUse(); n != 0 {
		t.Errorf("slots in use after every release = %d; want 0", n)
	}
}

// newWaiter is l with a long wait, so that the only way out is a slot.
func newWaiter(l *limiter) *limiter {
	return &limiter{what: l.what, slots: l.slots, waiting: l.waiting, wait: time.Hour, retry: l.retry}
}

// TestLimiterBoundsWaiting: beyond 32n waiting requests, the next is
// refused at once instead of joining the queue (it would otherwise wait an
// hour and the test would time out).
func TestLimiterBoundsWaiting(t *testing.T) {
	l := newLimiter("tests", 1, time.Hour, 0)
	ctx, cancel := context.WithCancel(context.Background())
	release, err := l.acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	var wg sync.WaitGroup
	for range cap(l.waiting) {
		wg.Go(func() {
			if _, err := l.acquire(ctx); !errors.Is(err, context.Canceled) {
				t.Errorf("waiter = %v; want context.Canceled when its request ends", err)
			}
		})
	}
	for len(l.waiting) < cap(l.waiting) {
		time.Sleep(time.Millisecond)
	}
	var be *busyError
	if _, err := l.acquire(context.Background()); !errors.As(err, &be) {
		t.Errorf("acquire with the queue full = %v; want busyError at once", err)
	}
	cancel()
	wg.Wait()
	if n := len(l.waiting); n != 0 {
		t.Errorf("waiting after every waiter left = %d; want 0", n)
	}
}

// TestBusyAnswers503: with every expensive-request slot taken, the search
// API answers 503 busy JSON and the pages the error page, both with
// Retry-After and without an ERROR log line; health checks stay outside
// the limiter; once a slot is free, search answers again.
func TestBusyAnswers503(t *testing.T) {
	store, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	idx, err := bleveindex.OpenMem()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	svc, err := archive.NewService(archive.Options{Blobs: store, Index: idx})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	srv, err := New(Options{Service: svc, Logger: slog.New(slog.NewTextHandler(&logs, nil)), MaxConcurrentSearch: 1, SearchWait: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	fetch := func(path, accept string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp, b.String()
	}

	release, err := srv.heavy.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	resp, body := fetch("/api/v1/search?q=palermo", "")
	var eb errorBody
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" || json.Unmarshal([]byte(body), &eb) != nil || eb.Error.Code != "busy" {
		t.Errorf("API search while busy = %d Retry-After %q %s; want 503, Retry-After 1, code busy", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	for _, path := range []string{"/search?q=palermo", "/", "/watch/anything?q=palermo"} {
		resp, body := fetch(path, "text/html")
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "<!doctype html>") {
			t.Errorf("GET %s while busy = %d Retry-After %q %s; want the 503 error page with Retry-After 1", path, resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"))
		}
	}
	if resp, _ := fetch("/healthz", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("healthz while busy = %d; want 200 (not limited)", resp.StatusCode)
	}
	release()
	if resp, body := fetch("/api/v1/search?q=palermo", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("API search with a free slot = %d %s; want 200", resp.StatusCode, body)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("shedding load logged an error:\n%s", logs.String())
	}
}

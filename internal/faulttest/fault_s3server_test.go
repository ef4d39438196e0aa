package faulttest

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
	"github.com/verbatim-archive/verbatim/internal/testenv"
)

// TestS3BlackholedBehindServer: the whole server on an S3 store that has
// stopped answering. API requests end at the request timeout with 503 and
// a JSON error; media requests, which have no timeout (they may stream
// for hours), end when the viewer gives up. Either way the goroutines of
// the stuck requests go away, and the server serves again once S3 does.
func TestS3BlackholedBehindServer(t *testing.T) {
	p, store, _ := slowS3(t, testenv.StartVersityGW)
	const timeout = 500 * time.Millisecond
	srv := startInProcessOn(t, store, timeout)
	js := map[string]string{"Content-Type": "application/json"}
	srv.must(http.MethodPost, "/api/v1/recordings", []byte(`{"id":"stuck","title":"Stuck","status":"published","date":"2026-01-01"}`), http.StatusCreated, js)
	srv.must(http.MethodPut, "/api/v1/recordings/stuck/media", mediatest.Sized(t, 1<<16), http.StatusCreated, map[string]string{"Content-Type": "video/mp4"})
	srv.must(http.MethodGet, "/media/stuck", nil, http.StatusPartialContent, map[string]string{"Range": "bytes=0-99"})
	base := runtime.NumGoroutine() // after keep-alive connections exist

	p.Set(Blackhole, 0)
	const viewers = 20
	var wg sync.WaitGroup
	api := make([]int, viewers)
	bodies := make([]string, viewers)
	mediaErrs := make([]error, viewers)
	for i := range viewers {
		wg.Go(func() {
			code, body := srv.req(http.MethodGet, "/api/v1/recordings/stuck", nil, nil)
			api[i], bodies[i] = code, string(body)
		})
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.url+"/media/stuck", nil)
			req.Header.Set("Range", "bytes=0-99")
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			mediaErrs[i] = err
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout + 15*time.Second):
		t.Fatal("requests to a server on a blackholed S3 did not end")
	}
	for i := range viewers {
		if api[i] != http.StatusServiceUnavailable || !strings.Contains(bodies[i], `"error"`) {
			t.Errorf("GET /api/v1/recordings/stuck on a blackholed S3 = %d %s; want 503 with a JSON error", api[i], bodies[i])
			break
		}
		if mediaErrs[i] == nil {
			t.Errorf("GET /media/stuck on a blackholed S3 answered before the viewer gave up")
			break
		}
	}
	t.Logf("API answer on a blackholed S3: %s", bodies[0])

	p.Set(Pass, 0)
	srv.must(http.MethodGet, "/media/stuck", nil, http.StatusPartialContent, map[string]string{"Range": "bytes=0-99"})
	// Connections opened during the outage and no longer needed (those of
	// calls still waiting when S3 came back; those whose dial finished
	// after their request gave up) are kept alive for reuse, up to 16 for
	// a minute: goroutines of the transport and the proxy, but in no call.
	// What must not stay is a goroutine in a call, and closing idle
	// connections ends none of those.
	store.CloseIdleConnections()
	if after := settleGoroutines(base+8, 10*time.Second); after > base+8 {
		t.Errorf("goroutines: %d before %d stuck requests, %d after; they pile up", base, 2*viewers, after)
	}
}

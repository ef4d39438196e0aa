package server_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/server"
)

// TestParallelTrackPutsNeverPreconditionFailed: twenty uploads of one
// track at once without If-Match all succeed; none answers 412.
func TestParallelTrackPutsNeverPreconditionFailed(t *testing.T) {
	ts := newTestServer(t, func(o *server.Options) { o.MaxConcurrentUploads = 32 })
	ts.published(t, "r")
	const n = 20
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\ntake %d\n", i)
			resp := ts.do(t, "PUT", "/api/v1/recordings/r/tracks/en", ts.token, body)
			statuses[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	for i, st := range statuses {
		if st != http.StatusOK && st != http.StatusCreated {
			t.Errorf("upload %d = %d; want 200 or 201", i, st)
		}
	}
}

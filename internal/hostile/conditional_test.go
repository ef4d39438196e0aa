package hostile

import (
	"bytes"
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// TestParallelUnconditionalPuts is defect 8: twenty parallel uploads of
// one track without If-Match answered 412 precondition_failed seven times,
// though no client sent a condition. Now each either lands (200/201) or is
// a 409 conflict that says so; none is a 412, none a 5xx.
func TestParallelUnconditionalPuts(t *testing.T) {
	// Enough upload slots for all twenty: the cap is TestSlowEditorBodies'.
	s := start(t, "VERBATIM_MAX_CONCURRENT_UPLOADS=32")
	const n = 20
	got := make([]reply, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			body := vtt(fmt.Sprintf("Ana: upload number %d of the same track", i), "Ana: and a second cue")
			got[i], errs[i] = s.do(req{method: http.MethodPut, path: "/api/v1/recordings/istac-launch/tracks/en", body: bytes.NewReader(body), editor: true})
		})
	}
	wg.Wait()
	landed := 0
	for i := range n {
		switch {
		case errs[i] != nil:
			t.Errorf("PUT %d: %v", i, errs[i])
		case got[i].status == http.StatusOK || got[i].status == http.StatusCreated:
			landed++
		case got[i].status == http.StatusConflict:
			if errorMessage(got[i].body) == "" {
				t.Errorf("PUT %d: 409 without a message: %s", i, got[i].body)
			}
		default:
			t.Errorf("PUT %d without If-Match = %d %s; want 200, 201 or 409", i, got[i].status, got[i].body)
		}
	}
	if landed == 0 {
		t.Errorf("none of %d parallel uploads landed", n)
	}
	t.Logf("%d of %d parallel unconditional uploads landed, the rest 409", landed, n)
	s.alive()
	s.noErrorLogs()
	s.checkPeak(64 * mib)
}

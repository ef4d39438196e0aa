package server_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/server"
)

// slowBody delivers its bytes in pieces with pauses, like a slow uplink.
type slowBody struct {
	r     io.Reader
	pause time.Duration
}

func (s slowBody) Read(p []byte) (int, error) {
	time.Sleep(s.pause)
	return s.r.Read(p[:min(len(p), 100)])
}

// TestUploadsOutliveRequestTimeout: the request timeout bounds ordinary
// requests, not media uploads and streams.
func TestUploadsOutliveRequestTimeout(t *testing.T) {
	ts := newTestServer(t, func(o *server.Options) { o.RequestTimeout = 200 * time.Millisecond })
	ts.published(t, "r")
	body := slowBody{r: bytes.NewReader(sample(t, 1000)), pause: 40 * time.Millisecond} // about 400 ms
	resp := ts.do(t, "PUT", "/api/v1/recordings/r/media?name=a.webm", ts.token, body)
	wantStatus(t, resp, http.StatusCreated)
	wantStatus(t, ts.do(t, "GET", "/media/r", "", nil), http.StatusOK)
}

package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestMetrics(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "r")
	uploadMedia(t, ts, "r", sample(5000))
	readAll(t, ts.do(t, "GET", "/media/r", "", nil, "Range", "bytes=0-999"))
	ts.do(t, "GET", "/api/v1/recordings/nope", "", nil)
	ts.do(t, "GET", "/no/such/route", "", nil)

	// A handler records its request after the client has the last byte,
	// so wait (briefly) until the media request has been counted.
	var resp *http.Response
	var body string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		resp = ts.do(t, "GET", "/metrics", "", nil)
		wantStatus(t, resp, http.StatusOK)
		body = string(readAll(t, resp))
		if strings.Contains(body, `route="/media/:id"`) || time.Now().After(deadline) {
			break
		}
	}
	for _, want := range []string{
		`verbatim_http_requests_total{route="/api/v1/recordings",method="POST",code="201"} 1`,
		`verbatim_http_requests_total{route="/media/:id",method="GET",code="206"} 1`,
		`verbatim_http_requests_total{route="/api/v1/recordings/:id",method="GET",code="404"} 1`,
		`verbatim_http_requests_total{route="unmatched",method="GET",code="404"} 1`,
		`verbatim_http_request_duration_seconds_count{route="/media/:id"} 1`,
		"verbatim_media_sent_bytes_total 1000\n",
		"verbatim_media_uploaded_bytes_total 5000\n",
		"verbatim_index_pending 0\n",
		`verbatim_dependency_up{name="index"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q\n%s", want, body)
		}
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("/metrics Content-Type %q; want the Prometheus text format", ct)
	}
}

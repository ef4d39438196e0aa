package server_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/server"
)

// TestEveryResponseIsNosniff: JSON, errors, exports, media, pages, assets
// and health all say nosniff; exports have their type and disposition;
// API answers carry a policy that lets nothing run.
func TestEveryResponseIsNosniff(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "r")
	wantStatus(t, ts.do(t, "PUT", "/api/v1/recordings/r/tracks/en", ts.token, "WEBVTT\n\n00:00.000 --> 00:01.000\n<script>alert(1)</script>\n"), http.StatusCreated)
	uploadMedia(t, ts, "r", sample(t, 2000))
	tests := []struct {
		path, token, accept string
		status              int
		ctype, disposition  string // prefixes; "" not checked
		csp                 string
	}{
		{"/api/v1/recordings", "", "", 200, "application/json", "", "default-src 'none'"},
		{"/api/v1/recordings/r", "", "", 200, "application/json", "", "default-src 'none'"},
		{"/api/v1/recordings/nope", "", "", 404, "application/json", "", "default-src 'none'"},
		{"/api/v1/recordings", "vbt_bad", "", 401, "application/json", "", "default-src 'none'"},
		{"/api/v1/recordings/r/tracks/en", "", "", 200, "application/json", "", "default-src 'none'"},
		{"/api/v1/recordings/r/tracks/en.srt", "", "", 200, "application/x-subrip", `attachment; filename="r.en.srt"`, "default-src 'none'"},
		{"/api/v1/recordings/r/tracks/en.ttml", "", "", 200, "application/ttml+xml", `attachment; filename="r.en.ttml"`, "default-src 'none'"},
		{"/api/v1/recordings/r/tracks/en.txt", "", "", 200, "text/plain", `inline; filename="r.en.txt"`, "default-src 'none'"},
		{"/api/v1/recordings/r/tracks/en.vtt", "", "", 200, "text/vtt", `inline; filename="r.en.vtt"`, "default-src 'none'"},
		{"/api/v1/recordings/r/tracks/en/source", ts.token, "", 200, "application/octet-stream", "attachment", "default-src 'none'"},
		{"/api/v1/search?q=alert", "", "", 200, "application/json", "", "default-src 'none'"},
		{"/media/r", "", "", 200, "video/mp4", "", "default-src 'none'"},
		{"/", "", "text/html", 200, "text/html", "", "script-src 'self'"},
		{"/watch/r", "", "text/html", 200, "text/html", "", "script-src 'self'"},
		{"/watch/nope", "", "text/html", 404, "text/html", "", "script-src 'self'"},
		{"/nothing/here", "", "text/html", 404, "text/html", "", ""},
		{"/healthz", "", "", 200, "", "", ""},
	}
	for _, tt := range tests {
		h := []string{}
		if tt.accept != "" {
			h = []string{"Accept", tt.accept}
		}
		resp := ts.do(t, "GET", tt.path, tt.token, nil, h...)
		if resp.StatusCode != tt.status {
			t.Errorf("GET %s = %d; want %d", tt.path, resp.StatusCode, tt.status)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q; want nosniff", tt.path, got)
		}
		if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, tt.ctype) {
			t.Errorf("GET %s: Content-Type %q; want %s", tt.path, got, tt.ctype)
		}
		if got := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(got, tt.disposition) {
			t.Errorf("GET %s: Content-Disposition %q; want %s", tt.path, got, tt.disposition)
		}
		if got := resp.Header.Get("Content-Security-Policy"); !strings.Contains(got, tt.csp) {
			t.Errorf("GET %s: Content-Security-Policy %q; want one with %s", tt.path, got, tt.csp)
		}
		if got := resp.Header.Get("Strict-Transport-Security"); got != "" {
			t.Errorf("GET %s over plain HTTP: Strict-Transport-Security %q; want none", tt.path, got)
		}
	}
}

// TestHSTS: Strict-Transport-Security only when the request came over TLS,
// directly or through a trusted proxy's X-Forwarded-Proto.
func TestHSTS(t *testing.T) {
	plain := newTestServer(t, nil)
	proxied := newTestServer(t, func(o *server.Options) { o.TrustedProxies = []string{"127.0.0.1/32", "::1/128"} })
	tests := []struct {
		name   string
		ts     *testServer
		header []string
		want   bool
	}{
		{"plain", plain, nil, false},
		{"forwarded https, proxy not trusted", plain, []string{"X-Forwarded-Proto", "https"}, false},
		{"forwarded https from a trusted proxy", proxied, []string{"X-Forwarded-Proto", "https"}, true},
		{"forwarded http from a trusted proxy", proxied, []string{"X-Forwarded-Proto", "http"}, false},
	}
	for _, tt := range tests {
		resp := tt.ts.do(t, "GET", "/api/v1/recordings", "", nil, tt.header...)
		if got := resp.Header.Get("Strict-Transport-Security") != ""; got != tt.want {
			t.Errorf("%s: HSTS sent %v; want %v", tt.name, got, tt.want)
		}
	}

	// Straight over TLS.
	var opts server.Options
	newTestServer(t, func(o *server.Options) { opts = *o })
	srv, err := server.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	tlsServer := httptest.NewTLSServer(srv)
	defer tlsServer.Close()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := client.Get(tlsServer.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("over TLS: Strict-Transport-Security %q; want max-age=…", got)
	}
}

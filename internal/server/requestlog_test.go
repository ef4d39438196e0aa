package server_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/server"
)

// TestLogsArePrivateByDefault: searches for a unique word (pages, API,
// the watch page's search) and requests from a known address leave
// neither the word nor the address in the logs, in text or JSON; with
// LogClients on, both are there (so the test can tell).
func TestLogsArePrivateByDefault(t *testing.T) {
	const word, addr = "zanzibarquokka", "203.0.113.77"
	handlers := map[string]func(io.Writer) slog.Handler{
		"text": func(w io.Writer) slog.Handler {
			return slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})
		},
		"json": func(w io.Writer) slog.Handler {
			return slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})
		},
	}
	for format, h := range handlers {
		for _, logClients := range []bool{false, true} {
			var logs bytes.Buffer
			ts := newTestServer(t, func(o *server.Options) {
				o.Logger, o.LogClients = slog.New(h(&logs)), logClients
				o.TrustedProxies = []string{"127.0.0.0/8"} // the test client is the proxy; addr the client
			})
			ts.published(t, "r")
			for _, path := range []string{
				"/search?q=" + word, "/api/v1/search?q=" + word, "/watch/r?q=" + word,
				"/api/v1/search?q=" + word + "&page=zero", "/api/v1/recordings/" + word, "/no/" + word,
			} {
				resp := ts.do(t, "GET", path, "", nil, "X-Forwarded-For", addr)
				readAll(t, resp)
			}
			got := logs.String()
			if !strings.Contains(got, `"route":"/search"`) && !strings.Contains(got, "route=/search") {
				t.Errorf("%s: no request line with the route template:\n%s", format, got)
			}
			for _, secret := range []string{word, addr} {
				if leaked := strings.Contains(got, secret); leaked != logClients {
					t.Errorf("%s, LogClients=%v: log contains %q = %v:\n%s", format, logClients, secret, leaked, got)
				}
			}
			if !logClients && strings.Contains(got, "127.0.0.1") {
				t.Errorf("%s: the peer address is in the log:\n%s", format, got)
			}
		}
	}
}

// TestRequestID: every response carries an X-Request-Id, also in error
// bodies; one sent by a trusted proxy is kept, one sent by anybody else is
// replaced.
func TestRequestID(t *testing.T) {
	for _, tt := range []struct {
		name    string
		trusted []string
		kept    bool
	}{
		{"untrusted client", nil, false},
		{"trusted proxy", []string{"127.0.0.0/8"}, true},
	} {
		ts := newTestServer(t, func(o *server.Options) { o.TrustedProxies = tt.trusted })
		resp := ts.do(t, "GET", "/api/v1/recordings/nope", "", nil, "X-Request-Id", "proxy-id-42")
		wantStatus(t, resp, http.StatusNotFound)
		id := resp.Header.Get("X-Request-Id")
		if kept := id == "proxy-id-42"; kept != tt.kept || id == "" {
			t.Errorf("%s: X-Request-Id = %q; want kept=%v", tt.name, id, tt.kept)
		}
		e := decode[struct {
			Error struct {
				RequestID string `json:"request_id"`
			} `json:"error"`
		}](t, resp)
		if e.Error.RequestID != id {
			t.Errorf("%s: error body request_id %q; want the header's %q", tt.name, e.Error.RequestID, id)
		}
	}
	ts := newTestServer(t, func(o *server.Options) { o.TrustedProxies = []string{"127.0.0.0/8"} })
	resp := ts.do(t, "GET", "/healthz", "", nil, "X-Request-Id", "bad id; <with spaces>")
	if id := resp.Header.Get("X-Request-Id"); strings.ContainsAny(id, " \n") || id == "" {
		t.Errorf("a malformed X-Request-Id from a proxy came back as %q; want a fresh id", id)
	}
}

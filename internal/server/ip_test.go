package server_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/server"
)

// TestClientIP: X-Forwarded-For is believed only from configured proxies.
func TestClientIP(t *testing.T) {
	tests := []struct {
		name    string
		trusted []string
		xff     string
		want    string
	}{
		{"no proxies: peer address", nil, "203.0.113.9", "ip=127.0.0.1"},
		{"trusted loopback proxy", []string{"127.0.0.0/8"}, "203.0.113.9", "ip=203.0.113.9"},
		{"untrusted proxy", []string{"10.0.0.0/8"}, "203.0.113.9", "ip=127.0.0.1"},
	}
	for _, tt := range tests {
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		ts := newTestServer(t, func(o *server.Options) { o.TrustedProxies, o.Logger, o.LogClients = tt.trusted, log, true })
		wantStatus(t, ts.do(t, "GET", "/api/v1/recordings", "", nil, "X-Forwarded-For", tt.xff), http.StatusOK)
		if !strings.Contains(logs.String(), tt.want) {
			t.Errorf("%s: request log %q; want %s", tt.name, logs.String(), tt.want)
		}
	}
	if _, err := server.New(server.Options{Service: newTestServer(t, nil).svc, TrustedProxies: []string{"10.0.0.1"}}); err == nil {
		t.Errorf("New with a malformed trusted proxy succeeded")
	}
}

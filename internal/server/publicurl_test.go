package server_test

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/server"
)

// TestPublicBase: the configured public URL wins; without it the request's
// own scheme and host, where X-Forwarded-Proto and X-Forwarded-Host count
// only from a trusted proxy.
func TestPublicBase(t *testing.T) {
	svc := newTestServer(t, nil).svc
	tests := []struct {
		name     string
		public   string
		trusted  []string
		peer     string
		host     string
		tls      bool
		fwdProto string
		fwdHost  string
		want     string
	}{
		{"configured", "https://archive.example.org", nil, "192.0.2.1:5", "evil.example", false, "", "", "https://archive.example.org"},
		{"configured beats a trusted proxy", "https://archive.example.org", []string{"10.0.0.0/8"}, "10.1.2.3:5", "internal:8080", false, "http", "other.example", "https://archive.example.org"},
		{"request host", "", nil, "192.0.2.1:5", "archive.test:8080", false, "", "", "http://archive.test:8080"},
		{"tls", "", nil, "192.0.2.1:5", "archive.test", true, "", "", "https://archive.test"},
		{"forwarded from anyone: ignored", "", nil, "192.0.2.1:5", "archive.test", false, "https", "evil.example", "http://archive.test"},
		{"forwarded from an untrusted peer: ignored", "", []string{"10.0.0.0/8"}, "192.0.2.1:5", "archive.test", false, "https", "evil.example", "http://archive.test"},
		{"trusted proxy", "", []string{"10.0.0.0/8"}, "10.1.2.3:5", "verbatim:8080", false, "https", "archive.example.org", "https://archive.example.org"},
		{"trusted proxy, first of a list", "", []string{"10.0.0.0/8"}, "10.1.2.3:5", "verbatim:8080", false, "https", "archive.example.org, inner", "https://archive.example.org"},
		{"trusted proxy, malformed host: Host header", "", []string{"10.0.0.0/8"}, "10.1.2.3:5", "verbatim:8080", false, "", "a/b@c", "http://verbatim:8080"},
		{"malformed Host header", "", nil, "192.0.2.1:5", "a b", false, "", "", "http://localhost"},
	}
	for _, tt := range tests {
		srv, err := server.New(server.Options{Service: svc, PublicURL: tt.public, TrustedProxies: tt.trusted})
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr, r.Host = tt.peer, tt.host
		if tt.tls {
			r.TLS = &tls.ConnectionState{}
		}
		if tt.fwdProto != "" {
			r.Header.Set("X-Forwarded-Proto", tt.fwdProto)
		}
		if tt.fwdHost != "" {
			r.Header.Set("X-Forwarded-Host", tt.fwdHost)
		}
		if got := srv.PublicBase(r); got != tt.want {
			t.Errorf("%s: publicBase = %q; want %q", tt.name, got, tt.want)
		}
	}
}

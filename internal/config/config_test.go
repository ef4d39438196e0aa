package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestFromEnvDefaults(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatalf("FromEnv(empty) error: %v", err)
	}
	want := Config{
		Data: "./data", Addr: "localhost:8080", MaxUpload: DefaultMaxUpload, MaxTrack: DefaultMaxTrack,
		RequestTimeout: 30 * time.Second, SessionTTL: 12 * time.Hour, UploadExpiry: 24 * time.Hour, ShutdownGrace: 25 * time.Second, LogFormat: "text", LogLevel: "info", QuotesBy: "anyone", FFmpeg: "ffmpeg",
		S3:     S3{Region: "us-east-1", PartSize: DefaultPartSize},
		Meili:  Meili{Index: "verbatim"},
		Limits: DefaultLimits(),
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("FromEnv(empty) mismatch (-want +got):\n%s", diff)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
}

func TestFromEnvValues(t *testing.T) {
	c, err := FromEnv(env(map[string]string{
		"VERBATIM_DATA":            "/srv/verbatim",
		"VERBATIM_ADDR":            "127.0.0.1:9000",
		"VERBATIM_MAX_UPLOAD":      "2GiB",
		"VERBATIM_S3_ENDPOINT":     "127.0.0.1:7070",
		"VERBATIM_S3_BUCKET":       "archive",
		"VERBATIM_S3_ACCESS_KEY":   "ak",
		"VERBATIM_S3_SECRET_KEY":   "sk",
		"VERBATIM_S3_SECURE":       "true",
		"VERBATIM_S3_PART_SIZE":    "64MiB",
		"VERBATIM_S3_PRESIGN":      "15m",
		"VERBATIM_MEILI_URL":       "http://127.0.0.1:7700",
		"VERBATIM_MEILI_KEY":       "mk",
		"VERBATIM_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.0.0/16",
		"VERBATIM_SESSION_KEY":     "new-key-0123456789abcdef0123456789, old-key-0123456789abcdef0123456789",
		"VERBATIM_SESSION_TTL":     "8h",
		"VERBATIM_SHUTDOWN_GRACE":  "40s",
		"VERBATIM_LOG_FORMAT":      "json",
		"VERBATIM_LOG_LEVEL":       "debug",
		"VERBATIM_LOG_CLIENTS":     "1",
		"VERBATIM_METRICS_ADDR":    "127.0.0.1:9090",
		"VERBATIM_QUOTES_BY":       "editors",
		"VERBATIM_PUBLIC_URL":      "https://archive.example.org",
		"VERBATIM_FFMPEG":          "/opt/ffmpeg/bin/ffmpeg",
	}))
	if err != nil {
		t.Fatalf("FromEnv error: %v", err)
	}
	want := Config{
		Data: "/srv/verbatim", Addr: "127.0.0.1:9000", MaxUpload: 2 << 30, MaxTrack: DefaultMaxTrack,
		RequestTimeout: 30 * time.Second, ShutdownGrace: 40 * time.Second, LogFormat: "json", LogLevel: "debug", LogClients: true, MetricsAddr: "127.0.0.1:9090",
		QuotesBy:       QuotesByEditors,
		PublicURL:      "https://archive.example.org",
		FFmpeg:         "/opt/ffmpeg/bin/ffmpeg",
		TrustedProxies: []string{"10.0.0.0/8", "192.168.0.0/16"},
		SessionKeys:    []string{"new-key-0123456789abcdef0123456789", "old-key-0123456789abcdef0123456789"},
		SessionTTL:     8 * time.Hour,
		UploadExpiry:   24 * time.Hour,
		S3: S3{Endpoint: "127.0.0.1:7070", Bucket: "archive", Region: "us-east-1", AccessKey: "ak", SecretKey: "sk",
			Secure: true, PartSize: 64 << 20, Presign: 15 * time.Minute},
		Meili:  Meili{URL: "http://127.0.0.1:7700", Key: "mk", Index: "verbatim"},
		Limits: DefaultLimits(),
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("FromEnv mismatch (-want +got):\n%s", diff)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate() = %v; want nil", err)
	}
}

func TestFromEnvMalformed(t *testing.T) {
	tests := []struct {
		name, value, want string
	}{
		{"VERBATIM_MAX_UPLOAD", "lots", "VERBATIM_MAX_UPLOAD"},
		{"VERBATIM_S3_SECURE", "yes please", "VERBATIM_S3_SECURE"},
		{"VERBATIM_S3_PRESIGN", "15", "VERBATIM_S3_PRESIGN"},
		{"VERBATIM_REQUEST_TIMEOUT", "soon", "VERBATIM_REQUEST_TIMEOUT"},
		{"VERBATIM_SHUTDOWN_GRACE", "later", "VERBATIM_SHUTDOWN_GRACE"},
	}
	for _, tt := range tests {
		_, err := FromEnv(env(map[string]string{tt.name: tt.value}))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("FromEnv(%s=%q) error = %v; want one naming %s", tt.name, tt.value, err, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string // substrings of the error; nil means valid
	}{
		{"defaults", nil, nil},
		{"quotes by nobody", map[string]string{"VERBATIM_QUOTES_BY": "nobody"}, []string{`VERBATIM_QUOTES_BY must be anyone or editors, got "nobody"`}},
		{"endpoint without bucket", map[string]string{"VERBATIM_S3_ENDPOINT": "127.0.0.1:7070"},
			[]string{"VERBATIM_S3_ENDPOINT is set but VERBATIM_S3_BUCKET is empty"}},
		{"bucket without endpoint", map[string]string{"VERBATIM_S3_BUCKET": "b"},
			[]string{"VERBATIM_S3_BUCKET is set but VERBATIM_S3_ENDPOINT is empty"}},
		{"endpoint with scheme", map[string]string{"VERBATIM_S3_ENDPOINT": "http://127.0.0.1:7070", "VERBATIM_S3_BUCKET": "b"},
			[]string{"without a scheme"}},
		{"half credentials", map[string]string{"VERBATIM_S3_ENDPOINT": "h:1", "VERBATIM_S3_BUCKET": "b", "VERBATIM_S3_ACCESS_KEY": "a"},
			[]string{"must be set together"}},
		{"tiny part size", map[string]string{"VERBATIM_S3_ENDPOINT": "h:1", "VERBATIM_S3_BUCKET": "b", "VERBATIM_S3_PART_SIZE": "1MiB"},
			[]string{"at least 5MiB"}},
		{"presign without s3", map[string]string{"VERBATIM_S3_PRESIGN": "5m"},
			[]string{"presigned URLs need S3"}},
		{"presign too long", map[string]string{"VERBATIM_S3_ENDPOINT": "h:1", "VERBATIM_S3_BUCKET": "b", "VERBATIM_S3_PRESIGN": "200h"},
			[]string{"168h"}},
		{"meili key without url", map[string]string{"VERBATIM_MEILI_KEY": "k"},
			[]string{"VERBATIM_MEILI_KEY is set but VERBATIM_MEILI_URL is empty"}},
		{"meili bad url", map[string]string{"VERBATIM_MEILI_URL": "127.0.0.1:7700"},
			[]string{"not an http(s) URL"}},
		{"bad addr", map[string]string{"VERBATIM_ADDR": "8080"}, []string{"not host:port"}},
		{"public url without scheme", map[string]string{"VERBATIM_PUBLIC_URL": "example.org"}, []string{"VERBATIM_PUBLIC_URL", "absolute http(s) URL"}},
		{"public url ftp", map[string]string{"VERBATIM_PUBLIC_URL": "ftp://example.org"}, []string{"absolute http(s) URL"}},
		{"public url with query", map[string]string{"VERBATIM_PUBLIC_URL": "https://example.org/?a=1"}, []string{"must not have a query"}},
		{"public url with bare ?", map[string]string{"VERBATIM_PUBLIC_URL": "https://example.org?"}, []string{"must not have a query"}},
		{"public url with fragment", map[string]string{"VERBATIM_PUBLIC_URL": "https://example.org/#x"}, []string{"must not have a fragment"}},
		{"public url with path", map[string]string{"VERBATIM_PUBLIC_URL": "https://example.org/archive"}, []string{"must not have a path"}},
		{"public url with user", map[string]string{"VERBATIM_PUBLIC_URL": "https://me:pw@example.org"}, []string{"user name"}},
		{"public url without host", map[string]string{"VERBATIM_PUBLIC_URL": "https://:443"}, []string{"has no host"}},
		{"public url bad port", map[string]string{"VERBATIM_PUBLIC_URL": "https://example.org:99999"}, []string{"VERBATIM_PUBLIC_URL"}},
		{"public url old name", map[string]string{"VERBATIM_BASE_URL": "example.org"}, []string{"VERBATIM_PUBLIC_URL"}},
		{"public url with slash", map[string]string{"VERBATIM_PUBLIC_URL": "http://127.0.0.1:8080/"}, nil},
		{"zero upload", map[string]string{"VERBATIM_MAX_UPLOAD": "0"}, []string{"VERBATIM_MAX_UPLOAD must be positive"}},
		{"bad proxy", map[string]string{"VERBATIM_TRUSTED_PROXIES": "10.0.0.1"}, []string{"not a CIDR"}},
		{"short session key", map[string]string{"VERBATIM_SESSION_KEY": "0123456789abcdef0123456789abcdef,short"}, []string{"VERBATIM_SESSION_KEY entry 2 has 5 characters"}},
		{"zero session ttl", map[string]string{"VERBATIM_SESSION_TTL": "0s"}, []string{"VERBATIM_SESSION_TTL must be positive"}},
		{"two problems at once", map[string]string{"VERBATIM_S3_ENDPOINT": "h:1", "VERBATIM_MEILI_URL": "x"},
			[]string{"VERBATIM_S3_BUCKET is empty", "VERBATIM_MEILI_URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := FromEnv(env(tt.env))
			if err != nil {
				t.Fatalf("FromEnv: %v", err)
			}
			err = c.Validate()
			if tt.want == nil {
				if err != nil {
					t.Errorf("Validate() = %v; want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil; want errors containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q; want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestPublicOrigin(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{nil, ""},
		{map[string]string{"VERBATIM_PUBLIC_URL": "https://archive.example.org/"}, "https://archive.example.org"},
		{map[string]string{"VERBATIM_PUBLIC_URL": "http://127.0.0.1:8080"}, "http://127.0.0.1:8080"},
		// The old name still works; the new one wins when both are set.
		{map[string]string{"VERBATIM_BASE_URL": "https://old.example.org"}, "https://old.example.org"},
		{map[string]string{"VERBATIM_BASE_URL": "https://old.example.org", "VERBATIM_PUBLIC_URL": "https://new.example.org"}, "https://new.example.org"},
	} {
		c, err := FromEnv(env(tt.env))
		if err != nil {
			t.Fatalf("FromEnv(%v): %v", tt.env, err)
		}
		if got := c.PublicOrigin(); got != tt.want {
			t.Errorf("FromEnv(%v).PublicOrigin() = %q; want %q", tt.env, got, tt.want)
		}
	}
}

func TestFlagsOverrideEnv(t *testing.T) {
	c, err := FromEnv(env(map[string]string{"VERBATIM_DATA": "/env", "VERBATIM_ADDR": "127.0.0.1:1"}))
	if err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.RegisterFlags(fs)
	if err := fs.Parse([]string{"--data", "/flag"}); err != nil {
		t.Fatal(err)
	}
	if c.Data != "/flag" || c.Addr != "127.0.0.1:1" {
		t.Errorf("after flags: Data=%q Addr=%q; want /flag and 127.0.0.1:1", c.Data, c.Addr)
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1048576", 1 << 20, true},
		{"512MiB", 512 << 20, true},
		{"20GB", 20e9, true},
		{"2G", 2 << 30, true},
		{"2 gib", 2 << 30, true},
		{"100B", 100, true},
		{"-1", 0, false},
		{"MiB", 0, false},
		{"9999999TiB", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestMeiliKeyFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "key")
	if err := os.WriteFile(file, []byte("app-key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := FromEnv(env(map[string]string{"VERBATIM_MEILI_URL": "http://127.0.0.1:7700", "VERBATIM_MEILI_KEY_FILE": file}))
	if err != nil {
		t.Fatal(err)
	}
	if key, err := c.Meili.APIKey(); err != nil || key != "app-key" {
		t.Errorf("APIKey() = %q, %v; want app-key", key, err)
	}
	c.Meili.KeyFile = filepath.Join(dir, "missing")
	if _, err := c.Meili.APIKey(); err == nil || !strings.Contains(err.Error(), "VERBATIM_MEILI_KEY_FILE") {
		t.Errorf("APIKey() with a missing file = %v; want an error naming VERBATIM_MEILI_KEY_FILE", err)
	}
	c.Meili.Key = "k"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "both set") {
		t.Errorf("Validate with key and key file = %v; want an error", err)
	}
}

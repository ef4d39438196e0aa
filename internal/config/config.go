// Package config reads Verbatim's settings from the environment (VERBATIM_*)
// and command-line flags into one Config, validated once at start-up.
package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of the program. Flags override the environment.
type Config struct {
	Data      string // data directory: objects and the embedded index
	Addr      string // listen address
	MaxUpload int64  // largest media upload in bytes

	// PublicURL is the site's public address (scheme://host[:port]), used
	// wherever a link must be absolute: canonical links, sitemaps, feeds,
	// structured data, quote permalinks. Empty: each request's own scheme
	// and host (the scheme from a trusted proxy only; server.publicBase).
	PublicURL string

	// MaxTrack is the largest subtitle file accepted, in bytes.
	MaxTrack int64
	// RequestTimeout bounds every request except media streaming and uploads.
	RequestTimeout time.Duration
	// TrustedProxies lists the networks (CIDR) of reverse proxies whose
	// X-Forwarded-For header is believed. Empty: the peer address is used.
	TrustedProxies []string
	// SessionKeys sign web sessions; the first signs, all verify (rotate by
	// putting a new key first). Empty: a key kept in storage.
	SessionKeys []string
	// SessionTTL is how long a web sign-in lasts.
	SessionTTL time.Duration
	// UploadExpiry is how long an unfinished resumable upload is kept
	// after its last write.
	UploadExpiry time.Duration
	// ShutdownGrace is how long requests in flight may finish after
	// SIGTERM before they are cancelled.
	ShutdownGrace time.Duration
	// MetricsAddr is where /metrics is served, on a listener of its own
	// (with /healthz and /readyz). Empty: /metrics is not served.
	MetricsAddr string

	// LogFormat is text or json; LogLevel debug, info, warn or error.
	LogFormat, LogLevel string
	// LogClients adds client addresses and query strings to request logs.
	LogClients bool
	// QuotesBy is who may create quotes: "anyone" (the default; limited
	// per client address by Limits.QuotesPerHour) or "editors".
	QuotesBy string
	// FFmpeg is the ffmpeg binary (a path, or a name looked up on PATH)
	// that cuts quote clips and makes posters and faststart remuxes;
	// without it those are skipped and pages say so.
	FFmpeg string

	S3    S3
	Meili Meili

	// Limits are the budgets on what one request may cost (limits.go).
	Limits Limits
}

// S3 selects an S3-compatible object store instead of the data directory.
type S3 struct {
	Endpoint  string // host:port
	Bucket    string
	Region    string
	AccessKey string
	SecretKey string
	Secure    bool          // https to the endpoint
	PartSize  uint64        // multipart part size in bytes
	Presign   time.Duration // >0: redirect media viewers to a presigned URL valid this long
}

// Enabled reports whether S3 storage is configured.
func (s S3) Enabled() bool { return s.Endpoint != "" }

// Meili selects Meilisearch instead of the embedded index.
type Meili struct {
	URL   string
	Key   string
	Index string
	// KeyFile names a file holding the key (docker-compose's meili-key
	// service writes one); read at start, instead of Key.
	KeyFile string
	// MaxHits bounds the candidates one search scans; past it totals are
	// lower bounds (internal/meili). 0: the adapter's default, 1000.
	MaxHits int
}

// APIKey is the key: Key, or the content of KeyFile without surrounding
// white space.
func (m Meili) APIKey() (string, error) {
	if m.KeyFile == "" {
		return m.Key, nil
	}
	b, err := os.ReadFile(m.KeyFile)
	if err != nil {
		return "", fmt.Errorf("config: VERBATIM_MEILI_KEY_FILE: %w", err)
	}
	key := strings.TrimSpace(string(b))
	if key == "" {
		return "", fmt.Errorf("config: VERBATIM_MEILI_KEY_FILE %s is empty", m.KeyFile)
	}
	return key, nil
}

// Enabled reports whether Meilisearch is configured.
func (m Meili) Enabled() bool { return m.URL != "" }

// Defaults.
const (
	DefaultData           = "./data"
	DefaultAddr           = "localhost:8080"
	DefaultMaxUpload      = 20 << 30 // 20 GiB
	DefaultMaxTrack       = 16 << 20 // 16 MiB
	DefaultRequestTimeout = 30 * time.Second
	DefaultSessionTTL     = 12 * time.Hour
	DefaultUploadExpiry   = 24 * time.Hour
	DefaultShutdownGrace  = 25 * time.Second // under Kubernetes' default 30s
	DefaultPartSize       = 16 << 20         // 16 MiB: bounds memory per S3 upload of unknown length
	DefaultMeiliIndex     = "verbatim"
	DefaultRegion         = "us-east-1"

	// Who may create quotes (VERBATIM_QUOTES_BY).
	QuotesByAnyone  = "anyone"
	QuotesByEditors = "editors"
)

// FromEnv builds a Config from defaults and environment variables. getenv is
// os.Getenv in the program and a map in tests. Malformed values are errors
// that name the variable.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Data:           DefaultData,
		Addr:           DefaultAddr,
		MaxUpload:      DefaultMaxUpload,
		MaxTrack:       DefaultMaxTrack,
		RequestTimeout: DefaultRequestTimeout,
		SessionTTL:     DefaultSessionTTL,
		UploadExpiry:   DefaultUploadExpiry,
		ShutdownGrace:  DefaultShutdownGrace,
		LogFormat:      "text",
		LogLevel:       "info",
		QuotesBy:       QuotesByAnyone,
		FFmpeg:         "ffmpeg",
		S3:             S3{Region: DefaultRegion, PartSize: DefaultPartSize, Secure: false},
		Meili:          Meili{Index: DefaultMeiliIndex},
		Limits:         DefaultLimits(),
	}
	r := envReader{getenv: getenv}
	r.str("VERBATIM_DATA", &c.Data)
	r.str("VERBATIM_ADDR", &c.Addr)
	r.str("VERBATIM_BASE_URL", &c.PublicURL) // the setting's old name
	r.str("VERBATIM_PUBLIC_URL", &c.PublicURL)
	r.size("VERBATIM_MAX_UPLOAD", &c.MaxUpload)
	r.size("VERBATIM_MAX_TRACK", &c.MaxTrack)
	r.duration("VERBATIM_REQUEST_TIMEOUT", &c.RequestTimeout)
	r.list("VERBATIM_TRUSTED_PROXIES", &c.TrustedProxies)
	r.list("VERBATIM_SESSION_KEY", &c.SessionKeys)
	r.duration("VERBATIM_SESSION_TTL", &c.SessionTTL)
	r.duration("VERBATIM_UPLOAD_EXPIRY", &c.UploadExpiry)
	r.duration("VERBATIM_SHUTDOWN_GRACE", &c.ShutdownGrace)
	r.str("VERBATIM_METRICS_ADDR", &c.MetricsAddr)
	r.str("VERBATIM_LOG_FORMAT", &c.LogFormat)
	r.str("VERBATIM_LOG_LEVEL", &c.LogLevel)
	r.boolean("VERBATIM_LOG_CLIENTS", &c.LogClients)
	r.str("VERBATIM_QUOTES_BY", &c.QuotesBy)
	r.str("VERBATIM_FFMPEG", &c.FFmpeg)

	r.str("VERBATIM_S3_ENDPOINT", &c.S3.Endpoint)
	r.str("VERBATIM_S3_BUCKET", &c.S3.Bucket)
	r.str("VERBATIM_S3_REGION", &c.S3.Region)
	r.str("VERBATIM_S3_ACCESS_KEY", &c.S3.AccessKey)
	r.str("VERBATIM_S3_SECRET_KEY", &c.S3.SecretKey)
	r.boolean("VERBATIM_S3_SECURE", &c.S3.Secure)
	var part int64 = int64(c.S3.PartSize)
	r.size("VERBATIM_S3_PART_SIZE", &part)
	c.S3.PartSize = uint64(max(part, 0))
	r.duration("VERBATIM_S3_PRESIGN", &c.S3.Presign)

	r.str("VERBATIM_MEILI_URL", &c.Meili.URL)
	r.str("VERBATIM_MEILI_KEY", &c.Meili.Key)
	r.str("VERBATIM_MEILI_INDEX", &c.Meili.Index)
	r.str("VERBATIM_MEILI_KEY_FILE", &c.Meili.KeyFile)
	r.integer("VERBATIM_MEILI_MAX_HITS", &c.Meili.MaxHits)

	c.Limits.read(&r)
	return c, errors.Join(r.errs...)
}

// RegisterFlags binds the flags every subcommand shares (--data, --addr) to
// c, with c's current values as defaults, so flags override the environment.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Data, "data", c.Data, "data `directory` (objects and embedded index); env VERBATIM_DATA")
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen `address`; env VERBATIM_ADDR")
}

// Validate checks the whole Config once and explains every problem found.
func (c Config) Validate() error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf("config: "+format, a...)) }

	if !c.S3.Enabled() && strings.TrimSpace(c.Data) == "" {
		add("the data directory is empty: set --data or VERBATIM_DATA")
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		add("listen address %q is not host:port (for example localhost:8080): %v", c.Addr, err)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		add("listen address %q has no valid port", c.Addr)
	}
	if c.QuotesBy != QuotesByAnyone && c.QuotesBy != QuotesByEditors {
		add("VERBATIM_QUOTES_BY must be %s or %s, got %q", QuotesByAnyone, QuotesByEditors, c.QuotesBy)
	}
	if err := checkPublicURL(c.PublicURL); err != nil {
		add("VERBATIM_PUBLIC_URL %q %v", c.PublicURL, err)
	}
	if c.MaxUpload <= 0 {
		add("VERBATIM_MAX_UPLOAD must be positive, got %d", c.MaxUpload)
	}
	if c.MaxTrack <= 0 {
		add("VERBATIM_MAX_TRACK must be positive, got %d", c.MaxTrack)
	}
	if c.RequestTimeout <= 0 {
		add("VERBATIM_REQUEST_TIMEOUT must be positive, got %s", c.RequestTimeout)
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			add("VERBATIM_METRICS_ADDR %q is not host:port (for example 0.0.0.0:9090): %v", c.MetricsAddr, err)
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		add("VERBATIM_LOG_FORMAT is %q; use text or json", c.LogFormat)
	}
	if _, err := c.SlogLevel(); err != nil {
		add("VERBATIM_LOG_LEVEL is %q; use debug, info, warn or error", c.LogLevel)
	}
	if c.ShutdownGrace <= 0 {
		add("VERBATIM_SHUTDOWN_GRACE must be positive, got %s", c.ShutdownGrace)
	}
	for _, p := range c.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil {
			add("VERBATIM_TRUSTED_PROXIES entry %q is not a CIDR network such as 10.0.0.0/8", p)
		}
	}
	for i, k := range c.SessionKeys {
		if len(k) < 32 {
			add("VERBATIM_SESSION_KEY entry %d has %d characters; each key needs at least 32 (for example: openssl rand -base64 32)", i+1, len(k))
		}
	}
	if c.UploadExpiry <= 0 {
		add("VERBATIM_UPLOAD_EXPIRY must be positive, got %s", c.UploadExpiry)
	}
	if c.SessionTTL <= 0 {
		add("VERBATIM_SESSION_TTL must be positive, got %s", c.SessionTTL)
	}
	errs = append(errs, c.S3.validate()...)
	errs = append(errs, c.Meili.validate()...)
	errs = append(errs, c.Limits.validate()...)
	return errors.Join(errs...)
}

// checkPublicURL accepts "" or an absolute http(s) URL of a host's root:
// no user, query or fragment, and no path, since every page links to
// root-relative paths (/watch/…) that a path prefix would break.
func checkPublicURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("is not a URL: %v", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("is not an absolute http(s) URL such as https://archive.example.org")
	case u.Host == "" || u.Hostname() == "":
		return errors.New("has no host")
	case u.User != nil:
		return errors.New("must not carry a user name or password")
	case u.RawQuery != "" || u.ForceQuery:
		return errors.New("must not have a query")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return errors.New("must not have a fragment")
	case u.Path != "" && u.Path != "/":
		return errors.New("must not have a path: Verbatim serves at the root of its host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return errors.New("has no valid port")
		}
	}
	return nil
}

// PublicOrigin is PublicURL without a trailing slash ("" when unset).
func (c Config) PublicOrigin() string { return strings.TrimSuffix(c.PublicURL, "/") }

func (s S3) validate() []error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf("config: "+format, a...)) }
	if !s.Enabled() {
		for _, kv := range [][2]string{{"VERBATIM_S3_BUCKET", s.Bucket}, {"VERBATIM_S3_ACCESS_KEY", s.AccessKey}, {"VERBATIM_S3_SECRET_KEY", s.SecretKey}} {
			if kv[1] != "" {
				add("%s is set but VERBATIM_S3_ENDPOINT is empty", kv[0])
			}
		}
		if s.Presign > 0 {
			add("VERBATIM_S3_PRESIGN is set but VERBATIM_S3_ENDPOINT is empty: presigned URLs need S3 storage")
		}
		return errs
	}
	if strings.Contains(s.Endpoint, "://") {
		add("VERBATIM_S3_ENDPOINT %q must be host:port without a scheme; use VERBATIM_S3_SECURE=true for https", s.Endpoint)
	}
	if s.Bucket == "" {
		add("VERBATIM_S3_ENDPOINT is set but VERBATIM_S3_BUCKET is empty")
	}
	if (s.AccessKey == "") != (s.SecretKey == "") {
		add("VERBATIM_S3_ACCESS_KEY and VERBATIM_S3_SECRET_KEY must be set together")
	}
	if s.PartSize < 5<<20 {
		add("VERBATIM_S3_PART_SIZE must be at least 5MiB (the S3 minimum), got %d bytes", s.PartSize)
	}
	if s.Presign < 0 || s.Presign > 7*24*time.Hour {
		add("VERBATIM_S3_PRESIGN must be between 0 and 168h (the S3 maximum), got %s", s.Presign)
	}
	return errs
}

func (m Meili) validate() []error {
	var errs []error
	if m.Key != "" && m.KeyFile != "" {
		errs = append(errs, errors.New("config: VERBATIM_MEILI_KEY and VERBATIM_MEILI_KEY_FILE are both set; set one"))
	}
	if !m.Enabled() {
		if m.Key != "" || m.KeyFile != "" {
			errs = append(errs, errors.New("config: VERBATIM_MEILI_KEY is set but VERBATIM_MEILI_URL is empty"))
		}
		return errs
	}
	if u, err := url.Parse(m.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("config: VERBATIM_MEILI_URL %q is not an http(s) URL such as http://127.0.0.1:7700", m.URL))
	}
	if m.Index == "" {
		errs = append(errs, errors.New("config: VERBATIM_MEILI_URL is set but VERBATIM_MEILI_INDEX is empty"))
	}
	if m.MaxHits < 0 || m.MaxHits > 100000 {
		errs = append(errs, fmt.Errorf("config: VERBATIM_MEILI_MAX_HITS must be between 1 and 100000, got %d", m.MaxHits))
	}
	return errs
}

// SlogLevel is LogLevel as a slog.Level.
func (c Config) SlogLevel() (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(c.LogLevel))
	return l, err
}

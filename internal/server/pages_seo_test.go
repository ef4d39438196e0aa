package server

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

const testPublic = "https://archive.example.org"

func withPublicURL(o *Options) { o.PublicURL = testPublic }

// body GETs path from srv and fails unless it answers 200.
func body(tb testing.TB, srv http.Handler, path string, headers ...string) string {
	tb.Helper()
	r := serveZ(srv, path, headers...)
	b, _ := io.ReadAll(r.Body)
	if r.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s = %d\n%.500s", path, r.StatusCode, b)
	}
	return string(b)
}

var (
	canonicalTag = regexp.MustCompile(`<link rel="canonical" href="([^"]*)">`)
	descTag      = regexp.MustCompile(`<meta name="description" content="([^"]*)">`)
	robotsTag    = regexp.MustCompile(`<meta name="robots" content="([^"]*)">`)
)

func firstGroup(re *regexp.Regexp, s string) string {
	if m := re.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// TestCanonicalAndDescription: every viewer page names its one address on
// the public URL (never the moment, language or interface choice of this
// request) and describes itself; search result pages are not indexed.
func TestCanonicalAndDescription(t *testing.T) {
	srv := demoHandler(t, withPublicURL)
	ev := "/events/" + archive.EventSlug("Side event parallel to the 47th session of the Human Rights Council and the 79th CEDAW session")
	tests := []struct {
		path, canonical, robots string
	}{
		{"/", testPublic + "/", ""},
		{"/?ui=fr", testPublic + "/", ""},
		{"/?year=2021&ui=de", testPublic + "/?year=2021", ""},
		{"/?year=1999", testPublic + "/?year=1999", "noindex"},
		{ev, testPublic + ev, ""},
		{ev + "?page=9", testPublic + ev + "?page=9", "noindex"},
		{"/events/" + url.PathEscape("Side event parallel to the 47th session of the Human Rights Council and the 79th CEDAW session"), testPublic + ev, ""},
		{"/watch/hrc47-side-event?t=95&lang=de&ui=fr&q=milestone", testPublic + "/watch/hrc47-side-event", ""},
		{"/watch/istac-launch", testPublic + "/watch/istac-launch", ""},
		{"/search", testPublic + "/search", ""},
		{"/search?q=trafficking", "", "noindex, follow"},
		{"/search?lang=fr", "", "noindex, follow"},
	}
	for _, tt := range tests {
		b := body(t, srv, tt.path)
		if got := firstGroup(canonicalTag, b); got != tt.canonical {
			t.Errorf("GET %s: canonical %q; want %q", tt.path, got, tt.canonical)
		}
		if got := firstGroup(robotsTag, b); got != tt.robots {
			t.Errorf("GET %s: robots %q; want %q", tt.path, got, tt.robots)
		}
		if d := firstGroup(descTag, b); len(d) < 20 || len([]rune(d)) > maxMetaDescription {
			t.Errorf("GET %s: description %q; want 20 to %d characters", tt.path, d, maxMetaDescription)
		}
	}
}

func TestMetaText(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"  a\n b  ", 10, "a b"},
		{"one two three four", 12, "one two…"},
		{"abcdefghij", 5, "abcd…"},
		{"élan vital", 10, "élan vital"},
	} {
		if got := metaText(tt.in, tt.n); got != tt.want {
			t.Errorf("metaText(%q, %d) = %q; want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

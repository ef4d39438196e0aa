package server

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestRobotsTxt: crawlers may read the viewer pages and the media the
// video sitemap names, not the editors', admins' or sign-in pages or the
// API; the sitemap is named on the public URL.
func TestRobotsTxt(t *testing.T) {
	r := serveZ(demoHandler(t, withPublicURL), "/robots.txt")
	body, _ := io.ReadAll(r.Body)
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /robots.txt = %d %q; want 200 text/plain", r.StatusCode, r.Header.Get("Content-Type"))
	}
	disallowed := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "Disallow: "); ok {
			disallowed[p] = true
		}
	}
	if !strings.Contains(string(body), "\nSitemap: "+testPublic+"/sitemap.xml\n") {
		t.Errorf("robots.txt names no sitemap on %s:\n%s", testPublic, body)
	}
	for _, p := range []string{"/edit", "/admin", "/login", "/api/"} {
		if !disallowed[p] {
			t.Errorf("robots.txt does not disallow %s:\n%s", p, body)
		}
	}
	for _, p := range []string{"/", "/watch/", "/search", "/media/", "/sitemap.xml", "/sitemaps/", "/feed.atom"} {
		if disallowed[p] {
			t.Errorf("robots.txt disallows the viewer page %s", p)
		}
	}
}

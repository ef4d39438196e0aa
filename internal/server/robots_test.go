package server

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestRobotsTxt: crawlers may read the viewer pages, not the editors',
// admins' or sign-in pages, the API or the media.
func TestRobotsTxt(t *testing.T) {
	r := serveZ(demoHandler(t), "/robots.txt")
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
	for _, p := range []string{"/edit", "/admin", "/login", "/api/", "/media/"} {
		if !disallowed[p] {
			t.Errorf("robots.txt does not disallow %s:\n%s", p, body)
		}
	}
	for _, p := range []string{"/", "/watch/", "/search"} {
		if disallowed[p] {
			t.Errorf("robots.txt disallows the viewer page %s", p)
		}
	}
}

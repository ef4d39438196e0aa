package server

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden pages under testdata/pages/")

// fingerprint matches asset hashes, which change with every CSS or JS
// edit; the golden pages pin the markup, not the assets.
var fingerprint = regexp.MustCompile(`(/static/[a-z]+)\.[0-9a-f]{10}\.`)

// testOrigin matches the test server's address in absolute links.
var testOrigin = regexp.MustCompile(`http(://|%3A%2F%2F)127\.0\.0\.1(:|%3A)[0-9]+`)

// The rendered pages, whole, so a change to markup or escaping shows up in
// review as a diff of testdata/pages/*.html.
func TestPagesGolden(t *testing.T) {
	store := searchStore()
	srv := pageServer(t, store)
	for _, tt := range []struct{ name, path, accept string }{
		{"home-en", "/", "en"},
		{"watch-de-ui-fr", "/watch/hrc47-side-event?t=95&end=1m40s&lang=de&q=Meilenstein", "fr"},
		{"search-en", "/search?q=milestone&lang=en", "en"},
		{"search-none-es", "/search", "es"},
		{"notfound-de", "/watch/nope", "de"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, srv, tt.path, "Accept-Language", tt.accept)
			got := testOrigin.ReplaceAllString(fingerprint.ReplaceAllString(r.body, "$1.HASH."), "http://ORIGIN")
			file := filepath.Join("testdata", "pages", tt.name+".html")
			if *update {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test -run TestPagesGolden -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("GET %s differs from %s (-want +got):\n%s", tt.path, file, diff)
			}
		})
	}
}

package hostile

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestAlreadyHolds keeps what the probe of issue 9 found holding: path
// traversal, range abuse, drafts and hidden speakers withheld on every
// route, escaped cue text under a strict CSP, entity expansion in TTML and
// tokens that do not resolve. Each is asserted against the real program,
// with the server's peak RSS under 96 MiB.
func TestAlreadyHolds(t *testing.T) {
	s := start(t)

	t.Run("path traversal", func(t *testing.T) {
		for _, path := range []string{
			"/media/..%2f..%2f..%2fetc%2fpasswd",
			"/media/%2e%2e%2faccounts%2feditor.json",
			"/static/..%2f..%2fgo.mod",
			"/static/%2e%2e/%2e%2e/etc/passwd",
			"/api/v1/recordings/..%2Faccounts%2Feditor",
			"/api/v1/recordings/hrc47-side-event/tracks/..%2f..%2f..%2faccounts%2feditor",
			"/api/v1/recordings/hrc47-side-event/tracks/..%2f..%2fmanifest.json",
			"/api/v1/recordings/hrc47-side-event/tracks/en%2f..%2f..%2fmanifest/source",
			"/watch/..%2f..%2faccounts%2feditor",
		} {
			rep, err := s.do(req{path: path})
			if err != nil {
				t.Fatal(err)
			}
			if rep.status < 400 || rep.status >= 500 {
				t.Errorf("GET %s = %d; want a 4xx", path, rep.status)
			}
			for _, w := range []string{"root:", "\"sha256\"", "\"tokens\"", "\"role\":", "module github.com"} {
				if strings.Contains(string(rep.body), w) {
					t.Errorf("GET %s answered %q: %s", path, w, short(string(rep.body)))
				}
			}
		}
	})

	t.Run("range abuse", func(t *testing.T) {
		many := "bytes=" + strings.TrimSuffix(strings.Repeat("0-0,", 2000), ",")
		for _, c := range []struct {
			rng  string
			want []int
		}{
			{many, []int{http.StatusOK}},
			{"bytes=0-0,0-0,0-0", []int{http.StatusOK}},
			{"bytes=99999999999999-", []int{http.StatusRequestedRangeNotSatisfiable}},
			{"bytes=-0", []int{http.StatusRequestedRangeNotSatisfiable}},
			{"bytes=5-1", []int{http.StatusOK, http.StatusRequestedRangeNotSatisfiable}},
			{"bytes=-99999999999999", []int{http.StatusOK, http.StatusPartialContent}},
			{"bytes=0-", []int{http.StatusPartialContent}},
		} {
			rep, err := s.do(req{path: "/media/hrc47-side-event", header: []string{"Range", c.rng}})
			if err != nil {
				t.Fatal(err)
			}
			ok := false
			for _, w := range c.want {
				ok = ok || rep.status == w
			}
			if !ok {
				t.Errorf("Range %s = %d; want one of %v", short(c.rng), rep.status, c.want)
			}
			if strings.HasPrefix(rep.header.Get("Content-Type"), "multipart/") {
				t.Errorf("Range %s answered a multipart body", short(c.rng))
			}
		}
	})

	t.Run("drafts and hidden speakers", func(t *testing.T) {
		s.createRecording("secretdraft", "draft")
		if rep := s.putTrack("secretdraft", "en", vtt("Ana: the draftonlyword sentence")); rep.status >= 300 {
			t.Fatalf("PUT = %d %s", rep.status, rep.body)
		}
		body := `{"id":"hiddenvoice","title":"Hidden voice","status":"published","date":"2026-01-01","speakers":[` +
			`{"id":"ana","name":"Ana","visibility":"named"},{"id":"sv","name":"Survivorname","visibility":"hidden"}]}`
		s.must(req{method: http.MethodPost, path: "/api/v1/recordings", body: strings.NewReader(body), editor: true, header: jsonBody}, http.StatusCreated)
		if rep := s.putTrack("hiddenvoice", "en", vtt("Ana: an open sentence", "Survivorname: the hiddenonlyword testimony", "Ana: I thank Survivorname")); rep.status >= 300 {
			t.Fatalf("PUT = %d %s", rep.status, rep.body)
		}
		for _, q := range []string{"draftonlyword", "hiddenonlyword"} {
			rep := s.must(req{path: "/search?q=" + q}, http.StatusOK)
			if strings.Contains(string(rep.body), "/watch/hiddenvoice") || strings.Contains(string(rep.body), "/watch/secretdraft") {
				t.Errorf("search page for %s links the withheld words", q)
			}
		}
		for _, path := range []string{"/api/v1/recordings/secretdraft", "/watch/secretdraft", "/media/secretdraft", "/api/v1/recordings/secretdraft/tracks/en.vtt"} {
			s.must(req{path: path}, http.StatusNotFound)
		}
		for _, path := range []string{
			"/", "/api/v1/recordings", "/api/v1/search?q=draftonlyword", "/search?q=draftonlyword",
			"/api/v1/search?q=hiddenonlyword", "/api/v1/search?q=survivorname",
			"/watch/hiddenvoice", "/api/v1/recordings/hiddenvoice", "/api/v1/recordings/hiddenvoice/tracks/en",
			"/api/v1/recordings/hiddenvoice/tracks/en.srt", "/api/v1/recordings/hiddenvoice/tracks/en.txt",
			"/api/v1/recordings/hiddenvoice/tracks/en.vtt", "/api/v1/recordings/hiddenvoice/tracks/en.ttml",
		} {
			rep := s.must(req{path: path}, http.StatusOK)
			for _, w := range []string{"draftonlyword", "secretdraft", "hiddenonlyword", "Survivorname", "survivorname"} {
				if strings.Contains(path, w) {
					continue // the search page repeats the query
				}
				if strings.Contains(string(rep.body), w) {
					t.Errorf("anonymous GET %s shows %q", path, w)
				}
			}
		}
	})

	t.Run("escaped cue text under a strict CSP", func(t *testing.T) {
		s.createRecording("xss", "published")
		if rep := s.putTrack("xss", "en", vtt(`Ana: <script>alert("xss")</script><img src=x onerror=alert(1)> end`)); rep.status >= 300 {
			t.Fatalf("PUT = %d %s", rep.status, rep.body)
		}
		for _, path := range []string{"/watch/xss", "/search?q=end", "/watch/xss?q=end"} {
			rep := s.must(req{path: path}, http.StatusOK)
			page := string(rep.body)
			if strings.Contains(page, `<script>alert`) || strings.Contains(page, "<img src=x") {
				t.Errorf("GET %s holds the cue's markup unescaped", path)
			}
			csp := rep.header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe-inline") && strings.Contains(csp, "script-src 'unsafe-inline'") {
				t.Errorf("GET %s: Content-Security-Policy %q; want a strict script-src", path, csp)
			}
		}
	})

	t.Run("entity expansion in TTML", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><!DOCTYPE tt [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">`)
		prev := "a"
		for i := range 12 {
			name := fmt.Sprintf("e%d", i)
			fmt.Fprintf(&b, `<!ENTITY %s "%s">`, name, strings.Repeat("&"+prev+";", 10))
			prev = name
		}
		b.WriteString(`<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`)
		b.WriteString(`<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="00:00:01.000" end="00:00:02.000">&` + prev + `; &xxe;</p></div></body></tt>`)
		s.createRecording("xml", "draft")
		rep := s.putTrack("xml", "en", []byte(b.String()))
		if rep.status < 400 || rep.status >= 500 {
			t.Errorf("PUT a TTML billion laughs = %d %s; want a 4xx", rep.status, short(string(rep.body)))
		}
		if strings.Contains(string(rep.body), "root:") {
			t.Errorf("PUT TTML with an external entity answered /etc/passwd")
		}
	})

	t.Run("tokens that do not resolve", func(t *testing.T) {
		for _, h := range []string{"Bearer vbt_nottherealtoken", "Bearer ", "Basic ZWRpdG9yOmVkaXRvcg==", "Bearer " + strings.Repeat("a", 4000)} {
			rep := s.must(req{path: "/api/v1/recordings", header: []string{"Authorization", h}}, http.StatusUnauthorized)
			if rep.header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 for %q without WWW-Authenticate", short(h))
			}
		}
	})

	s.alive()
	s.noErrorLogs()
	s.checkPeak(96 * mib)
}

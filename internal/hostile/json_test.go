package hostile

import (
	"net/http"
	"strings"
	"testing"
)

// TestStrictJSON is defect 9: the JSON check was looser than the README
// says (no Content-Type accepted, application/jsonp accepted by prefix,
// Application/JSON refused, trailing garbage and duplicate keys accepted, a
// 5 MiB body answered 400 "unexpected EOF"). Now a body must be
// application/json in any letter case (415 otherwise), one JSON value
// without duplicate keys (400 otherwise), and at most the JSON limit (413).
func TestStrictJSON(t *testing.T) {
	s := start(t)
	rec := func(id string) string { return `{"id":"` + id + `","title":"JSON ` + id + `","date":"2026-01-01"}` }
	cases := []struct {
		name, ctype, body string
		want              int
	}{
		{"no content type", "", rec("j-none"), http.StatusUnsupportedMediaType},
		{"application/jsonp", "application/jsonp", rec("j-jsonp"), http.StatusUnsupportedMediaType},
		{"text/plain", "text/plain", rec("j-text"), http.StatusUnsupportedMediaType},
		{"a form", "application/x-www-form-urlencoded", rec("j-form"), http.StatusUnsupportedMediaType},
		{"trailing garbage", "application/json", rec("j-trail") + ` {"id":"j-other"}`, http.StatusBadRequest},
		{"trailing word", "application/json", rec("j-trail2") + "garbage", http.StatusBadRequest},
		{"duplicate keys", "application/json", `{"id":"j-dup","title":"one","title":"two"}`, http.StatusBadRequest},
		{"duplicate nested keys", "application/json", `{"id":"j-dup2","title":"t","speakers":[{"id":"a","name":"A","name":"B"}]}`, http.StatusBadRequest},
		{"5 MiB", "application/json", `{"id":"j-big","title":"big","description":"` + strings.Repeat("a", 5<<20) + `"}`, http.StatusRequestEntityTooLarge},
		{"Application/JSON", "Application/JSON", rec("j-upper"), http.StatusCreated},
		{"with charset", "application/json; charset=utf-8", rec("j-charset"), http.StatusCreated},
	}
	for _, c := range cases {
		var hdr []string
		if c.ctype != "" {
			hdr = []string{"Content-Type", c.ctype}
		}
		rep, err := s.do(req{method: http.MethodPost, path: "/api/v1/recordings", body: strings.NewReader(c.body), editor: true, header: hdr})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if rep.status != c.want {
			t.Errorf("POST a recording, %s = %d %s; want %d", c.name, rep.status, short(string(rep.body)), c.want)
		} else if c.want >= 400 && errorMessage(rep.body) == "" {
			t.Errorf("POST a recording, %s: %d without a message: %s", c.name, rep.status, short(string(rep.body)))
		}
	}
	// Nothing refused was stored.
	for _, id := range []string{"j-none", "j-jsonp", "j-text", "j-form", "j-trail", "j-other", "j-trail2", "j-dup", "j-dup2", "j-big"} {
		s.must(req{path: "/api/v1/recordings/" + id, editor: true}, http.StatusNotFound)
	}
	// The same rules on another JSON route.
	for _, c := range []struct {
		ctype, body string
		want        int
	}{
		{"", `{"offset_ms":1}`, http.StatusUnsupportedMediaType},
		{"application/json", `{"offset_ms":1}{"offset_ms":2}`, http.StatusBadRequest},
		{"application/json", `{"offset_ms":1,"offset_ms":2}`, http.StatusBadRequest},
	} {
		var hdr []string
		if c.ctype != "" {
			hdr = []string{"Content-Type", c.ctype}
		}
		rep, err := s.do(req{method: http.MethodPost, path: "/api/v1/recordings/istac-launch/tracks/en/shift", body: strings.NewReader(c.body), editor: true, header: hdr})
		if err != nil {
			t.Fatal(err)
		}
		if rep.status != c.want {
			t.Errorf("POST shift %q %q = %d %s; want %d", c.ctype, c.body, rep.status, short(string(rep.body)), c.want)
		}
	}
	s.alive()
	s.noErrorLogs()
	s.checkPeak(64 * mib)
}

package server_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// longTrack is a WebVTT track of n cues, cue i (0-based) spoken from i s
// to i.9 s as "cue i".
func longTrack(n int) string {
	var b strings.Builder
	b.WriteString("WEBVTT\n\n")
	for i := range n {
		fmt.Fprintf(&b, "%02d:%02d:%02d.000 --> %02d:%02d:%02d.900\n<v Ana>cue %d\n\n", i/3600, i/60%60, i%60, i/3600, i/60%60, i%60, i)
	}
	return b.String()
}

func withLongTrack(t *testing.T, n int) *testServer {
	t.Helper()
	ts := newTestServer(t, nil)
	ts.published(t, "long")
	resp := ts.do(t, "PUT", "/api/v1/recordings/long/tracks/en?name=en.vtt", ts.token, longTrack(n), "Content-Type", "text/vtt")
	wantStatus(t, resp, http.StatusCreated)
	return ts
}

var cueItem = regexp.MustCompile(`<li id="cue-(\d+)"`)

// TestWatchWindow: the watch page of a 1,000-cue track renders 150 cues
// around ?t= (50 before the cue at t, 100 from it), with "earlier" and
// "later" links to the ?t= of the neighbouring windows, and the window's
// place in the track for app.js.
func TestWatchWindow(t *testing.T) {
	ts := withLongTrack(t, 1000)
	tests := []struct {
		path           string
		first, last    int // 1-based cue ids rendered
		earlier, later string
	}{
		{"/watch/long?t=500&lang=en", 451, 600, "/watch/long?lang=en&amp;t=350", "/watch/long?lang=en&amp;t=650"},
		{"/watch/long?lang=en", 1, 150, "", "/watch/long?lang=en&amp;t=200"},
		{"/watch/long?t=20&lang=en", 1, 150, "", "/watch/long?lang=en&amp;t=200"},
		{"/watch/long?t=990&lang=en", 851, 1000, "/watch/long?lang=en&amp;t=750", ""},
	}
	for _, tt := range tests {
		resp := ts.do(t, "GET", tt.path, "", nil)
		wantStatus(t, resp, http.StatusOK)
		body := string(readAll(t, resp))
		ids := cueItem.FindAllStringSubmatch(body, -1)
		if len(ids) != 150 || ids[0][1] != fmt.Sprint(tt.first) || ids[len(ids)-1][1] != fmt.Sprint(tt.last) {
			t.Errorf("GET %s: %d cues rendered, cue-%s to cue-%s; want 150, cue-%d to cue-%d", tt.path, len(ids), ids[0][1], ids[len(ids)-1][1], tt.first, tt.last)
		}
		for _, link := range []struct{ id, href string }{{"earlier", tt.earlier}, {"later", tt.later}} {
			tag := `<a id="` + link.id + `" class="more-link" href="` + link.href + `">`
			if has := strings.Contains(body, `id="`+link.id+`"`); has != (link.href != "") || (has && !strings.Contains(body, tag)) {
				t.Errorf("GET %s: %s link wrong; want %q", tt.path, link.id, tag)
			}
		}
		want := fmt.Sprintf(`data-api="/api/v1/recordings/long/tracks/en" data-from="%d" data-to="%d" data-total="1000"`, tt.first-1, tt.last)
		if !strings.Contains(body, want) {
			t.Errorf("GET %s: transcript does not carry %s", tt.path, want)
		}
	}
}

// TestTrackJSONPages: a track's JSON cues come 500 at a time by default,
// at most 1,000 per request; offset and from_ms choose the first cue and
// next_offset says where the next page starts.
func TestTrackJSONPages(t *testing.T) {
	ts := withLongTrack(t, 1200)
	type page struct {
		Offset     int  `json:"offset"`
		Total      int  `json:"total"`
		NextOffset *int `json:"next_offset"`
		Cues       []struct {
			StartMS int64  `json:"start_ms"`
			Text    string `json:"text"`
		} `json:"cues"`
	}
	get := func(q string) page {
		t.Helper()
		resp := ts.do(t, "GET", "/api/v1/recordings/long/tracks/en"+q, "", nil)
		wantStatus(t, resp, http.StatusOK)
		return decode[page](t, resp)
	}
	next := func(p page) int {
		if p.NextOffset == nil {
			return -1
		}
		return *p.NextOffset
	}
	tests := []struct {
		query           string
		offset, n, next int
		firstText       string
	}{
		{"", 0, 500, 500, "cue 0"},
		{"?offset=500", 500, 500, 1000, "cue 500"},
		{"?offset=1000", 1000, 200, -1, "cue 1000"},
		{"?limit=1000&offset=100", 100, 1000, 1100, "cue 100"},
		{"?from_ms=754200&limit=10", 754, 10, 764, "cue 754"}, // spoken 754.0-754.9 s
		{"?from_ms=754950&limit=10", 755, 10, 765, "cue 755"}, // in the pause: the next cue
		{"?from_ms=9999999", 1200, 0, -1, ""},                 // after the last cue
		{"?offset=5000", 1200, 0, -1, ""},
	}
	for _, tt := range tests {
		p := get(tt.query)
		first := ""
		if len(p.Cues) > 0 {
			first = p.Cues[0].Text
		}
		if p.Offset != tt.offset || len(p.Cues) != tt.n || next(p) != tt.next || p.Total != 1200 || first != tt.firstText {
			t.Errorf("GET tracks/en%s = offset %d, %d cues from %q, next %d, total %d; want %d, %d from %q, next %d, total 1200",
				tt.query, p.Offset, len(p.Cues), first, next(p), p.Total, tt.offset, tt.n, tt.firstText, tt.next)
		}
	}
	for _, q := range []string{"?limit=1001", "?limit=0", "?offset=-1", "?from_ms=x", "?offset=1&from_ms=2"} {
		resp := ts.do(t, "GET", "/api/v1/recordings/long/tracks/en"+q, "", nil)
		wantStatus(t, resp, http.StatusBadRequest)
	}
	e := decode[apiError](t, ts.do(t, "GET", "/api/v1/recordings/long/tracks/en?limit=5000", "", nil))
	if e.Error.Message != `limit="5000" is not a whole number from 1 to 1000` {
		t.Errorf("limit=5000 message = %q", e.Error.Message)
	}
}

package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/server"
)

func TestListRecordingsPages(t *testing.T) {
	ts := newTestServer(t, func(o *server.Options) { o.MaxPerPage = 3 })
	for i := range 5 {
		resp := ts.do(t, "POST", "/api/v1/recordings", ts.token, map[string]any{"id": fmt.Sprintf("r%d", i), "title": "T",
			"status": "published", "event": []string{"HRC", "ISTAC"}[i%2], "date": fmt.Sprintf("202%d-05-01", i)})
		wantStatus(t, resp, http.StatusCreated)
	}
	wantStatus(t, ts.do(t, "POST", "/api/v1/recordings", ts.token, map[string]any{"id": "draft", "title": "D", "date": "2030-01-01"}), http.StatusCreated)

	page := func(token, query string) (string, int) {
		t.Helper()
		resp := ts.do(t, "GET", "/api/v1/recordings?"+query, token, nil)
		wantStatus(t, resp, http.StatusOK)
		p := decode[archive.CatalogPage](t, resp)
		var ids []string
		for _, r := range p.Recordings {
			ids = append(ids, r.ID)
		}
		return strings.Join(ids, ","), p.Total
	}
	tests := []struct {
		token, query, want string
		total              int
	}{
		{"", "", "r4,r3,r2", 5}, // default page size capped by the limit
		{"", "page=2&per_page=3", "r1,r0", 5},
		{"", "event=ISTAC&per_page=3", "r3,r1", 2},
		{"", "year=2022", "r2", 1},
		{ts.token, "status=draft", "draft", 1},
		{ts.token, "per_page=1", "draft", 6},
	}
	for _, tt := range tests {
		if got, total := page(tt.token, tt.query); got != tt.want || total != tt.total {
			t.Errorf("GET /api/v1/recordings?%s = %q (total %d); want %q (total %d)", tt.query, got, total, tt.want, tt.total)
		}
	}
	for query, param := range map[string]string{
		"per_page=4": "per_page", "per_page=x": "per_page", "page=0": "page",
		"year=22": "year", "lang=%21%21": "lang", "status=draft": "status",
	} {
		resp := ts.do(t, "GET", "/api/v1/recordings?"+query, "", nil)
		wantStatus(t, resp, http.StatusBadRequest)
		if e := decode[apiError](t, resp); !strings.Contains(e.Error.Message, param) {
			t.Errorf("GET ?%s: message %q does not name %s", query, e.Error.Message, param)
		}
	}
}

// The home pages through the catalog; event pages and browsing by year,
// language and speaker narrow it, and a hidden speaker's name finds
// nothing.
func TestHomePagesAndBrowsing(t *testing.T) {
	ts := newTestServer(t, nil)
	for i := range 31 {
		body := map[string]any{"id": fmt.Sprintf("r%02d", i), "title": fmt.Sprintf("Title %02d", i), "status": "published",
			"event": "Other event", "date": fmt.Sprintf("2020-01-%02d", 1+i%28)}
		if i == 30 {
			body["event"], body["date"] = "HRC 57", "2024-09-10"
			body["speakers"] = []map[string]any{{"name": "Open Chair"}, {"name": "Hidden Person", "visibility": "hidden"}}
		}
		wantStatus(t, ts.do(t, "POST", "/api/v1/recordings", ts.token, body), http.StatusCreated)
	}
	get := func(path string, want int) string {
		t.Helper()
		resp := ts.do(t, "GET", path, "", nil, "Accept-Language", "en")
		wantStatus(t, resp, want)
		return string(readAll(t, resp))
	}
	first := get("/", http.StatusOK)
	for _, want := range []string{"Title 30", `href="/events/hrc-57"`, "Page 1 of 2", `href="/?page=2" rel="next"`} {
		if !strings.Contains(first, want) {
			t.Errorf("home page 1 lacks %q", want)
		}
	}
	if strings.Count(first, `class="card"`) != 30 {
		t.Errorf("home page 1 shows %d cards; want 30", strings.Count(first, `class="card"`))
	}
	if second := get("/?page=2", http.StatusOK); strings.Count(second, `class="card"`) != 1 || !strings.Contains(second, `rel="prev"`) {
		t.Errorf("home page 2 shows %d cards (want 1) or lacks the link back", strings.Count(second, `class="card"`))
	}
	ev := get("/events/hrc-57", http.StatusOK)
	if !strings.Contains(ev, "Title 30") || strings.Contains(ev, "Title 29") || !strings.Contains(ev, "All recordings") {
		t.Errorf("event page does not show exactly its recording")
	}
	get("/events/no-such-event", http.StatusNotFound)
	if y := get("/?year=2024", http.StatusOK); !strings.Contains(y, "Title 30") || strings.Contains(y, "Title 00") {
		t.Errorf("year 2024 does not list exactly r30")
	}
	if s := get("/?speaker=open+chair", http.StatusOK); !strings.Contains(s, "Title 30") || strings.Contains(s, "Title 00") {
		t.Errorf("browsing by a named speaker does not list exactly r30")
	}
	if s := get("/?speaker=Hidden+Person", http.StatusOK); strings.Contains(s, "Title 30") || !strings.Contains(s, "No published recordings match.") {
		t.Errorf("browsing by a hidden speaker's name lists their recording")
	}
	if s := get("/?speaker=open+chair", http.StatusOK); strings.Contains(s, "Hidden Person") {
		t.Errorf("a page lists a hidden speaker's name")
	}
}

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

package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/bleveindex"
	"github.com/verbatim-archive/verbatim/internal/disk"
)

// demoHandler is the real server (route table, limiter, Service, an
// in-memory bleve index) on the demo recordings, called without a network.
func demoHandler(tb testing.TB, mods ...func(*Options)) *Server {
	tb.Helper()
	store, err := disk.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	idx, err := bleveindex.OpenMem()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { idx.Close() })
	svc, err := archive.NewService(archive.Options{Blobs: store, Index: idx})
	if err != nil {
		tb.Fatal(err)
	}
	if err := svc.Import(context.Background(), admin, os.DirFS("../../subtitles"), nil); err != nil {
		tb.Fatalf("import the demo: %v", err)
	}
	o := Options{Service: svc}
	for _, m := range mods {
		m(&o)
	}
	srv, err := New(o)
	if err != nil {
		tb.Fatal(err)
	}
	return srv
}

func serve(h http.Handler, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Accept-Language", "en")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestPageQueryLimits: the search page and the watch page go through the
// archive's query limits. A 100 KB query answers 400 on the search page
// with what is too big, echoing no more than the limit, and the watch page
// still plays without carrying it into its links; both cost a bounded
// amount of memory.
func TestPageQueryLimits(t *testing.T) {
	h := demoHandler(t)
	huge := strings.Repeat("trafficking ", 100<<10/12)
	hugeRunes := len([]rune(strings.TrimSpace(huge)))
	tests := []struct {
		name, path string
		status     int
		want       []string
		maxBody    int
	}{
		{"search, 100 KB", "/search?q=" + url.QueryEscape(huge), 400,
			[]string{"This search is too long: " + strconv.Itoa(hugeRunes) + " characters; at most 512."}, 64 << 10},
		{"search, 57 words", "/search?q=" + url.QueryEscape(strings.Repeat("protocol ", 57)), 400,
			[]string{"This search has 57 words; at most 32."}, 64 << 10},
		{"search, ordinary", "/search?q=palermo", 200, []string{"palermo"}, 1 << 20},
		{"watch, 100 KB", "/watch/istac-launch?lang=en&q=" + url.QueryEscape(huge), 200, nil, 1 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(h, tt.path)
			body := rec.Body.String()
			if rec.Code != tt.status {
				t.Fatalf("GET %.60s… = %d; want %d", tt.path, rec.Code, tt.status)
			}
			wantContains(t, tt.name, body, tt.want...)
			if len(body) > tt.maxBody {
				t.Errorf("page is %d bytes; want at most %d", len(body), tt.maxBody)
			}
			if strings.Contains(body, strings.Repeat("trafficking ", 60)) {
				t.Errorf("the page echoes more of the query than the archive would search")
			}
		})
	}
	// Memory: each 100 KB request costs a bounded amount, far below the
	// hundreds of megabytes its automata used to take.
	for _, path := range []string{"/search?q=" + url.QueryEscape(huge), "/watch/istac-launch?lang=en&q=" + url.QueryEscape(huge)} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 5 {
			serve(h, path)
		}
		runtime.ReadMemStats(&after)
		if per := (after.TotalAlloc - before.TotalAlloc) / 5; per > 8<<20 {
			t.Errorf("GET %.40s… allocates %d bytes; want at most 8 MiB", path, per)
		}
	}
}

// TestAPIQueryLimits: the JSON API answers an oversized query 400 with
// the archive's message, and an 800-letter word (under a raised length
// limit it would reach the index) never answers 5xx.
func TestAPIQueryLimits(t *testing.T) {
	h := demoHandler(t)
	for _, tt := range []struct {
		q, want string
	}{
		{strings.Repeat("trafficking ", 100<<10/12), `{"code":"invalid","message":"query has 102395 characters; at most 512"`},
		{strings.Repeat("protocol ", 57), `{"code":"invalid","message":"query has 57 words; at most 32"`},
		{strings.Repeat("protocol", 100), `{"code":"invalid","message":"query has 800 characters; at most 512"`},
	} {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/search?q="+url.QueryEscape(tt.q), nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("GET /api/v1/search?q=%.30q… = %d %s; want 400 with %s", tt.q, rec.Code, rec.Body.String(), tt.want)
		}
	}
}

// FuzzSearchPageQuery runs any query through the real search and watch
// page handlers on the demo archive: they answer 200 or 400, never a 5xx,
// and never echo more of a query than the archive searches.
func FuzzSearchPageQuery(f *testing.F) {
	for _, s := range []string{"palermo", `"palermo protocol"`, `"unclosed`, "", " ", `""`, "<script>alert(1)</script>", "trafficing survivers",
		strings.Repeat("protocol", 100), strings.Repeat("a ", 40), "ü\u0301ber", "\xff\xfe", "日本語", "%00", "q&lang=de"} {
		f.Add(s)
	}
	h := demoHandler(f)
	f.Fuzz(func(t *testing.T, q string) {
		for _, path := range []string{"/search?q=" + url.QueryEscape(q), "/watch/istac-launch?lang=en&q=" + url.QueryEscape(q)} {
			rec := serve(h, path)
			if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
				t.Fatalf("GET %q = %d; want 200 or 400\n%s", path, rec.Code, rec.Body.String())
			}
			if len([]rune(q)) > 600 && strings.Contains(rec.Body.String(), q) {
				t.Fatalf("GET %q echoes a query over the limit whole", path)
			}
		}
	})
}

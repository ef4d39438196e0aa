package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// memStore is an in-memory pageStore for handler tests: it lets a test set
// exactly what the archive and the index answer, including answers a real
// index never gives (hostile highlight HTML, an outage).
type memStore struct {
	recs      []archive.Recording
	cues      map[string][]archive.Cue // "<id>/<lang>"
	result    archive.SearchResult
	searchErr error
	queries   []archive.SearchQuery
}

// Page answers every recording on one page: filtering and paging are the
// catalog's, tested in internal/archive and through the real server.
func (m *memStore) Page(_ context.Context, q archive.CatalogQuery) (archive.CatalogPage, error) {
	out := archive.CatalogPage{Total: len(m.recs), Page: 1, PerPage: q.PerPage}
	for _, r := range m.recs {
		out.Recordings = append(out.Recordings, archive.SummaryOf(r))
	}
	return out, nil
}

func (m *memStore) Get(_ context.Context, id string) (archive.Recording, error) {
	for _, r := range m.recs {
		if r.ID == id {
			return r, nil
		}
	}
	return archive.Recording{}, fmt.Errorf("mem: %s: %w", id, archive.ErrNotFound)
}

func (m *memStore) Track(ctx context.Context, id, lang string) (archive.Track, []archive.Cue, error) {
	rec, err := m.Get(ctx, id)
	if err != nil {
		return archive.Track{}, nil, err
	}
	for _, t := range rec.Tracks {
		if t.Lang == lang {
			return t, m.cues[id+"/"+lang], nil
		}
	}
	return archive.Track{}, nil, fmt.Errorf("mem: %s/%s: %w", id, lang, archive.ErrNotFound)
}

func (m *memStore) Search(_ context.Context, q archive.SearchQuery) (archive.SearchResult, error) {
	m.queries = append(m.queries, q)
	return m.result, m.searchErr
}

const sampleNote = "Subtitles are illustrative reconstructions written for this demo."

func demoStore() *memStore {
	tracks := []archive.Track{
		{Lang: "en", Kind: archive.KindOriginal, Source: archive.SourceHuman},
		{Lang: "de", Kind: archive.KindInterpretation, Source: archive.SourceHuman},
	}
	return &memStore{
		recs: []archive.Recording{
			{
				ID: "hrc47-side-event", Title: "Side event on trafficking", Event: "HRC 47", Date: "2021-06-22",
				Place: "Geneva", Description: sampleNote, Sample: true, Status: archive.StatusPublished,
				Languages: []string{"en", "de"}, DurationMS: 480_000, Tracks: tracks,
				Speakers: []archive.Speaker{{ID: "mod", Name: "Moderator", Role: "CAP International"}},
				Media:    &archive.Media{ContentType: "video/webm"},
			},
			{
				ID: "istac-launch", Title: "Launch of ISTAC", Event: "ODIHR", Date: "2021-01-25",
				Status: archive.StatusPublished, Languages: []string{"en"}, DurationMS: 360_000,
				Tracks: tracks[:1], Media: &archive.Media{ContentType: "video/webm"},
			},
		},
		cues: map[string][]archive.Cue{
			"hrc47-side-event/de": {
				{StartMS: 3_000, EndMS: 8_000, Speaker: "Moderator", Text: "Willkommen."},
				{StartMS: 90_400, EndMS: 96_100, Speaker: "Moderator", Text: "gegen Menschenhandel zum Zweck der sexuellen Ausbeutung"},
				{StartMS: 97_000, EndMS: 101_000, Speaker: "Moderator", Text: "Ein Meilenstein."},
			},
			"hrc47-side-event/en": {
				{StartMS: 3_000, EndMS: 8_000, Speaker: "Moderator", Text: "Welcome."},
			},
		},
	}
}

// pageServer serves the pages on an httptest server, the way the route
// table wires them.
func pageServer(t *testing.T, store pageStore) *httptest.Server {
	t.Helper()
	p, err := newPages(store, nil)
	if err != nil {
		t.Fatalf("newPages: %v", err)
	}
	e := echo.New()
	e.GET("/", p.home)
	e.GET("/watch/:id", p.watch)
	e.GET("/search", p.search)
	e.GET("/static/:name", p.static)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

type response struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, srv *httptest.Server, path string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: read: %v", path, err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(body)}
}

func wantContains(t *testing.T, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("%s does not contain %q", what, s)
		}
	}
}

func wantNotContains(t *testing.T, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(body, s) {
			t.Errorf("%s contains %q; want it absent", what, s)
		}
	}
}

func TestPageSecurityHeaders(t *testing.T) {
	srv := pageServer(t, demoStore())
	for _, path := range []string{"/", "/watch/hrc47-side-event", "/search?q=x", "/watch/nope"} {
		r := get(t, srv, path)
		csp := r.header.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "default-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("GET %s: CSP %q allows unsafe-inline", path, csp)
		}
		if got := r.header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options = %q; want nosniff", path, got)
		}
		if got := r.header.Get("X-Frame-Options"); got != "DENY" {
			t.Errorf("GET %s: X-Frame-Options = %q; want DENY", path, got)
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("GET %s: Content-Type = %q; want text/html", path, ct)
		}
		// The policy forbids inline code, so the pages must not need any.
		wantNotContains(t, "GET "+path, r.body, "<script>", " style=", " onclick=", " onload=", "javascript:")
	}
}

func TestInterfaceLanguage(t *testing.T) {
	srv := pageServer(t, demoStore())
	tests := []struct {
		path   string
		header []string
		want   string
	}{
		{"/", nil, "en"},
		{"/", []string{"Accept-Language", "fr-CH, fr;q=0.9"}, "fr"},
		{"/", []string{"Accept-Language", "es-419"}, "es"},
		{"/?ui=de", []string{"Accept-Language", "fr"}, "de"},
		{"/", []string{"Accept-Language", "fr", "Cookie", uiCookie + "=es"}, "es"},
		{"/?ui=xx", []string{"Accept-Language", "de"}, "de"},
	}
	for _, tt := range tests {
		r := get(t, srv, tt.path, tt.header...)
		if want := `<html lang="` + tt.want + `">`; !strings.Contains(r.body, want) {
			t.Errorf("GET %s %v: page is not in %s", tt.path, tt.header, tt.want)
		}
	}
	r := get(t, srv, "/?ui=de")
	if c := r.header.Get("Set-Cookie"); !strings.Contains(c, uiCookie+"=de") || !strings.Contains(c, "SameSite=Lax") {
		t.Errorf("GET /?ui=de: Set-Cookie = %q; want %s=de, SameSite=Lax", c, uiCookie)
	}
	wantContains(t, "home in German", r.body, "Was gesagt wurde", `22. Juni 2021`, `<a href="/?ui=fr" lang="fr" hreflang="fr">Français</a>`)
}

func TestStaticAssetsAreFingerprinted(t *testing.T) {
	srv := pageServer(t, demoStore())
	page := get(t, srv, "/").body
	for _, re := range []string{`/static/app\.[0-9a-f]{10}\.css`, `/static/app\.[0-9a-f]{10}\.js`} {
		u := regexp.MustCompile(re).FindString(page)
		if u == "" {
			t.Errorf("home links no asset matching %s", re)
			continue
		}
		r := get(t, srv, u)
		if r.status != http.StatusOK || len(r.body) == 0 {
			t.Errorf("GET %s = %d, %d bytes; want 200 with content", u, r.status, len(r.body))
		}
		if got := r.header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: Cache-Control = %q", u, got)
		}
		if got := r.header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options = %q", u, got)
		}
		ext := filepath.Ext(u)
		if ct := r.header.Get("Content-Type"); !strings.Contains(ct, map[string]string{".css": "text/css", ".js": "javascript"}[ext]) {
			t.Errorf("GET %s: Content-Type = %q", u, ct)
		}
	}
	if r := get(t, srv, "/static/app.0000000000.css"); r.status == http.StatusOK {
		t.Error("a stale fingerprint was served; want an error")
	}
}

func TestHostileContentIsEscaped(t *testing.T) {
	const evil = `<script>alert(1)</script><img src=x onerror=alert(2)>`
	store := demoStore()
	rec := &store.recs[0]
	rec.Title = "Title " + evil
	rec.Event = "Event " + evil
	rec.Place = evil
	rec.Description = evil + " illustrative"
	rec.Speakers = []archive.Speaker{{Name: "Speaker " + evil, Role: evil}}
	store.cues["hrc47-side-event/de"] = []archive.Cue{{StartMS: 1000, EndMS: 2000, Speaker: "Speaker " + evil, Text: "Cue " + evil}}
	store.result = archive.SearchResult{Total: 1, Hits: []archive.Hit{{
		RecordingID: rec.ID, Title: rec.Title, Event: rec.Event, Lang: "de", StartMS: 1000, EndMS: 2000,
		Speaker: "Speaker " + evil, Text: "Cue " + evil, Highlight: "Cue " + evil,
	}}, Facets: archive.Facets{Speaker: map[string]int{"Speaker " + evil: 1}}}
	srv := pageServer(t, store)
	for _, path := range []string{"/", "/watch/hrc47-side-event?lang=de&t=1&q=cue", "/search?q=" + url.QueryEscape(evil)} {
		r := get(t, srv, path)
		wantNotContains(t, "GET "+path, r.body, "<script>alert", "<img src=x", "<img")
		wantContains(t, "GET "+path, r.body, "&lt;script&gt;alert(1)&lt;/script&gt;")
	}
}

// Every message a template or handler names must exist in the catalogs,
// or a viewer would see a bare key.
func TestPagesUseKnownMessages(t *testing.T) {
	p, err := newPages(demoStore(), nil)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, k := range p.i18n.Keys() {
		keys[k] = true
	}
	used := map[string]bool{}
	collect := func(pattern, dir, glob string) {
		files, _ := filepath.Glob(filepath.Join(dir, glob))
		if len(files) == 0 {
			t.Fatalf("no files %s in %s", glob, dir)
		}
		re := regexp.MustCompile(pattern)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range re.FindAllStringSubmatch(string(data), -1) {
				if strings.HasSuffix(m[1], ".") {
					continue // a prefix completed at run time; listed below
				}
				used[m[1]] = true
			}
		}
	}
	collect(`\.T "([a-z0-9.]+)"`, "../../web/templates", "*.html")
	collect(`\.T\("([a-z0-9.]+)"`, ".", "pages*.go")
	for _, k := range []string{"error.notfound.title", "error.invalid.body", "error.unavailable.title", "error.server.body",
		"track.original", "track.interpretation", "source.human", "source.machine", "source.verified",
		"month.1", "month.12", "search.results.one", "search.results.other", "search.results.more", "watch.matches.one", "watch.matches.other"} {
		used[k] = true
	}
	if len(used) < 40 {
		t.Fatalf("found only %d message keys in use; the scan is broken", len(used))
	}
	for k := range used {
		if !keys[k] {
			t.Errorf("message %q is used but not in the catalogs", k)
		}
	}
}

func TestContentSecurityPolicyMediaOrigins(t *testing.T) {
	tests := []struct {
		origins []string
		want    string
	}{
		{nil, "media-src 'self';"},
		{[]string{"https:", "http:"}, "media-src 'self' https: http:;"},
		{[]string{"https://s3.example; script-src *", " 'unsafe-inline' "}, "media-src 'self';"},
	}
	for _, tt := range tests {
		got := contentSecurityPolicy(tt.origins, "'none'")
		if !strings.Contains(got, tt.want) || strings.Count(got, "script-src") != 1 {
			t.Errorf("contentSecurityPolicy(%q) = %q; want it to contain %q and one script-src", tt.origins, got, tt.want)
		}
	}
}

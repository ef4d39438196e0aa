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

func (m *memStore) List(context.Context) ([]archive.Recording, error) { return m.recs, nil }

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
				Place: "Geneva", Description: sampleNote, Status: archive.StatusPublished,
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

func TestHomeGroupsRecordingsByEvent(t *testing.T) {
	srv := pageServer(t, demoStore())
	r := get(t, srv, "/", "Accept-Language", "en")
	if r.status != http.StatusOK {
		t.Fatalf("GET / = %d; want 200", r.status)
	}
	wantContains(t, "home", r.body,
		`<html lang="en">`,
		`<h2 id="event-0">HRC 47</h2>`, `<h2 id="event-1">ODIHR</h2>`,
		`<a href="/watch/hrc47-side-event">Side event on trafficking</a>`,
		`<a href="/watch/istac-launch">Launch of ISTAC</a>`,
		`<time datetime="2021-06-22">June 22, 2021</time>`,
		`<span lang="de">Deutsch</span>`, "8 min", "Moderator", "Geneva",
		`id="home-q" name="q"`, `action="/search"`,
		"Illustrative sample", // the demo's notice
	)
	// Only the sample recording carries the badge.
	if n := strings.Count(r.body, `class="badge badge-sample"`); n != 1 {
		t.Errorf("home shows %d sample badges; want 1", n)
	}
}

func TestHomeWithoutSamplesHasNoNotice(t *testing.T) {
	store := demoStore()
	store.recs[0].Description = "A real recording."
	r := get(t, pageServer(t, store), "/")
	wantNotContains(t, "home", r.body, `class="notice"`, "badge-sample")
}

func TestWatchOpensAtMomentInLanguage(t *testing.T) {
	srv := pageServer(t, demoStore())
	r := get(t, srv, "/watch/hrc47-side-event?t=95&lang=de", "Accept-Language", "en")
	if r.status != http.StatusOK {
		t.Fatalf("GET watch = %d; want 200", r.status)
	}
	wantContains(t, "watch", r.body,
		`<video id="player"`, `src="/media/hrc47-side-event"`, `data-start="95"`, `data-lang="de"`,
		`<track kind="subtitles" src="/api/v1/recordings/hrc47-side-event/tracks/de.vtt" srclang="de" label="Deutsch" default>`,
		`<track kind="subtitles" src="/api/v1/recordings/hrc47-side-event/tracks/en.vtt" srclang="en" label="English">`,
		`<ol id="transcript" class="transcript" lang="de">`,
		`<li id="cue-2" class="cue current" data-start="90.4" data-end="96.1" aria-current="true">`,
		`<a class="cue-link" href="/watch/hrc47-side-event?lang=de&amp;t=90.4">`,
		`<span class="cue-speaker">Moderator</span>`,
		`href="/watch/hrc47-side-event?lang=en&amp;t=95"`, // the language switch keeps the moment
		"interpretation · transcribed by a person",
		"Illustrative sample",
	)
	if n := strings.Count(r.body, "cue current"); n != 1 {
		t.Errorf("watch marks %d cues current; want 1", n)
	}
}

func TestWatchRangeAndMatches(t *testing.T) {
	store := demoStore()
	store.result = archive.SearchResult{Total: 1, Hits: []archive.Hit{{RecordingID: "hrc47-side-event", Lang: "de", StartMS: 97_000, EndMS: 101_000}}}
	srv := pageServer(t, store)
	r := get(t, srv, "/watch/hrc47-side-event?t=1m30s&end=00:01:36&lang=de&q=Meilenstein")
	wantContains(t, "watch", r.body,
		`data-start="90"`, `data-end="96"`,
		`class="cue current in-range"`,
		`class="cue match"`,
		`class="tl-range"`, `class="tl-mark"`, `data-t="97"`,
		"Passage from 1:30 to 1:36.",
		"1 match for “Meilenstein” in this language",
	)
	if len(store.queries) != 1 || store.queries[0].RecordingID != "hrc47-side-event" || store.queries[0].Text != "Meilenstein" {
		t.Errorf("watch searched %+v; want one query for Meilenstein in hrc47-side-event", store.queries)
	}
}

func TestWatchIgnoresMalformedTimes(t *testing.T) {
	srv := pageServer(t, demoStore())
	r := get(t, srv, "/watch/hrc47-side-event?t=soon&end=-4&lang=de")
	if r.status != http.StatusOK {
		t.Fatalf("GET watch with a bad t = %d; want 200", r.status)
	}
	wantContains(t, "watch", r.body, `data-start="0">`) // and no data-end on the video
	wantNotContains(t, "watch", r.body, "cue current", "tl-range")
}

func TestWatchUnknownRecordingIsAPage(t *testing.T) {
	r := get(t, pageServer(t, demoStore()), "/watch/nope", "Accept-Language", "de")
	if r.status != http.StatusNotFound {
		t.Errorf("GET /watch/nope = %d; want 404", r.status)
	}
	wantContains(t, "404 page", r.body, `<html lang="de">`, "Nicht gefunden")
}

func TestChooseTrack(t *testing.T) {
	tracks := []archive.Track{{Lang: "fr", Kind: archive.KindInterpretation}, {Lang: "en", Kind: archive.KindOriginal}, {Lang: "de"}}
	tests := []struct {
		asked, ui, want string
	}{
		{"de", "fr", "de"},
		{"DE", "fr", "de"},
		{"", "fr", "fr"},
		{"it", "es", "en"}, // neither asked nor UI language: the floor language
		{"", "en", "en"},
	}
	for _, tt := range tests {
		if got := chooseTrack(tracks, tt.asked, tt.ui); got != tt.want {
			t.Errorf("chooseTrack(%q, %q) = %q; want %q", tt.asked, tt.ui, got, tt.want)
		}
	}
	if got := chooseTrack(nil, "de", "en"); got != "" {
		t.Errorf("chooseTrack(nil) = %q; want \"\"", got)
	}
}

func searchStore() *memStore {
	store := demoStore()
	store.result = archive.SearchResult{
		Total: 45, Page: 1, PerPage: 20,
		Hits: []archive.Hit{
			{RecordingID: "istac-launch", Title: "Launch of ISTAC", Event: "ODIHR", Date: "2021-01-25", Lang: "en",
				StartMS: 45_500, EndMS: 48_000, Speaker: "Per-Anders Sunesson", Text: "This is a milestone.",
				Highlight: "This is a <mark>milestone</mark>.", URL: "/watch/istac-launch?t=45.5&lang=en"},
			{RecordingID: "hrc47-side-event", Title: "Side event on trafficking", Lang: "de",
				StartMS: 97_000, EndMS: 101_000, Speaker: "Moderator", Text: "Ein Meilenstein.",
				Highlight: "Ein <mark>Meilenstein</mark>.", URL: "/watch/hrc47-side-event?t=97&lang=de"},
			{RecordingID: "istac-launch", Title: "Launch of ISTAC", Lang: "en",
				StartMS: 200_000, EndMS: 204_000, Text: "x <y> & z",
				Highlight: `<img src=x onerror=alert(1)>`, URL: "javascript:alert(1)"},
		},
		Facets: archive.Facets{Lang: map[string]int{"en": 30, "de": 15}, Speaker: map[string]int{"Per-Anders Sunesson": 5, "Moderator": 40}},
	}
	return store
}

func TestSearchGroupsMomentsByRecording(t *testing.T) {
	store := searchStore()
	srv := pageServer(t, store)
	r := get(t, srv, "/search?q=milestone&page=2", "Accept-Language", "en")
	if r.status != http.StatusOK {
		t.Fatalf("GET /search = %d; want 200", r.status)
	}
	wantContains(t, "search", r.body,
		"45 moments for “milestone”",
		`<h2 id="g-istac-launch"><a href="/watch/istac-launch">Launch of ISTAC</a></h2>`,
		`<a class="hit-link" href="/watch/istac-launch?lang=en&amp;q=milestone&amp;t=45.5">`,
		`<span class="hit-text" lang="en">This is a <mark>milestone</mark>.</span>`,
		`<span class="hit-speaker">Per-Anders Sunesson</span>`,
		`<span class="hit-text" lang="en">x &lt;y&gt; &amp; z</span>`,  // unchecked highlight falls back to text
		`href="/watch/istac-launch?lang=en&amp;q=milestone&amp;t=200"`, // a non-watch URL is rebuilt
		`<a href="/search?lang=de&amp;q=milestone" lang="de">Deutsch <span class="count">15</span></a>`,
		`<a href="/search?q=milestone&amp;speaker=Moderator">Moderator <span class="count">40</span></a>`,
		`<span aria-current="page">2</span>`,
		`rel="prev"`, `rel="next"`,
		`<svg class="timeline strip"`,
		`<a href="/search?event=ODIHR&amp;q=milestone" title="Only moments from this event">ODIHR</a>`,
	)
	wantNotContains(t, "search", r.body, "<img", "javascript:")
	if got := strings.Index(r.body, "g-istac-launch"); got < 0 || got > strings.Index(r.body, "g-hrc47-side-event") {
		t.Error("search groups are not in the index's ranking order")
	}
	if len(store.queries) != 1 || store.queries[0].Page != 2 || store.queries[0].Text != "milestone" {
		t.Errorf("search asked %+v; want page 2 of milestone", store.queries)
	}
}

func TestSearchFiltersReachTheIndex(t *testing.T) {
	store := searchStore()
	r := get(t, pageServer(t, store), "/search?q=milestone&lang=de&speaker=Moderator&event=ODIHR")
	if len(store.queries) != 1 {
		t.Fatalf("search made %d queries; want 1", len(store.queries))
	}
	q := store.queries[0]
	if len(q.Langs) != 1 || q.Langs[0] != "de" || len(q.Speakers) != 1 || q.Speakers[0] != "Moderator" || q.Event != "ODIHR" {
		t.Errorf("search query = %+v; want lang de, speaker Moderator, event ODIHR", q)
	}
	wantContains(t, "search", r.body,
		`<option value="de" selected>Deutsch</option>`,
		`<input type="hidden" name="speaker" value="Moderator">`,
		"Event: ODIHR", `href="/search?lang=de&amp;q=milestone&amp;speaker=Moderator"`,
	)
}

func TestSearchWithoutQueryShowsHint(t *testing.T) {
	store := searchStore()
	r := get(t, pageServer(t, store), "/search")
	wantContains(t, "search", r.body, "Type words someone said")
	if len(store.queries) != 0 {
		t.Errorf("an empty search queried the index: %+v", store.queries)
	}
}

func TestSearchIndexDown(t *testing.T) {
	store := searchStore()
	store.searchErr = fmt.Errorf("bleve: closed: %w", archive.ErrUnavailable)
	r := get(t, pageServer(t, store), "/search?q=milestone", "Accept-Language", "fr")
	if r.status != http.StatusServiceUnavailable {
		t.Errorf("GET /search with the index down = %d; want 503", r.status)
	}
	wantContains(t, "search", r.body, "La recherche est momentanément indisponible", `value="milestone"`)
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
		"month.1", "month.12", "search.results.one", "search.results.other", "watch.matches.one", "watch.matches.other"} {
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

package server

import (
	"context"
	"errors"
	"html"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/bleveindex"
	"github.com/verbatim-archive/verbatim/internal/disk"
	"github.com/verbatim-archive/verbatim/internal/media"
)

// demo is the real server on the demo data: a directory store, an
// in-memory bleve index and the Service, seeded from subtitles/ the way
// `verbatim demo` seeds it, listening on 127.0.0.1:0.
type demo struct {
	url string
	svc *archive.Service
}

// admin is who the tests act as when they add material.
var admin = archive.Principal{Name: "browser-test", Role: archive.RoleAdmin}

func startDemo(t *testing.T) demo {
	t.Helper()
	return startDemoWith(t, nil)
}

// startDemoWith is startDemo with the server's options changed by set.
func startDemoWith(t *testing.T, set func(*Options)) demo {
	t.Helper()
	store, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	idx, err := bleveindex.OpenMem()
	if err != nil {
		t.Fatal(err)
	}
	opts := archive.Options{Blobs: store, Index: idx}
	if p, err := media.NewProber(); err == nil {
		opts.Prober = p
	}
	svc, err := archive.NewService(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := svc.Import(ctx, admin, os.DirFS("../../subtitles"), nil); err != nil {
		t.Fatalf("import the demo: %v", err)
	}
	o := Options{Service: svc}
	if set != nil {
		set(&o)
	}
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("server: %v", err)
		}
		idx.Close()
		store.Close()
	})
	return demo{url: "http://" + ln.Addr().String(), svc: svc}
}

// The pages' links must land on the server's real routes: tracks, media,
// assets and search results, on the demo data.
func TestPagesOnTheDemoServer(t *testing.T) {
	d := startDemo(t)
	client := &http.Client{}
	fetch := func(path string, header ...string) response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, d.url+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return response{status: res.StatusCode, header: res.Header, body: string(body)}
	}
	attr := func(body, pattern string) string {
		t.Helper()
		m := regexp.MustCompile(pattern).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("page has nothing matching %s", pattern)
		}
		return html.UnescapeString(m[1])
	}

	home := fetch("/", "Accept-Language", "en")
	wantContains(t, "home", home.body, `href="/watch/hrc47-side-event"`, `href="/watch/istac-launch"`, "Illustrative sample")

	watch := fetch("/watch/hrc47-side-event?t=95&lang=de")
	if watch.status != http.StatusOK {
		t.Fatalf("GET watch = %d", watch.status)
	}
	vtt := fetch(attr(watch.body, `<track kind="subtitles" src="([^"]+)" srclang="de"`))
	if vtt.status != http.StatusOK || !strings.HasPrefix(vtt.header.Get("Content-Type"), "text/vtt") || !strings.Contains(vtt.body, "gegen Menschenhandel zum Zweck der sexuellen") {
		t.Errorf("German track: %d %q, %d bytes; want 200 text/vtt with cue 12", vtt.status, vtt.header.Get("Content-Type"), len(vtt.body))
	}
	video := fetch(attr(watch.body, `<video id="player"[^>]* src="([^"]+)"`), "Range", "bytes=0-99")
	if video.status != http.StatusPartialContent || len(video.body) != 100 {
		t.Errorf("video range: %d, %d bytes; want 206 with 100 bytes", video.status, len(video.body))
	}
	for _, pattern := range []string{`href="(/static/app\.[0-9a-f]+\.css)"`, `src="(/static/app\.[0-9a-f]+\.js)"`} {
		if r := fetch(attr(watch.body, pattern)); r.status != http.StatusOK {
			t.Errorf("asset %s = %d; want 200", pattern, r.status)
		}
	}
	wantContains(t, "watch", watch.body, `class="cue current" data-start="90.4" data-end="96.1"`)

	search := fetch("/search?q=milestone", "Accept-Language", "en")
	first := attr(search.body, `<a class="hit-link" href="([^"]+)"`)
	if want := "/watch/istac-launch?lang=en&q=milestone&t=45.5"; first != want {
		t.Errorf("first milestone result links %q; want %q", first, want)
	}
	german := fetch("/search?q=Palermo+Protocol&lang=de")
	wantContains(t, "German search", german.body, `class="hit-text" lang="de"`, "<mark>")

	// The interface language picks the subtitle language when none is asked.
	fr := fetch("/watch/hrc47-side-event", "Accept-Language", "fr")
	wantContains(t, "French watch", fr.body, `<html lang="fr">`, `<ol id="transcript" class="transcript" lang="fr" data-api="/api/v1/recordings/hrc47-side-event/tracks/fr"`)
	// The demo's metadata is English (metadata_lang in its manifest).
	wantContains(t, "French watch", fr.body, `<h1 lang="en">High Level Online Side Event`)

	for _, tt := range []struct {
		path   string
		status int
	}{
		{"/watch/nope", http.StatusNotFound},
		{"/watch/Not_A_Slug", http.StatusBadRequest},
		{"/search?q=milestone&lang=%3Cscript%3E", http.StatusBadRequest},
	} {
		r := fetch(tt.path)
		if r.status != tt.status || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || r.header.Get("Content-Security-Policy") == "" {
			t.Errorf("GET %s = %d %q; want %d as an HTML page with a CSP", tt.path, r.status, r.header.Get("Content-Type"), tt.status)
		}
		wantNotContains(t, "GET "+tt.path, r.body, "<script>")
	}
}

package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/bleveindex"
	"github.com/verbatim-archive/verbatim/internal/disk"
	"github.com/verbatim-archive/verbatim/internal/media"
)

// An editor signs in, creates a recording, uploads a small video (the
// progress bar moves, the connection drops mid-way and the page resumes
// from the offset, the upload is paused and resumed), uploads
// an SRT and sees its warning and first cues, publishes; the recording
// is then on the home page and in search with its duration.
func TestBrowserEditorPublishes(t *testing.T) {
	b := newBrowser(t)
	// The page sends 8 MiB per PATCH; the server keeps what each PATCH
	// brought whole and drops a broken one's bytes (archive.WriteUpload).
	const chunk = 8 << 20
	drop := &dropper{Nth: 2, At: 3<<20 + 12345}
	url := startEditorSiteCut(t, drop)
	// The sample video, padded to 20 MiB so that the upload outlasts the
	// socket buffers and its progress can be watched (players and ffprobe
	// ignore what follows the last cluster).
	sample, err := os.ReadFile("../../subtitles/media/istac-launch.webm")
	if err != nil {
		t.Fatal(err)
	}
	video := filepath.Join(t.TempDir(), "panel.webm")
	if err := os.WriteFile(video, append(sample, make([]byte, 20<<20-len(sample))...), 0o644); err != nil {
		t.Fatal(err)
	}
	srt := filepath.Join(t.TempDir(), "panel.en.srt")
	if err := os.WriteFile(srt, []byte("1\n00:00:01,000 --> 00:00:04,000\nThe Palermo protocol binds us.\n\n2\n00:00:03,500 --> 00:00:06,000\nSurvivors must be heard.\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	b.run(t, "sign in", chromedp.Navigate(url+"/login"),
		chromedp.SendKeys(chromedp.ID("login-name"), "ed"), chromedp.SendKeys(chromedp.ID("login-password"), consentPassword))
	b.submit(t, "sign in", ".login-form button")
	b.run(t, "open the new-recording form", chromedp.Navigate(url+"/edit/new"), chromedp.WaitVisible(chromedp.ID("rec-title")))
	b.run(t, "fill it", chromedp.SendKeys(chromedp.ID("rec-title"), "Survivors panel"), chromedp.SetValue(chromedp.ID("rec-date"), "2021-06-30"))
	b.submit(t, "create", "#rec-save")
	if p := eval[string](t, b, `location.pathname`); p != "/edit/survivors-panel" {
		t.Fatalf("after create at %s: %s", p, eval[string](t, b, `document.body.innerText`))
	}

	b.run(t, "choose the video", chromedp.SetUploadFiles(chromedp.ID("video-file"), []string{video}))
	b.waitFor(t, "the progress bar moves", `document.getElementById('video-progress').value > 0`)
	// The connection drops drop.At bytes into the second PATCH; the page
	// resumes by itself from the offset the server reports (the first
	// PATCH's 8 MiB, stored whole).
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, offsets := drop.state(); len(offsets) >= 3 {
			if want := []int64{0, chunk, chunk}; !slices.Equal(offsets[:3], want) {
				t.Fatalf("PATCH offsets %v; want %v: the resume from where the connection dropped", offsets, want)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no PATCH after the dropped connection: offsets %v", must(drop.state()))
		}
	}
	first := eval[float64](t, b, `document.getElementById('video-progress').value`)
	b.waitFor(t, "the progress bar moves on", `document.getElementById('video-progress').value > `+ftoa(first))
	b.run(t, "pause", chromedp.Click(chromedp.ID("video-pause")))
	paused := eval[float64](t, b, `document.getElementById('video-progress').value`)
	total := eval[float64](t, b, `document.getElementById('video-progress').max`)
	if paused <= 0 || paused >= total {
		t.Fatalf("paused at %v of %v; want mid-way", paused, total)
	}
	time.Sleep(300 * time.Millisecond)
	if now := eval[float64](t, b, `document.getElementById('video-progress').value`); now > paused+1 {
		t.Errorf("the bar moved from %v to %v while paused", paused, now)
	}
	b.run(t, "resume", chromedp.Click(chromedp.ID("video-resume")))
	b.waitFor(t, "the upload completes", `document.querySelector('[data-upload]').dataset.done === '1'`)

	time.Sleep(1500 * time.Millisecond) // the page reloads itself after a finished upload
	b.run(t, "reopen the page", chromedp.Navigate(url+"/edit/survivors-panel"), chromedp.WaitVisible(chromedp.ID("track-file")))
	if body := eval[string](t, b, `document.body.innerText`); !strings.Contains(body, "A video is attached") {
		t.Fatalf("after the upload the page says:\n%s", body)
	}

	b.run(t, "upload the SRT", chromedp.SetUploadFiles(chromedp.ID("track-file"), []string{srt}),
		chromedp.SendKeys(chromedp.ID("track-lang"), "en"), chromedp.Click(chromedp.ID("track-upload")))
	b.waitFor(t, "the first cues are shown", `document.querySelectorAll('.track-first-cues li').length === 2`)
	if w := eval[string](t, b, `document.querySelector('.track-warnings').innerText`); !strings.Contains(w, "overlaps") {
		t.Errorf("warnings shown = %q; want the overlap", w)
	}
	b.run(t, "accept the track", chromedp.Click(chromedp.ID("track-accept")))
	b.waitFor(t, "the track is stored", `document.getElementById('track-report').dataset.state === 'stored'`)
	b.run(t, "reopen", chromedp.Navigate(url+"/edit/survivors-panel"), chromedp.WaitVisible(chromedp.ID("rec-publish")))
	b.submit(t, "publish", "#rec-publish")
	if !eval[bool](t, b, `!!document.querySelector('.badge-published')`) {
		t.Fatalf("not published: %s", eval[string](t, b, `document.body.innerText`))
	}
	dur := eval[string](t, b, `(document.querySelector('.rec-duration')||{}).innerText || ''`)
	if dur == "" {
		t.Fatalf("the recording has no duration after the upload")
	}
	b.clean(t)

	stored, err := http.Get(url + "/media/survivors-panel")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(stored.Body)
	stored.Body.Close()
	if want, _ := os.ReadFile(video); err != nil || !bytes.Equal(got, want) {
		t.Errorf("stored media: %d bytes (%v), identical %v; want the %d bytes sent", len(got), err, bytes.Equal(got, want), len(want))
	}

	// Published: on the home page, its card with the duration; in search,
	// its group with the duration beside the hit.
	b.run(t, "home", chromedp.Navigate(url+"/?ui=en"))
	card := eval[string](t, b, `[...document.querySelectorAll('.card')].map(c => c.innerText).find(s => s.includes('Survivors panel')) || ''`)
	if card == "" || !strings.Contains(card, dur) {
		t.Errorf("home page: card %q; want the recording with its duration %q:\n%s", card, dur, eval[string](t, b, `document.body.innerText`))
	}
	b.run(t, "search", chromedp.Navigate(url+"/search?q=palermo+protocol&ui=en"))
	b.waitFor(t, "a hit", `document.body.innerText.indexOf('Survivors panel') >= 0`)
	group := eval[string](t, b, `[...document.querySelectorAll('.result-group')].map(g => g.innerText).find(s => s.includes('Survivors panel')) || ''`)
	if !strings.Contains(group, dur) || !strings.Contains(group, "Palermo") {
		t.Errorf("search: result %q; want the recording, its hit and its duration %q", group, dur)
	}
	b.clean(t)
}

func must[A, B any](_ A, b B) B { return b }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// startEditorSite serves an empty archive with an editor "ed", media
// probed with ffprobe when it is installed, and upload bodies read
// slowly (about 1.6 MiB/s) so that a browser's progress can be watched.
func startEditorSite(t *testing.T) string {
	t.Helper()
	return startEditorSiteCut(t, nil)
}

// dropper cuts the connection of the Nth resumable-upload PATCH after
// its first At bytes: the server gets those bytes and then an early end
// of the body, the browser no answer at all (the socket is closed), as
// when venue Wi-Fi drops. Offsets records each PATCH's Upload-Offset.
type dropper struct {
	Nth     int
	At      int64
	mu      sync.Mutex
	cut     bool
	Offsets []int64
}

func (d *dropper) state() (bool, []int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cut, slices.Clone(d.Offsets)
}

// serve passes r to next, cutting it as the dropper says.
func (d *dropper) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	off, _ := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64)
	d.mu.Lock()
	d.Offsets = append(d.Offsets, off)
	now := len(d.Offsets) == d.Nth
	d.cut = d.cut || now
	d.mu.Unlock()
	if !now {
		next.ServeHTTP(w, r)
		return
	}
	r.Body = &cutBody{ReadCloser: r.Body, left: d.At}
	next.ServeHTTP(&muted{ResponseWriter: w, h: http.Header{}}, r) // its answer never reaches the browser
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err) // net/http recovers it and closes the connection as well
	}
	conn.Close()
}

// muted swallows a handler's answer; the connection (read deadlines)
// stays reachable through Unwrap.
type muted struct {
	http.ResponseWriter
	h http.Header
}

func (m *muted) Header() http.Header         { return m.h }
func (m *muted) WriteHeader(int)             {}
func (m *muted) Write(p []byte) (int, error) { return len(p), nil }
func (m *muted) Unwrap() http.ResponseWriter { return m.ResponseWriter }

// cutBody ends with an error after left bytes.
type cutBody struct {
	io.ReadCloser
	left int64
}

func (c *cutBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, io.ErrUnexpectedEOF
	}
	n, err := c.ReadCloser.Read(p[:min(int64(len(p)), c.left)])
	c.left -= int64(n)
	return n, err
}

// startEditorSiteCut is startEditorSite with d (if not nil) cutting the
// first upload PATCH.
func startEditorSiteCut(t *testing.T, d *dropper) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	store, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	idx, err := bleveindex.OpenMem()
	if err != nil {
		t.Fatal(err)
	}
	opts := archive.Options{Blobs: store, Index: idx, PasswordCost: bcrypt.MinCost}
	if p, err := media.NewProber(); err == nil {
		opts.Prober = p
	}
	svc, err := archive.NewService(opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddAccount(ctx, "ed", archive.RoleEditor, []byte(consentPassword)); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Service: svc})
	if err != nil {
		t.Fatal(err)
	}
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			r.Body = &slowBody{ReadCloser: r.Body}
			if d != nil {
				d.serve(w, r, srv)
				return
			}
		}
		srv.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: slow, BaseContext: func(net.Listener) context.Context { return ctx }}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	go func() { go svc.Run(ctx); <-ctx.Done(); hs.Close() }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("server: %v", err)
		}
		idx.Close()
		store.Close()
	})
	return "http://" + ln.Addr().String()
}

type slowBody struct{ io.ReadCloser }

func (s *slowBody) Read(p []byte) (int, error) {
	time.Sleep(20 * time.Millisecond)
	return s.ReadCloser.Read(p[:min(len(p), 32<<10)])
}

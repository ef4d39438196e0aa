package server_test

import (
	"bytes"
	"context"
	"errors"
	"html"
	"image/jpeg"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/clip"
	"github.com/verbatim-archive/verbatim/internal/clip/cliptest"
	"github.com/verbatim-archive/verbatim/internal/disk"
	"github.com/verbatim-archive/verbatim/internal/media"
	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
)

// mediaTools is a real ffmpeg runner for the media worker.
func mediaTools(tb testing.TB) *clip.Cutter {
	tb.Helper()
	cliptest.RequireFFmpeg(tb)
	c, err := clip.New(clip.Options{Jobs: 1, Timeout: time.Minute})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// moovLastVideo is a decodable MP4 (ffmpeg's test pattern and a tone)
// written without faststart: its index after its media data.
func moovLastVideo(tb testing.TB, seconds int) []byte {
	tb.Helper()
	fast := cliptest.MakeVideo(tb, ".mp4", seconds)
	out := filepath.Join(tb.TempDir(), "slow.mp4")
	cliptest.Run(tb, "ffmpeg", "-nostdin", "-loglevel", "error", "-i", fast, "-map", "0", "-c", "copy", out)
	data, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	if info := probeBytes(tb, data); info.Faststart {
		tb.Fatalf("ffmpeg without +faststart wrote the index first: %+v", info)
	}
	return data
}

func probeBytes(tb testing.TB, data []byte) media.Info {
	tb.Helper()
	info, err := media.Probe(context.Background(), bytes.NewReader(data), int64(len(data)), media.Limits{})
	if err != nil {
		tb.Fatalf("probe: %v", err)
	}
	return info
}

// streamHashes are ffmpeg's MD5s of every stream's packets as stored
// (stream copy, nothing decoded): equal when the remux kept the bytes.
func streamHashes(tb testing.TB, data []byte) string {
	tb.Helper()
	name := filepath.Join(tb.TempDir(), "probe.mp4")
	if err := os.WriteFile(name, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return string(cliptest.Run(tb, "ffmpeg", "-nostdin", "-loglevel", "error", "-i", name, "-map", "0", "-c", "copy", "-f", "streamhash", "-hash", "md5", "-"))
}

func manifestOf(tb testing.TB, ts *testServer, id string) archive.Recording {
	tb.Helper()
	rec, _, err := ts.svc.Get(context.Background(), archive.Principal{Name: "t", Role: archive.RoleEditor}, id)
	if err != nil {
		tb.Fatal(err)
	}
	return rec
}

// A video whose index is at its end is remuxed with faststart off the
// request path: the manifest points at the new object only once it is
// stored and probed, the streams' bytes are unchanged, the original goes;
// a poster frame is made, served as a JPEG and shown on the watch page
// and the home card. Uploaded by PUT and by tus, on disk and on S3.
func TestMediaWorkFaststartAndPoster(t *testing.T) {
	tools := mediaTools(t)
	orig := moovLastVideo(t, 4)
	stores := map[string]func(testing.TB) archive.Blobs{
		"disk": tempDisk,
		"s3":   func(tb testing.TB) archive.Blobs { return versityStore(tb) },
	}
	uploads := map[string]func(t *testing.T, ts *testServer){
		"put": func(t *testing.T, ts *testServer) {
			if resp := ts.do(t, "PUT", "/api/v1/recordings/slow/media?name=talk.mp4", ts.token, orig); resp.StatusCode != http.StatusCreated {
				t.Fatalf("PUT media: %d %s", resp.StatusCode, readAll(t, resp))
			}
		},
		"tus": func(t *testing.T, ts *testServer) {
			c := tusClient{base: ts.URL, token: ts.token}
			loc, resp := c.create(t, int64(len(orig)), tusMetadata("recording", "slow", "filename", "talk.mp4"))
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("tus create: %d", resp.StatusCode)
			}
			if resp := c.patch(t, loc, 0, bytes.NewReader(orig), int64(len(orig))); resp.StatusCode != http.StatusNoContent {
				t.Fatalf("tus PATCH: %d", resp.StatusCode)
			}
		},
	}
	for name, open := range stores {
		for how, upload := range uploads {
			t.Run(name+"/"+how, func(t *testing.T) {
				ctx := context.Background()
				ts := newTestServerWith(t, open(t), func(o *archive.Options) { o.MediaTools = tools }, nil)
				createRecording(t, ts, "slow", "published")
				upload(t, ts)
				before := manifestOf(t, ts, "slow")
				if before.Media.Format.Faststart || before.Poster != nil {
					t.Fatalf("before the worker ran: faststart %v, poster %+v", before.Media.Format.Faststart, before.Poster)
				}
				if err := ts.svc.ProcessMedia(ctx); err != nil {
					t.Fatal(err)
				}
				after := manifestOf(t, ts, "slow")
				if after.Media.Key == before.Media.Key || !after.Media.Format.Faststart {
					t.Fatalf("after the worker: media %s faststart %v; want a new object with the index first", after.Media.Key, after.Media.Format.Faststart)
				}
				if _, err := ts.store.Stat(ctx, before.Media.Key); !errors.Is(err, archive.ErrNotFound) {
					t.Errorf("the original object %s is still stored (err %v)", before.Media.Key, err)
				}
				resp := ts.do(t, "GET", "/media/slow", "", nil)
				served := readAll(t, resp)
				if resp.StatusCode != http.StatusOK || int64(len(served)) != after.Media.Size {
					t.Fatalf("GET /media/slow: %d, %d bytes; want 200, %d", resp.StatusCode, len(served), after.Media.Size)
				}
				if info := probeBytes(t, served); !info.Faststart || info.DurationMS != before.Media.Format.DurationMS {
					t.Errorf("served media probes as %+v; want faststart, %d ms", info, before.Media.Format.DurationMS)
				}
				if got, want := streamHashes(t, served), streamHashes(t, orig); got != want {
					t.Errorf("the remux changed the streams:\n%s\nwas\n%s", got, want)
				}

				if after.Poster == nil {
					t.Fatal("no poster after the worker ran")
				}
				resp = ts.do(t, "GET", "/media/slow/poster.jpg", "", nil)
				img := readAll(t, resp)
				if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
					t.Fatalf("GET poster: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
				}
				pic, err := jpeg.Decode(bytes.NewReader(img))
				if err != nil {
					t.Fatalf("the poster does not decode as a JPEG: %v", err)
				}
				if b := pic.Bounds(); b.Dx() != 320 || b.Dy() != 240 {
					t.Errorf("poster is %v; want the video's 320×240 (it is under the 640×360 bound)", b)
				}
				url := "/media/slow/poster.jpg?v=" + archive.PosterVersion(after.Poster)
				for _, page := range []string{"/watch/slow", "/"} {
					body := string(readAll(t, ts.do(t, "GET", page, "", nil)))
					if !strings.Contains(body, url) {
						t.Errorf("%s does not show the poster %s", page, url)
					}
				}
				if !strings.Contains(string(readAll(t, ts.do(t, "GET", "/watch/slow", "", nil))), `poster="`+url+`"`) {
					t.Errorf("the watch page's <video> has no poster attribute")
				}
				// Unpublished, the poster goes with the video.
				draft, ed := archive.StatusDraft, archive.Principal{Name: "t", Role: archive.RoleEditor}
				_, etag, err := ts.svc.Get(ctx, ed, "slow")
				if err != nil {
					t.Fatal(err)
				}
				if _, _, err := ts.svc.Patch(ctx, ed, "slow", etag, archive.Patch{Status: &draft}); err != nil {
					t.Fatal(err)
				}
				if resp := ts.do(t, "GET", "/media/slow/poster.jpg", "", nil); resp.StatusCode != http.StatusNotFound {
					t.Errorf("a draft's poster to a viewer: %d; want 404", resp.StatusCode)
				}
			})
		}
	}
}

// failingTools fail the faststart remux in a given way; the poster is
// made for real.
type failingTools struct {
	*clip.Cutter
	fail func(out string) error
}

func (f failingTools) Faststart(ctx context.Context, in archive.MediaInput, out string) error {
	return f.fail(out)
}

// A remux that fails, or writes something that is not the same recording
// with its index first, leaves the stored video as it was; after the last
// attempt the editors' list says the work failed.
func TestMediaWorkFailureKeepsOriginal(t *testing.T) {
	tools := mediaTools(t)
	orig := moovLastVideo(t, 2)
	for name, fail := range map[string]func(out string) error{
		"ffmpeg fails": func(string) error { return errors.New("ffmpeg: exit status 1: simulated") },
		"truncated output": func(out string) error {
			return os.WriteFile(out, orig[:len(orig)/2], 0o600)
		},
		"index still last": func(out string) error { return os.WriteFile(out, orig, 0o600) },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			ts := newTestServerWith(t, tempDisk(t), func(o *archive.Options) { o.MediaTools = failingTools{tools, fail} }, nil)
			createRecording(t, ts, "slow", "draft")
			ts.do(t, "PUT", "/api/v1/recordings/slow/media?name=talk.mp4", ts.token, orig)
			before := manifestOf(t, ts, "slow")
			for range 3 {
				if err := ts.svc.ProcessMedia(ctx); err != nil {
					t.Fatal(err)
				}
			}
			after := manifestOf(t, ts, "slow")
			if after.Media.Key != before.Media.Key || after.Media.SHA256 != before.Media.SHA256 {
				t.Fatalf("media changed after a failed remux: %+v, was %+v", after.Media, before.Media)
			}
			served := readAll(t, ts.do(t, "GET", "/media/slow", ts.token, nil))
			if !bytes.Equal(served, orig) {
				t.Fatalf("the stored video is not the upload any more (%d bytes, was %d)", len(served), len(orig))
			}
			if after.Poster == nil {
				t.Errorf("no poster: the poster does not depend on the remux")
			}
			failed, err := ts.svc.MediaFailures(ctx, archive.Principal{Name: "t", Role: archive.RoleEditor})
			if err != nil {
				t.Fatal(err)
			}
			if f := failed["slow"]; f.MediaKey != before.Media.Key || !strings.Contains(f.Error, "faststart") {
				t.Errorf("MediaFailures = %+v; want the faststart failure of %s", failed, before.Media.Key)
			}
		})
	}
}

func tempDisk(tb testing.TB) archive.Blobs {
	tb.Helper()
	st, err := disk.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

func createRecording(tb testing.TB, ts *testServer, id, status string) {
	tb.Helper()
	wantStatus(tb, ts.do(tb, "POST", "/api/v1/recordings", ts.token, map[string]any{"id": id, "title": "Talk " + id, "status": status}), http.StatusCreated)
}

// Without ffmpeg (the configured binary is missing) nothing is made, and
// the editor's page says what was skipped, in every interface language.
func TestMediaWorkSkippedWithoutFFmpeg(t *testing.T) {
	if _, err := clip.New(clip.Options{FFmpeg: filepath.Join(t.TempDir(), "no-ffmpeg")}); !errors.Is(err, clip.ErrNoFFmpeg) {
		t.Fatalf("clip.New with a missing binary: %v; want ErrNoFFmpeg", err)
	}
	site := newWebSite(t, 1, nil) // what the server runs with then: no MediaTools
	ctx := context.Background()
	ed := archive.Principal{Name: "ana", Role: archive.RoleEditor}
	if _, _, err := site.svc.Create(ctx, ed, archive.RecordingInput{ID: "slow", Title: "Slow"}); err != nil {
		t.Fatal(err)
	}
	data := mediatest.MP4(t, mediatest.Spec{MoovLast: true})
	if _, err := site.svc.PutMedia(ctx, ed, "slow", archive.MediaUpload{Name: "slow.mp4", Size: int64(len(data)), Body: bytes.NewReader(data)}); err != nil {
		t.Fatal(err)
	}
	if err := site.svc.ProcessMedia(ctx); err != nil {
		t.Fatal(err)
	}
	c := newBrowserClient(t, site.urls[0])
	c.signIn(t, "ana", testPassword)
	want := map[string][]string{
		"en": {"No poster frame: ffmpeg is not installed", "Not remuxed for fast start"},
		"fr": {"Pas d’image d’affiche", "Pas de remultiplexage pour démarrage rapide"},
		"es": {"Sin imagen de portada", "Sin remultiplexado para inicio rápido"},
		"de": {"Kein Vorschaubild", "Kein Remux für schnellen Start"},
	}
	for ui, notes := range want {
		_, page := c.send(t, "GET", "/edit/slow?ui="+ui, nil)
		for _, n := range notes {
			if !strings.Contains(html.UnescapeString(page), n) {
				t.Errorf("/edit/slow?ui=%s lacks %q", ui, n)
			}
		}
	}
	// A video with its index first needs only the poster.
	fast := mediatest.Video(t)
	if _, err := site.svc.PutMedia(ctx, ed, "slow", archive.MediaUpload{Name: "fast.mp4", Size: int64(len(fast)), Body: bytes.NewReader(fast)}); err != nil {
		t.Fatal(err)
	}
	_, page := c.send(t, "GET", "/edit/slow?ui=en", nil)
	if page = html.UnescapeString(page); !strings.Contains(page, "No poster frame") || strings.Contains(page, "Not remuxed") {
		t.Errorf("a faststart video's page should note only the poster:\n%s", page)
	}
}

// gatedTools hold every faststart remux until the gate opens.
type gatedTools struct {
	*clip.Cutter
	gate    chan struct{}
	entered chan struct{}
}

func (g gatedTools) Faststart(ctx context.Context, in archive.MediaInput, out string) error {
	g.entered <- struct{}{}
	<-g.gate
	return g.Cutter.Faststart(ctx, in, out)
}

// The upload is answered before the media work is done: the worker (Run)
// picks the marker up by itself and the upload's response never waits for
// ffmpeg (here it could not: the remux is held until after the response).
func TestMediaWorkOffRequestPath(t *testing.T) {
	tools := gatedTools{mediaTools(t), make(chan struct{}), make(chan struct{}, 1)}
	orig := moovLastVideo(t, 2)
	ts := newTestServerWith(t, tempDisk(t), func(o *archive.Options) { o.MediaTools = tools }, nil)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- ts.svc.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-ran; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	createRecording(t, ts, "slow", "published")
	wantStatus(t, ts.do(t, "PUT", "/api/v1/recordings/slow/media?name=talk.mp4", ts.token, orig), http.StatusCreated)
	<-tools.entered // the worker started on it by itself
	if rec := manifestOf(t, ts, "slow"); rec.Media.Format.Faststart {
		t.Fatalf("remuxed while the remux was held")
	}
	close(tools.gate)
	deadline := time.Now().Add(2 * time.Minute) // a bound on waiting, not a timing assertion
	for {
		rec := manifestOf(t, ts, "slow")
		if rec.Media.Format.Faststart && rec.Poster != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the worker did not finish: %+v, poster %+v", rec.Media.Format, rec.Poster)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

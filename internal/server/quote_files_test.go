package server_test

import (
	"bytes"
	"context"
	"image/png"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/card"
	"github.com/verbatim-archive/verbatim/internal/clip"
	"github.com/verbatim-archive/verbatim/internal/clip/cliptest"
	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
	"github.com/verbatim-archive/verbatim/internal/server"
)

// quoteVTT: Bob speaks first, then Eve; the quote takes Bob's two cues.
const quoteVTT = `WEBVTT

00:00:05.500 --> 00:00:07.200
<v Bob Named>Survivors must be heard, müssen gehört werden.

00:00:07.200 --> 00:00:09.000
<v Bob Named>Nadie conoce mejor la trata, « disent-ils ».

00:00:09.500 --> 00:00:11.000
<v Eve Other>A later answer.
`

// quotedRecording makes a published recording with Bob's two cues and
// media (mediaPath, or none when empty), quotes 6–9 s and returns the id.
func quotedRecording(t *testing.T, ts *testServer, mediaPath, contentType string) string {
	t.Helper()
	ctx := context.Background()
	wantStatus(t, ts.do(t, "POST", "/api/v1/recordings", ts.token, map[string]any{
		"id": "q", "title": "Side event", "event": "HRC side event", "date": "2026-03-12", "place": "Geneva", "status": "published",
		"speakers": []map[string]any{{"name": "Bob Named", "role": "Chair"}, {"name": "Eve Other"}},
	}), http.StatusCreated)
	wantStatus(t, ts.do(t, "PUT", "/api/v1/recordings/q/tracks/en?name=en.vtt", ts.token, quoteVTT, "Content-Type", "text/vtt"), http.StatusCreated)
	if mediaPath != "" {
		f, err := os.Open(mediaPath)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		ed := archive.Principal{Name: "editor", Role: archive.RoleEditor}
		if _, err := ts.svc.PutMedia(ctx, ed, "q", archive.MediaUpload{Name: "v" + filepath.Ext(mediaPath), ContentType: contentType, Size: -1, Body: f}); err != nil {
			t.Fatal(err)
		}
	}
	q, err := ts.svc.CreateQuote(ctx, archive.Principal{}, archive.QuoteRequest{RecordingID: "q", Lang: "en", StartMS: 6000, EndMS: 9000})
	if err != nil {
		t.Fatal(err)
	}
	return q.ID
}

// hideSpeaker sets a speaker of a recording to hidden, as an editor would.
func hideSpeaker(t *testing.T, ts *testServer, id, name string) {
	t.Helper()
	get := ts.do(t, "GET", "/api/v1/recordings/"+id, ts.token, nil)
	rec := decode[archive.Recording](t, get)
	for i := range rec.Speakers {
		if rec.Speakers[i].Name == name {
			rec.Speakers[i].Visibility = archive.VisibilityHidden
		}
	}
	wantStatus(t, ts.do(t, "PATCH", "/api/v1/recordings/"+id, ts.token, map[string]any{"speakers": rec.Speakers}, "If-Match", get.Header.Get("ETag")), http.StatusOK)
}

// storedFiles lists the quote's stored files of one kind.
func storedFiles(t *testing.T, ts *testServer, id, kind string) []string {
	t.Helper()
	infos, err := ts.store.List(context.Background(), "quotes/"+id+"/"+kind+"-")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, i := range infos {
		keys = append(keys, i.Key)
	}
	return keys
}

var bobsWords = []string{"Survivors must be heard", "müssen gehört", "Nadie conoce", "Bob Named"}

func TestQuoteCard(t *testing.T) {
	ts := newTestServer(t, nil)
	id := quotedRecording(t, ts, "", "")

	resp := ts.do(t, "GET", "/q/"+id+"/card.png", "", nil)
	wantStatus(t, resp, http.StatusOK)
	data := readAll(t, resp)
	if ct := resp.Header.Get("Content-Type"); ct != "image/png" {
		t.Errorf("Content-Type = %q; want image/png", ct)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("card is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != card.Width || b.Dy() != card.Height {
		t.Errorf("card is %dx%d; want %dx%d", b.Dx(), b.Dy(), card.Width, card.Height)
	}
	desc := pngText(t, data, "Description")
	want := "“Survivors must be heard, müssen gehört werden. Nadie conoce mejor la trata, « disent-ils ».”\nBob Named, Chair\nHRC side event · March 12, 2026 · Geneva"
	if desc != want {
		t.Errorf("card text = %q; want %q", desc, want)
	}
	if strings.Contains(desc, "A later answer") {
		t.Error("card shows words from outside the quote")
	}
	etag := resp.Header.Get("ETag")
	stored := storedFiles(t, ts, id, "card")
	if len(stored) != 1 {
		t.Fatalf("stored cards = %v; want one", stored)
	}

	// Drawn once: the next request serves the stored card, and a cache
	// holding it gets a 304.
	again := ts.do(t, "GET", "/q/"+id+"/card.png", "", nil)
	if b := readAll(t, again); !bytes.Equal(b, data) || again.Header.Get("ETag") != etag {
		t.Error("second request served another card")
	}
	wantStatus(t, ts.do(t, "GET", "/q/"+id+"/card.png", "", nil, "If-None-Match", etag), http.StatusNotModified)
	part := ts.do(t, "GET", "/q/"+id+"/card.png", "", nil, "Range", "bytes=0-7")
	wantStatus(t, part, http.StatusPartialContent)
	if b := readAll(t, part); string(b) != "\x89PNG\r\n\x1a\n" {
		t.Errorf("bytes 0-7 = %q; want the PNG signature", b)
	}

	// Bob is hidden later: the card shows the notice, and the card with
	// his words is gone from storage.
	hideSpeaker(t, ts, "q", "Bob Named")
	resp = ts.do(t, "GET", "/q/"+id+"/card.png", "", nil)
	wantStatus(t, resp, http.StatusOK)
	data = readAll(t, resp)
	if desc := pngText(t, data, "Description"); !strings.HasPrefix(desc, "Passage withheld at the speaker’s request.\n") {
		t.Errorf("card of a quote whose speaker is now hidden reads %q; want the withheld notice", desc)
	}
	for _, w := range bobsWords {
		if bytes.Contains(data, []byte(w)) {
			t.Errorf("card of a withheld quote still carries %q", w)
		}
	}
	if resp.Header.Get("ETag") == etag {
		t.Error("the withheld card has the ETag of the card with the words: caches would keep the words")
	}
	if now := storedFiles(t, ts, id, "card"); len(now) != 1 || now[0] == stored[0] {
		t.Errorf("stored cards after hiding = %v; want one, not %v", now, stored)
	}

	wantStatus(t, ts.do(t, "GET", "/q/abcdefghijkm/card.png", "", nil), http.StatusNotFound)
	wantStatus(t, ts.do(t, "GET", "/q/nope/card.png", "", nil), http.StatusNotFound)
}

func TestQuoteClip(t *testing.T) {
	ts := newClipServer(t)
	id := quotedRecording(t, ts, cliptest.MakeVideo(t, ".mp4", 12), "video/mp4")

	resp := ts.do(t, "GET", "/q/"+id+"/clip.mp4", "", nil)
	wantStatus(t, resp, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "video/mp4" {
		t.Errorf("Content-Type = %q; want video/mp4", ct)
	}
	data := readAll(t, resp)
	name := filepath.Join(t.TempDir(), "clip.mp4")
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	p := cliptest.Probe(t, name)
	if math.Abs(p.Duration-3) > 1.1 {
		t.Errorf("clip of a 3 s quote lasts %.3fs; want 3s within a keyframe", p.Duration)
	}
	if !strings.Contains(strings.Join(p.Streams, " "), "subtitle:mov_text") {
		t.Errorf("clip streams = %v; want a mov_text subtitle track", p.Streams)
	}
	subs := cliptest.Subtitles(t, name)
	for _, w := range []string{"Bob Named: Survivors must be heard, müssen gehört werden.", "Nadie conoce mejor la trata"} {
		if !strings.Contains(subs, w) {
			t.Errorf("clip captions lack %q:\n%s", w, subs)
		}
	}
	if strings.Contains(subs, "A later answer") {
		t.Errorf("clip captions carry words after the quote:\n%s", subs)
	}
	stored := storedFiles(t, ts, id, "clip")
	if len(stored) != 1 || !strings.HasSuffix(stored[0], ".mp4") {
		t.Fatalf("stored clips = %v; want one .mp4", stored)
	}

	// Served from storage with Range, like /media.
	part := ts.do(t, "GET", "/q/"+id+"/clip.mp4", "", nil, "Range", "bytes=100-199")
	wantStatus(t, part, http.StatusPartialContent)
	if b := readAll(t, part); !bytes.Equal(b, data[100:200]) {
		t.Error("bytes 100-199 of the clip differ from the whole clip's")
	}
	if cr := part.Header.Get("Content-Range"); cr != "bytes 100-199/"+strconv.Itoa(len(data)) {
		t.Errorf("Content-Range = %q", cr)
	}
	if again := storedFiles(t, ts, id, "clip"); len(again) != 1 || again[0] != stored[0] {
		t.Errorf("stored clips after a second request = %v; want the same one", again)
	}
	wrong := ts.do(t, "GET", "/q/"+id+"/clip.webm", "", nil)
	wantStatus(t, wrong, http.StatusNotFound)
	if b := string(readAll(t, wrong)); !strings.Contains(b, "clip.mp4") {
		t.Errorf("clip.webm of an MP4 recording says %s; want it to name clip.mp4", b)
	}

	// Eve hidden later: a quote that also takes her answer keeps Bob's
	// words with a gap for hers, and has no clip, which would carry her
	// voice; the quote of Bob's words alone keeps its clip.
	both, err := ts.svc.CreateQuote(context.Background(), archive.Principal{}, archive.QuoteRequest{RecordingID: "q", Lang: "en", StartMS: 6000, EndMS: 11000})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, ts.do(t, "GET", "/q/"+both.ID+"/clip.mp4", "", nil), http.StatusOK)
	hideSpeaker(t, ts, "q", "Eve Other")
	part = ts.do(t, "GET", "/q/"+both.ID+"/clip.mp4", "", nil)
	wantStatus(t, part, http.StatusNotFound)
	if b := string(readAll(t, part)); !strings.Contains(b, "withheld") || strings.Contains(b, "later answer") {
		t.Errorf("clip answer of a partly withheld quote = %s; want it to say that part is withheld, without the words", b)
	}
	if left := storedFiles(t, ts, both.ID, "clip"); len(left) != 0 {
		t.Errorf("clips of the partly withheld quote still stored: %v", left)
	}
	wantStatus(t, ts.do(t, "GET", "/q/"+id+"/clip.mp4", "", nil), http.StatusOK)

	// Bob hidden later: no clip, and the stored one is removed.
	hideSpeaker(t, ts, "q", "Bob Named")
	gone := ts.do(t, "GET", "/q/"+id+"/clip.mp4", "", nil)
	wantStatus(t, gone, http.StatusNotFound)
	if b := readAll(t, gone); bytes.Contains(b, []byte("Survivors")) {
		t.Errorf("clip answer of a withheld quote carries its words: %s", b)
	}
	if left := storedFiles(t, ts, id, "clip"); len(left) != 0 {
		t.Errorf("clips still stored after the speaker was hidden: %v", left)
	}
}

func TestQuoteClipWebM(t *testing.T) {
	ts := newClipServer(t)
	id := quotedRecording(t, ts, cliptest.MakeVideo(t, ".webm", 12), "video/webm")
	wantStatus(t, ts.do(t, "GET", "/q/"+id+"/clip.mp4", "", nil), http.StatusNotFound)
	resp := ts.do(t, "GET", "/q/"+id+"/clip.webm", "", nil)
	wantStatus(t, resp, http.StatusOK)
	name := filepath.Join(t.TempDir(), "clip.webm")
	if err := os.WriteFile(name, readAll(t, resp), 0o644); err != nil {
		t.Fatal(err)
	}
	if p := cliptest.Probe(t, name); !strings.Contains(strings.Join(p.Streams, " "), "subtitle:webvtt") {
		t.Errorf("WebM clip streams = %v; want a webvtt subtitle track", p.Streams)
	}
	if subs := cliptest.Subtitles(t, name); !strings.Contains(subs, "Survivors must be heard") {
		t.Errorf("WebM clip captions lack the quote:\n%s", subs)
	}
}

func TestQuoteClipFailureStoresNothing(t *testing.T) {
	ts := newClipServer(t)
	// A real video is uploaded (the archive keeps only what its probe
	// accepts), then its stored bytes are replaced by ones ffmpeg cannot
	// read, as a damaged object in storage would be.
	video := filepath.Join(t.TempDir(), "v.mp4")
	if err := os.WriteFile(video, mediatest.Video(t), 0o644); err != nil {
		t.Fatal(err)
	}
	id := quotedRecording(t, ts, video, "video/mp4")
	rec, _, err := ts.svc.Get(context.Background(), archive.Principal{Name: "editor", Role: archive.RoleEditor}, "q")
	if err != nil || rec.Media == nil {
		t.Fatalf("recording q: %v, media %v", err, rec.Media)
	}
	junk := bytes.Repeat([]byte("not a video "), 4000)
	if _, err := ts.store.Put(context.Background(), rec.Media.Key, bytes.NewReader(junk), int64(len(junk)), archive.PutOptions{ContentType: "video/mp4"}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, ts.do(t, "GET", "/q/"+id+"/clip.mp4", "", nil), http.StatusInternalServerError)
	if left := storedFiles(t, ts, id, "clip"); len(left) != 0 {
		t.Errorf("a failed cut left %v in storage", left)
	}
}

func TestQuoteClipWithoutFFmpeg(t *testing.T) {
	ts := newTestServer(t, nil) // no Clips: as a server without ffmpeg
	id := quotedRecording(t, ts, "", "")
	resp := ts.do(t, "GET", "/q/"+id+"/clip.mp4", "", nil)
	wantStatus(t, resp, http.StatusNotFound)
	if b := string(readAll(t, resp)); !strings.Contains(b, "ffmpeg is not installed") {
		t.Errorf("clip without ffmpeg says %s; want the reason", b)
	}
	wantStatus(t, ts.do(t, "HEAD", "/q/"+id+"/clip.mp4", "", nil), http.StatusNotFound)
}

// pngText returns the card's text chunk.
func pngText(t *testing.T, data []byte, keyword string) string {
	t.Helper()
	s, err := card.ReadText(data, keyword)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// On S3 the clip is cut from ranged reads of the object (ffmpeg reads it
// through the cutter's loopback feed) and stored back in the bucket.
func TestQuoteClipOnS3(t *testing.T) {
	cliptest.RequireFFmpeg(t)
	ctx := context.Background()
	store := versityStore(t)
	ts := newClipServerOn(t, store)
	id := quotedRecording(t, ts, cliptest.MakeVideo(t, ".mp4", 12), "video/mp4")

	resp := ts.do(t, "GET", "/q/"+id+"/clip.mp4", "", nil)
	wantStatus(t, resp, http.StatusOK)
	name := filepath.Join(t.TempDir(), "clip.mp4")
	if err := os.WriteFile(name, readAll(t, resp), 0o644); err != nil {
		t.Fatal(err)
	}
	if p := cliptest.Probe(t, name); math.Abs(p.Duration-3) > 1.1 {
		t.Errorf("clip from S3 lasts %.3fs; want 3s within a keyframe", p.Duration)
	}
	if subs := cliptest.Subtitles(t, name); !strings.Contains(subs, "Survivors must be heard") {
		t.Errorf("clip from S3 lacks the captions:\n%s", subs)
	}
	stored, err := store.List(ctx, "quotes/"+id+"/clip-")
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1 {
		t.Errorf("clips in the bucket = %v; want one", stored)
	}
}

// HEAD of a clip never cuts one: before the first GET it answers 200 with
// the type and no length and nothing is stored; after it, the stored
// clip's headers, as GET's.
func TestQuoteClipHeadDoesNotCut(t *testing.T) {
	ts := newClipServer(t)
	id := quotedRecording(t, ts, cliptest.MakeVideo(t, ".mp4", 12), "video/mp4")

	head := ts.do(t, "HEAD", "/q/"+id+"/clip.mp4", "", nil)
	wantStatus(t, head, http.StatusOK)
	if ct, cl := head.Header.Get("Content-Type"), head.Header.Get("Content-Length"); ct != "video/mp4" || cl != "" {
		t.Errorf("HEAD before any cut: Content-Type %q, Content-Length %q; want video/mp4 and no length", ct, cl)
	}
	if stored := storedFiles(t, ts, id, "clip"); len(stored) != 0 {
		t.Fatalf("HEAD cut a clip: %v", stored)
	}
	wantStatus(t, ts.do(t, "HEAD", "/q/"+id+"/clip.webm", "", nil), http.StatusNotFound)

	get := ts.do(t, "GET", "/q/"+id+"/clip.mp4", "", nil)
	wantStatus(t, get, http.StatusOK)
	data := readAll(t, get)
	head = ts.do(t, "HEAD", "/q/"+id+"/clip.mp4", "", nil)
	wantStatus(t, head, http.StatusOK)
	if cl, etag := head.Header.Get("Content-Length"), head.Header.Get("ETag"); cl != strconv.Itoa(len(data)) || etag != get.Header.Get("ETag") || etag == "" {
		t.Errorf("HEAD after the cut: Content-Length %q, ETag %q; want %d and GET's %q", cl, etag, len(data), get.Header.Get("ETag"))
	}

	hideSpeaker(t, ts, "q", "Bob Named")
	wantStatus(t, ts.do(t, "HEAD", "/q/"+id+"/clip.mp4", "", nil), http.StatusNotFound)
}

// newClipServer is newTestServer with a clip cutter (ffmpeg required),
// closed when the test ends; newClipServerOn is it on store.
func newClipServer(t *testing.T) *testServer { return newClipServerOn(t, nil) }

func newClipServerOn(t *testing.T, store archive.Blobs) *testServer {
	t.Helper()
	cliptest.RequireFFmpeg(t)
	cutter, err := clip.New(clip.Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cutter.Close() })
	with := func(o *server.Options) { o.Clips = cutter }
	if store == nil {
		return newTestServer(t, with)
	}
	return newTestServerOn(t, store, with)
}

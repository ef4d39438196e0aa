package server_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/card"
	"github.com/verbatim-archive/verbatim/internal/clip"
	"github.com/verbatim-archive/verbatim/internal/clip/cliptest"
	"github.com/verbatim-archive/verbatim/internal/server"
)

// withClipsIfFFmpeg gives the server a clip cutter when ffmpeg is
// installed (and requires it with VERBATIM_REQUIRE_FFMPEG=1), so the leak
// test walks real clips where it can.
func withClipsIfFFmpeg(tb testing.TB) func(*server.Options) {
	tb.Helper()
	_, err1 := exec.LookPath("ffmpeg")
	_, err2 := exec.LookPath("ffprobe")
	if err1 != nil || err2 != nil {
		if os.Getenv("VERBATIM_REQUIRE_FFMPEG") == "1" {
			tb.Fatal("ffmpeg or ffprobe not on PATH and VERBATIM_REQUIRE_FFMPEG=1")
		}
		return nil
	}
	c, err := clip.New(clip.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return func(o *server.Options) { o.Clips = c }
}

// leakQuoteFiles makes a recording on which Maria Lopez is named at first,
// quotes her, has the quote's card (and, with ffmpeg, its clip) made and
// stored while her words are visible, and then hides her. It adds the walks
// of the quote file routes for that quote: what was stored before must not
// be what a viewer gets now.
func leakQuoteFiles(t *testing.T, ts *testServer, w map[string][]string) {
	t.Helper()
	ctx := context.Background()
	wantStatus(t, ts.do(t, "POST", "/api/v1/recordings", ts.token, map[string]any{
		"id": "leakq", "title": "Quoted panel", "status": "published",
		"speakers": []map[string]any{{"name": "Maria Lopez", "aliases": []string{"Ms Lopez"}}},
	}), http.StatusCreated)
	vtt := "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Maria Lopez>nightjarquote first words</v>\n\n00:00:03.000 --> 00:00:05.000\n<v Maria Lopez>nightjarquote second words</v>\n"
	wantStatus(t, ts.do(t, "PUT", "/api/v1/recordings/leakq/tracks/en?name=en.vtt", ts.token, vtt, "Content-Type", "text/vtt"), http.StatusCreated)
	withClips := ts.srv.HasClips()
	if withClips {
		f, err := os.Open(cliptest.MakeVideo(t, ".mp4", 6))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := ts.svc.PutMedia(ctx, archive.Principal{Name: "editor", Role: archive.RoleEditor}, "leakq", archive.MediaUpload{Name: "v.mp4", ContentType: "video/mp4", Size: -1, Body: f}); err != nil {
			t.Fatal(err)
		}
	}
	q, err := ts.svc.CreateQuote(ctx, archive.Principal{}, archive.QuoteRequest{RecordingID: "leakq", Lang: "en", StartMS: 1000, EndMS: 5000})
	if err != nil {
		t.Fatal(err)
	}
	base := "/q/" + q.ID
	// While she is named, the card and the clip carry her words: the test
	// below would otherwise prove nothing.
	resp := ts.do(t, "GET", base+"/card.png", "", nil)
	wantStatus(t, resp, http.StatusOK)
	if desc, err := card.ReadText(readAll(t, resp), "Description"); err != nil || !strings.Contains(desc, "nightjarquote first words") || !strings.Contains(desc, "Maria Lopez") {
		t.Fatalf("card of the quote while she is named = %q, %v; want her words and name", desc, err)
	}
	clipFile := filepath.Join(t.TempDir(), "clip.mp4")
	if withClips {
		resp := ts.do(t, "GET", base+"/clip.mp4", "", nil)
		wantStatus(t, resp, http.StatusOK)
		if err := os.WriteFile(clipFile, readAll(t, resp), 0o644); err != nil {
			t.Fatal(err)
		}
		if subs := cliptest.Subtitles(t, clipFile); !strings.Contains(subs, "nightjarquote second words") {
			t.Fatalf("clip captions while she is named lack her words:\n%s", subs)
		}
	}

	get := ts.do(t, "GET", "/api/v1/recordings/leakq", ts.token, nil)
	rec := decode[archive.Recording](t, get)
	rec.Speakers[0].Visibility = archive.VisibilityHidden
	wantStatus(t, ts.do(t, "PATCH", "/api/v1/recordings/leakq", ts.token, map[string]any{"speakers": rec.Speakers}, "If-Match", get.Header.Get("ETag")), http.StatusOK)

	// The walks check every byte of the answers (the card's text chunk is
	// plain text in the PNG, a clip's mov_text samples too); these check
	// the card's text and the clip's captions as such.
	resp = ts.do(t, "GET", base+"/card.png", "", nil)
	wantStatus(t, resp, http.StatusOK)
	desc, err := card.ReadText(readAll(t, resp), "Description")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range forbidden {
		if strings.Contains(folded(desc), bad) {
			t.Errorf("card of a quote whose speaker is now hidden says %q: %q", bad, desc)
		}
	}
	if !strings.HasPrefix(desc, "Passage withheld at the speaker’s request.") {
		t.Errorf("card of a quote whose speaker is now hidden = %q; want the withheld notice", desc)
	}
	resp = ts.do(t, "GET", base+"/clip.mp4", "", nil)
	if resp.StatusCode == http.StatusOK {
		if err := os.WriteFile(clipFile, readAll(t, resp), 0o644); err != nil {
			t.Fatal(err)
		}
		subs := cliptest.Subtitles(t, clipFile)
		for _, bad := range forbidden {
			if strings.Contains(folded(subs), bad) {
				t.Errorf("clip of a quote whose speaker is now hidden has captions with %q:\n%s", bad, subs)
			}
		}
	}
	wantStatus(t, resp, http.StatusNotFound)
	w["/q/:id"] = append(w["/q/:id"], base, base+"?ui=fr")
	w["/q/:id/card.png"] = []string{base + "/card.png"}
	w["/q/:id/clip.mp4"] = []string{base + "/clip.mp4"}
	w["/q/:id/clip.webm"] = []string{base + "/clip.webm"}
	// The embed, its captions and its oEmbed, as for any quote (walked
	// with the leak recording's quote in TestLeakEveryViewerRoute).
	w["/q/:id/captions.vtt"] = append(w["/q/:id/captions.vtt"], base+"/captions.vtt")
	w["/embed/:id"] = append(w["/embed/:id"], "/embed/"+q.ID)
	w["/oembed"] = append(w["/oembed"], oembedURL(ts.URL+base))
}

package server_test

import (
	"bytes"
	"context"
	"errors"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
)

// brokenTools stand in for an ffmpeg that fails at everything.
type brokenTools struct{}

func (brokenTools) Poster(context.Context, archive.MediaInput, time.Duration, string) error {
	return errors.New("ffmpeg: exit status 1: simulated poster failure")
}

func (brokenTools) Faststart(context.Context, archive.MediaInput, string) error {
	return errors.New("ffmpeg: exit status 1: simulated remux failure")
}

// The editors' list says per recording what needs attention: no video, no
// track, a declared language without a track, speakers hidden from
// viewers (held labels included), index work that failed (left pending)
// and media work that failed.
func TestEditListAttention(t *testing.T) {
	site := newWebSite(t, 1, nil)
	ctx := context.Background()
	ed := archive.Principal{Name: "ana", Role: archive.RoleEditor}
	for _, in := range []archive.RecordingInput{
		{ID: "bare", Title: "Bare"},
		{ID: "held", Title: "Held", Speakers: []archive.Speaker{{ID: "s", Name: "Survivor S", Visibility: archive.VisibilityAnonymised, Pseudonym: "Speaker 1"}}},
		{ID: "langs", Title: "Langs", Declared: []string{"en", "FR", "es"}},
		{ID: "unindexed", Title: "Unindexed"},
		{ID: "nomediawork", Title: "No media work"},
	} {
		if _, _, err := site.svc.Create(ctx, ed, in); err != nil {
			t.Fatal(err)
		}
	}
	srt := "1\n00:00:01,000 --> 00:00:02,000\nMaria: I was there.\n"
	for _, id := range []string{"held", "langs"} {
		if _, err := site.svc.PutTrack(ctx, ed, id, archive.TrackUpload{Lang: "en", Name: "en.srt", Data: []byte(srt)}); err != nil {
			t.Fatal(err)
		}
	}
	// Another process on the same store whose index is down: its write
	// is stored, its index update fails and stays pending.
	down, err := archive.NewService(archive.Options{Blobs: site.store, MediaTools: brokenTools{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := down.PutTrack(ctx, ed, "unindexed", archive.TrackUpload{Lang: "en", Name: "en.srt", Data: []byte(srt)}); err != nil {
		t.Fatal(err)
	}
	// Its media worker fails every time: after the last attempt the work
	// is left failed.
	video := mediatest.Video(t)
	if _, err := down.PutMedia(ctx, ed, "nomediawork", archive.MediaUpload{Name: "v.mp4", Size: int64(len(video)), Body: bytes.NewReader(video)}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := down.ProcessMedia(ctx); err != nil {
			t.Fatal(err)
		}
	}
	c := newBrowserClient(t, site.urls[0])
	c.signIn(t, "ana", testPassword)
	_, page := c.send(t, "GET", "/edit?ui=en", nil)
	row := func(id string) string {
		m := regexp.MustCompile(`(?s)<tr data-id="` + id + `">(.*?)</tr>`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no row for %s in:\n%s", id, page)
		}
		return m[1]
	}
	for id, want := range map[string][]string{
		"bare":        {"No video uploaded", "No subtitle track"},
		"held":        {"No video uploaded", "1 speaker hidden from viewers"},
		"langs":       {"No track in fr", "No track in es"},
		"unindexed":   {"Search index update pending"},
		"nomediawork": {"Poster or fast-start work failed", "simulated poster failure"},
	} {
		r := html.UnescapeString(row(id))
		for _, w := range want {
			if !strings.Contains(r, w) {
				t.Errorf("row %s lacks %q:\n%s", id, w, r)
			}
		}
	}
	for id, not := range map[string][]string{
		"held":        {"No subtitle track", "Search index update pending"},
		"langs":       {"No track in en", "hidden from viewers"},
		"bare":        {"Search index update pending", "Poster or fast-start"},
		"nomediawork": {"No video uploaded"},
	} {
		r := html.UnescapeString(row(id))
		for _, w := range not {
			if strings.Contains(r, w) {
				t.Errorf("row %s says %q:\n%s", id, w, r)
			}
		}
	}
}

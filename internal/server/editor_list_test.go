package server_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// The editors' list says per recording what needs attention: no video, no
// track, speakers hidden from viewers (held labels included).
func TestEditListAttention(t *testing.T) {
	site := newWebSite(t, 1, nil)
	ctx := context.Background()
	ed := archive.Principal{Name: "ana", Role: archive.RoleEditor}
	for _, in := range []archive.RecordingInput{
		{ID: "bare", Title: "Bare"},
		{ID: "held", Title: "Held", Speakers: []archive.Speaker{{ID: "s", Name: "Survivor S", Visibility: archive.VisibilityAnonymised, Pseudonym: "Speaker 1"}}},
	} {
		if _, _, err := site.svc.Create(ctx, ed, in); err != nil {
			t.Fatal(err)
		}
	}
	srt := "1\n00:00:01,000 --> 00:00:02,000\nMaria: I was there.\n"
	if _, err := site.svc.PutTrack(ctx, ed, "held", archive.TrackUpload{Lang: "en", Name: "en.srt", Data: []byte(srt)}); err != nil {
		t.Fatal(err)
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
		"bare": {"No video uploaded", "No subtitle track"},
		"held": {"No video uploaded", "1 speaker hidden from viewers"},
	} {
		r := row(id)
		for _, w := range want {
			if !strings.Contains(r, w) {
				t.Errorf("row %s lacks %q:\n%s", id, w, r)
			}
		}
	}
	if r := row("held"); strings.Contains(r, "No subtitle track") {
		t.Errorf("row held says it has no track:\n%s", r)
	}
}

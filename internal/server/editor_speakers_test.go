package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

var etagInput = regexp.MustCompile(`name="etag" value="([^"]*)"`)

// The speakers form: a save applies to viewers and search at once, a bad
// value is refused naming it, a stale form is refused, a form without the
// CSRF token is refused, and nothing changes on a refusal.
func TestSpeakersPage(t *testing.T) {
	site := newWebSite(t, 1, nil)
	ctx := context.Background()
	ed := archive.Principal{Name: "ana", Role: archive.RoleEditor}
	if _, _, err := site.svc.Create(ctx, ed, archive.RecordingInput{ID: "r", Title: "T", Status: archive.StatusPublished,
		Speakers: []archive.Speaker{{Name: "Bob"}, {Name: "Carol Witness"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := site.svc.PutTrack(ctx, ed, "r", archive.TrackUpload{Lang: "en", Name: "en.srt", Data: []byte("1\n00:00:01,000 --> 00:00:02,000\n- Bob: hello there\n- Carol Witness: the harbour warehouse\n")}); err != nil {
		t.Fatal(err)
	}
	b := newBrowserClient(t, site.urls[0])
	if resp := b.signIn(t, "ana", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in = %d", resp.StatusCode)
	}
	resp, page := b.send(t, "GET", "/edit/r/speakers", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Carol Witness") {
		t.Fatalf("GET speakers page = %d\n%s", resp.StatusCode, page)
	}
	form := func(page string, carol, embargo string) url.Values {
		v := url.Values{"_csrf": {formToken(t, page)}, "etag": {etagInput.FindStringSubmatch(page)[1]}}
		v.Set("sp.0.id", "bob")
		v.Set("sp.0.visibility", "named")
		v.Set("sp.1.id", "carol-witness")
		v.Set("sp.1.visibility", carol)
		v.Set("sp.1.aliases", "Carol, Ms Witness")
		v.Set("sp.1.embargo", embargo)
		return v
	}
	shown := func() string {
		_, cues, err := site.svc.GetTrack(ctx, archive.Principal{}, "r", "en")
		if err != nil {
			t.Fatal(err)
		}
		return cues[0].Text
	}

	// A bad embargo: 400 naming it, nothing changed.
	resp, body := b.post(t, "/edit/r/speakers", form(page, "hidden", "soon"))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "embargo_until") {
		t.Errorf("bad embargo = %d; want 400 naming embargo_until\n%s", resp.StatusCode, body)
	}
	if !strings.Contains(shown(), "harbour") {
		t.Fatal("a refused form changed the recording")
	}
	// No CSRF token: refused.
	v := form(page, "hidden", "")
	v.Del("_csrf")
	if resp, _ := b.post(t, "/edit/r/speakers", v); resp.StatusCode != http.StatusForbidden {
		t.Errorf("form without CSRF token = %d; want 403", resp.StatusCode)
	}
	// A good save: hidden for viewers and search at once.
	resp, _ = b.post(t, "/edit/r/speakers", form(page, "hidden", ""))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save = %d; want 303", resp.StatusCode)
	}
	if got := shown(); strings.Contains(got, "harbour") || !strings.Contains(got, archive.WithheldPassage) {
		t.Errorf("after hiding, viewers see %q", got)
	}
	res, err := site.svc.Search(ctx, archive.Principal{}, archive.SearchQuery{Text: "warehouse", Page: 1, PerPage: 10})
	if err != nil || res.Total != 0 {
		t.Errorf("search after hiding: %d hits, %v", res.Total, err)
	}
	rec, _, _ := site.svc.Get(ctx, ed, "r")
	if got := rec.Speakers[1].Aliases; len(got) != 2 || got[1] != "Ms Witness" {
		t.Errorf("aliases = %q", got)
	}
	// The old form again: its ETag is stale, so it is refused.
	if resp, _ := b.post(t, "/edit/r/speakers", form(page, "named", "")); resp.StatusCode != http.StatusConflict {
		t.Errorf("stale form = %d; want 409", resp.StatusCode)
	}
	if strings.Contains(shown(), "harbour") {
		t.Error("a stale form undid the hiding")
	}
}

// The speakers page sets redactions and the recording's embargo: a bad
// span or words and a span at once are 400 naming the problem and change
// nothing; a stale ETag is 409; a good save applies at once; an embargo
// takes the recording from viewers.
func TestSpeakersPageRedactionsAndEmbargo(t *testing.T) {
	site := newWebSite(t, 1, nil)
	ctx := context.Background()
	ed := archive.Principal{Name: "ana", Role: archive.RoleEditor}
	if _, _, err := site.svc.Create(ctx, ed, archive.RecordingInput{ID: "r", Title: "T", Status: archive.StatusPublished,
		Speakers: []archive.Speaker{{Name: "Bob"}}, Redactions: []archive.Redaction{{Text: "Quetzalpan"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := site.svc.PutTrack(ctx, ed, "r", archive.TrackUpload{Lang: "en", Name: "en.srt", Data: []byte("1\n00:00:01,000 --> 00:00:02,000\nBob: hello from Quetzalpan and Oakridge\n\n2\n00:00:03,000 --> 00:00:04,000\nBob: the second cue\n")}); err != nil {
		t.Fatal(err)
	}
	b := newBrowserClient(t, site.urls[0])
	if resp := b.signIn(t, "ana", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in = %d", resp.StatusCode)
	}
	_, page := b.send(t, "GET", "/edit/r/speakers", nil)
	form := func(page string, set map[string]string) url.Values {
		v := url.Values{"_csrf": {formToken(t, page)}, "etag": {etagInput.FindStringSubmatch(page)[1]}, "sp.0.id": {"bob"}, "sp.0.visibility": {"named"},
			"rd.0.kept": {"1"}, "rd.0.text": {"Quetzalpan"}, "rd.0.start": {"0"}, "rd.0.end": {"0"}}
		for k, x := range set {
			v.Set(k, x)
		}
		return v
	}
	shown := func() string {
		_, cues, err := site.svc.GetTrack(ctx, archive.Principal{}, "r", "en")
		if err != nil {
			return err.Error()
		}
		return cues[0].Text + "\n" + cues[1].Text
	}
	for _, bad := range []map[string]string{
		{"rd.new.from": "3", "rd.new.to": "2"},
		{"rd.new.from": "3"},
		{"rd.new.text": "Oakridge", "rd.new.from": "3", "rd.new.to": "4"},
		{"rd.0.start": "x"},
	} {
		resp, body := b.post(t, "/edit/r/speakers", form(page, bad))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "form-error") {
			t.Errorf("form %v = %d; want 400 with the problem", bad, resp.StatusCode)
		}
	}
	if got := shown(); !strings.Contains(got, "Oakridge") || !strings.Contains(got, "second") {
		t.Fatalf("a refused form changed the recording: %q", got)
	}
	resp, _ := b.post(t, "/edit/r/speakers", form(page, map[string]string{"rd.new.text": "oakridge", "rd.0.remove": "on"}))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save = %d; want 303", resp.StatusCode)
	}
	if got := shown(); strings.Contains(got, "Oakridge") || !strings.Contains(got, "Quetzalpan") || !strings.Contains(got, archive.Redacted) {
		t.Errorf("after redacting Oakridge and removing Quetzalpan's redaction viewers see %q", got)
	}
	if resp, _ := b.post(t, "/edit/r/speakers", form(page, map[string]string{"rd.new.from": "0:03", "rd.new.to": "4"})); resp.StatusCode != http.StatusConflict {
		t.Errorf("stale form = %d; want 409", resp.StatusCode)
	}
	_, page = b.send(t, "GET", "/edit/r/speakers", nil)
	if !strings.Contains(page, "oakridge") || strings.Contains(page, `value="Quetzalpan"`) {
		t.Errorf("the page does not list the redactions as saved:\n%s", page)
	}
	resp, _ = b.post(t, "/edit/r/speakers", form(page, map[string]string{"rd.0.text": "oakridge", "rd.new.from": "0:03", "rd.new.to": "4", "embargo": "2999-01-01T00:00:00Z"}))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save span and embargo = %d; want 303", resp.StatusCode)
	}
	if _, _, err := site.svc.GetTrack(ctx, archive.Principal{}, "r", "en"); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("embargoed recording for viewers: %v; want not found", err)
	}
	rec, _, _ := site.svc.Get(ctx, ed, "r")
	if rec.EmbargoUntil != "2999-01-01T00:00:00Z" || len(rec.Redactions) != 2 || rec.Redactions[1].StartMS != 3000 || rec.Redactions[1].EndMS != 4000 {
		t.Errorf("recording = embargo %q, redactions %+v", rec.EmbargoUntil, rec.Redactions)
	}
}

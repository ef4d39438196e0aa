package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

var hiddenInput = regexp.MustCompile(`name="(etag|orig_[a-z]+)" value="([^"]*)"`)

// formFields collects the hidden fields of the recording form.
func formFields(page string) url.Values {
	v := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], m[2])
	}
	return v
}

// TestEditRecordingPages: an editor creates a recording on the page, two
// editors edit it, and the one who saves second is told what changed and
// overwrites nothing; delete needs the recording's address typed.
func TestEditRecordingPages(t *testing.T) {
	site := newWebSite(t, 1, nil)
	ctx := context.Background()
	if _, err := site.svc.AddAccount(ctx, "ben", archive.RoleEditor, []byte(testPassword)); err != nil {
		t.Fatal(err)
	}
	ana, ben := newBrowserClient(t, site.urls[0]), newBrowserClient(t, site.urls[0])
	ana.signIn(t, "ana", testPassword)
	ben.signIn(t, "ben", testPassword)
	_, page := ana.send(t, "GET", "/edit/new", nil)
	resp, _ := ana.post(t, "/edit/new", url.Values{"_csrf": {formToken(t, page)}, "title": {"Side event on trafficking"}, "date": {"2021-06-30"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/edit/side-event-on-trafficking" {
		t.Fatalf("create = %d to %q; want 303 to /edit/side-event-on-trafficking", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, pa := ana.send(t, "GET", "/edit/side-event-on-trafficking", nil)
	_, pb := ben.send(t, "GET", "/edit/side-event-on-trafficking", nil)
	fa, fb := formFields(pa), formFields(pb)
	fa.Set("_csrf", formToken(t, pa))
	fa.Set("title", "Side event (ana)")
	fa.Set("place", "Geneva")
	if resp, _ := ana.post(t, "/edit/side-event-on-trafficking", fa); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("ana's save = %d; want 303", resp.StatusCode)
	}
	fb.Set("_csrf", formToken(t, pb))
	fb.Set("title", "Side event (ben)")
	fb.Set("place", "")
	resp, page = ben.post(t, "/edit/side-event-on-trafficking", fb)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "Side event (ana)") || !strings.Contains(page, "Geneva") {
		t.Errorf("ben's save on a stale form = %d; want 409 naming ana's title and place\n%s", resp.StatusCode, page)
	}
	rec, _, _ := site.svc.Get(ctx, archive.Principal{Name: "ana", Role: archive.RoleEditor}, "side-event-on-trafficking")
	if rec.Title != "Side event (ana)" || rec.Place != "Geneva" {
		t.Errorf("after the conflict: %q at %q; want ana's save kept", rec.Title, rec.Place)
	}
	// Publish from the page (the form ben now has is current).
	fb = formFields(page)
	fb.Set("_csrf", formToken(t, page))
	fb.Set("title", rec.Title)
	fb.Set("place", rec.Place)
	fb.Set("date", rec.Date)
	fb.Set("status", "published")
	if resp, _ := ben.post(t, "/edit/side-event-on-trafficking", fb); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("publish = %d; want 303", resp.StatusCode)
	}
	if rec, _, _ := site.svc.Get(ctx, archive.Principal{}, "side-event-on-trafficking"); rec.Status != archive.StatusPublished {
		t.Errorf("after publish, viewers see status %q", rec.Status)
	}
	tok := formToken(t, page)
	if resp, _ := ben.post(t, "/edit/side-event-on-trafficking/delete", url.Values{"_csrf": {tok}, "confirm": {"yes"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("delete without the address typed = %d; want 400", resp.StatusCode)
	}
	if resp, _ := ben.post(t, "/edit/side-event-on-trafficking/delete", url.Values{"_csrf": {tok}, "confirm": {"side-event-on-trafficking"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("delete = %d; want 303", resp.StatusCode)
	}
	if _, _, err := site.svc.Get(ctx, archive.Principal{Name: "ana", Role: archive.RoleEditor}, "side-event-on-trafficking"); err == nil {
		t.Errorf("the recording is still there after delete")
	}
}

// The recording's languages are declared on the create and edit forms;
// a save on a form read before a change it does not show (a track, the
// video, the media worker's poster) is kept, not reported as a conflict.
func TestEditDeclaredLanguages(t *testing.T) {
	site := newWebSite(t, 1, nil)
	ctx := context.Background()
	ana := newBrowserClient(t, site.urls[0])
	ana.signIn(t, "ana", testPassword)
	_, page := ana.send(t, "GET", "/edit/new", nil)
	resp, _ := ana.post(t, "/edit/new", url.Values{"_csrf": {formToken(t, page)}, "id": {"hrc"}, "title": {"HRC side event"}, "languages": {"en, fr ,ES de"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create = %d; want 303", resp.StatusCode)
	}
	ed := archive.Principal{Name: "ana", Role: archive.RoleEditor}
	rec, _, err := site.svc.Get(ctx, ed, "hrc")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rec.Declared, " "); got != "en fr es de" {
		t.Fatalf("declared languages = %q; want en fr es de", got)
	}
	_, page = ana.send(t, "GET", "/edit/hrc", nil)
	if !strings.Contains(page, `name="languages" value="en, fr, es, de"`) {
		t.Errorf("the edit form does not show the declared languages:\n%s", page)
	}
	form := formFields(page)
	form.Set("_csrf", formToken(t, page))
	form.Set("languages", "en, fr")
	form.Set("title", "HRC side event") // formFields reads only the hidden inputs' and plain inputs' values
	srt := "1\n00:00:01,000 --> 00:00:02,000\nHello.\n"
	if _, err := site.svc.PutTrack(ctx, ed, "hrc", archive.TrackUpload{Lang: "en", Name: "en.srt", Data: []byte(srt)}); err != nil {
		t.Fatal(err)
	}
	if resp, page := ana.post(t, "/edit/hrc", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save after a track upload = %d; want 303\n%s", resp.StatusCode, page)
	}
	if rec, _, _ = site.svc.Get(ctx, ed, "hrc"); strings.Join(rec.Declared, " ") != "en fr" || len(rec.Tracks) != 1 {
		t.Errorf("after the save: declared %q, %d tracks; want en fr and the track kept", rec.Declared, len(rec.Tracks))
	}
	bad := formFieldsWith(t, ana, "/edit/hrc", "languages", "english!")
	bad.Set("title", "HRC side event")
	if resp, _ := ana.post(t, "/edit/hrc", bad); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("save with a bad language = %d; want 400", resp.StatusCode)
	}
}

// formFieldsWith reads the form at path afresh and sets one field.
func formFieldsWith(t *testing.T, c *browserClient, path, name, value string) url.Values {
	t.Helper()
	_, page := c.send(t, "GET", path, nil)
	f := formFields(page)
	f.Set("_csrf", formToken(t, page))
	f.Set(name, value)
	return f
}

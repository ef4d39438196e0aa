package server

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/bleveindex"
	"github.com/verbatim-archive/verbatim/internal/disk"
)

// An editor signs in, hides a speaker on the recording's speakers page,
// and the watch page then shows the withheld-passage notice at her turn,
// in the interface language (French here), and none of her words.
func TestBrowserEditorHidesSpeaker(t *testing.T) {
	b := newBrowser(t)
	url := startConsentSite(t)

	b.run(t, "choose French", chromedp.Navigate(url+"/?ui=fr"))
	b.run(t, "open the watch page", chromedp.Navigate(url+"/watch/launch?lang=en"), chromedp.WaitVisible(chromedp.CSS("#cue-1")))
	if got := eval[string](t, b, `document.getElementById('transcript').innerText`); !strings.Contains(got, "harbour warehouse") {
		t.Fatalf("before: Carol's words are not on the page, the test would prove nothing:\n%s", got)
	}

	b.run(t, "sign in",
		chromedp.Navigate(url+"/login"),
		chromedp.SendKeys(chromedp.ID("login-name"), "ed"),
		chromedp.SendKeys(chromedp.ID("login-password"), consentPassword),
	)
	b.submit(t, "sign in", ".login-form button")
	if p := eval[string](t, b, `location.pathname`); p == "/login" {
		t.Fatalf("still on the sign-in page: %s", eval[string](t, b, `document.body.innerText`))
	}
	b.run(t, "open the speakers page", chromedp.Navigate(url+"/edit/launch/speakers"), chromedp.WaitVisible(chromedp.CSS(`tr[data-speaker="carol-witness"] select`)))
	b.run(t, "hide Carol", chromedp.SetValue(chromedp.CSS(`tr[data-speaker="carol-witness"] select`), "hidden"))
	b.submit(t, "save the speakers", ".speakers-form button[type=submit]")
	if !eval[bool](t, b, `!!document.querySelector('.form-notice')`) {
		t.Fatalf("not saved: %s", eval[string](t, b, `document.body.innerText`))
	}
	b.clean(t)

	b.run(t, "open the watch page again", chromedp.Navigate(url+"/watch/launch?lang=en"), chromedp.WaitVisible(chromedp.CSS("#cue-1")))
	first := eval[string](t, b, `document.querySelector('#cue-1 .cue-text').innerText`)
	if !strings.Contains(first, "Opening remarks.") || !strings.Contains(first, "Passage retenu à la demande de l’intervenant·e.") {
		t.Errorf("cue 1 = %q; want Bob's words and the French withheld notice at Carol's turn", first)
	}
	all := eval[string](t, b, `document.body.innerText`)
	for _, w := range []string{"harbour", "warehouse", "lighthouse", "Carol", "Witness"} {
		if strings.Contains(all, w) {
			t.Errorf("the watch page still shows %q:\n%s", w, all)
		}
	}
	b.clean(t)
}

// An editor reaches the speakers page from the list, redacts words, then
// a time span, on it; the watch page reads "[redacted]" there and shows
// neither; removing the words' redaction brings them back.
func TestBrowserEditorRedacts(t *testing.T) {
	b := newBrowser(t)
	url := startConsentSite(t)
	b.run(t, "sign in",
		chromedp.Navigate(url+"/login?ui=en"),
		chromedp.SendKeys(chromedp.ID("login-name"), "ed"),
		chromedp.SendKeys(chromedp.ID("login-password"), consentPassword),
	)
	b.submit(t, "sign in", ".login-form button")
	b.run(t, "open the list", chromedp.Navigate(url+"/edit"), chromedp.WaitVisible(chromedp.CSS(`tr[data-id="launch"] .edit-speakers-link`)))
	b.submit(t, "follow the speakers link", `tr[data-id="launch"] .edit-speakers-link`)
	b.run(t, "redact words", chromedp.WaitVisible(chromedp.ID("redact-text")), chromedp.SendKeys(chromedp.ID("redact-text"), "opening REMARKS"))
	b.submit(t, "save the redaction", ".speakers-form button[type=submit]")
	if !eval[bool](t, b, `!!document.querySelector('.form-notice') && !!document.querySelector('tr[data-redaction="0"]')`) {
		t.Fatalf("not saved: %s", eval[string](t, b, `document.body.innerText`))
	}
	b.run(t, "redact a span", chromedp.SendKeys(chromedp.ID("redact-from"), "6"), chromedp.SendKeys(chromedp.ID("redact-to"), "0:07"))
	b.submit(t, "save the span", ".speakers-form button[type=submit]")
	if got := eval[string](t, b, `document.querySelector('.redactions').innerText`); !strings.Contains(got, "opening REMARKS") || !strings.Contains(got, "from 0:06 to 0:07") {
		t.Fatalf("the page does not list both redactions:\n%s", got)
	}

	watch := func(what string) (string, string) {
		b.run(t, what, chromedp.Navigate(url+"/watch/launch?lang=en&ui=en"), chromedp.WaitVisible(chromedp.CSS("#cue-1")))
		return eval[string](t, b, `document.querySelector('#cue-1 .cue-text').innerText`), eval[string](t, b, `document.getElementById('transcript').innerText`)
	}
	first, all := watch("watch")
	if !strings.Contains(first, "[redacted]") || strings.Contains(all, "Opening") || strings.Contains(all, "Thank you") {
		t.Errorf("cue 1 = %q, transcript:\n%s\nwant [redacted] for the words and the span, and neither shown", first, all)
	}

	b.run(t, "back to the speakers page", chromedp.Navigate(url+"/edit/launch/speakers"), chromedp.WaitVisible(chromedp.CSS(`tr[data-redaction="0"] input[type=checkbox]`)))
	b.run(t, "tick the words' removal", chromedp.Click(chromedp.CSS(`tr[data-redaction="0"] input[type=checkbox]`)))
	b.submit(t, "remove it", ".speakers-form button[type=submit]")
	if first, _ := watch("watch again"); !strings.Contains(first, "Opening remarks.") {
		t.Errorf("after removing the redaction cue 1 = %q; want Bob's words back", first)
	}
	b.clean(t)
}

const consentPassword = "a long enough password"

// submit clicks a form's button and waits for the page it loads.
func (b *browser) submit(t *testing.T, what, button string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(button)))); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// startConsentSite serves a published recording in which Carol speaks
// inside Bob's cue and alone, with an editor account "ed".
func startConsentSite(t *testing.T) string {
	t.Helper()
	url, _ := startConsentSiteSvc(t)
	return url
}

// startConsentSiteSvc is startConsentSite with its Service, for a test
// that changes the archive behind a page's back.
func startConsentSiteSvc(t *testing.T) (string, *archive.Service) {
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
	svc, err := archive.NewService(archive.Options{Blobs: store, Index: idx, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddAccount(ctx, "ed", archive.RoleEditor, []byte(consentPassword)); err != nil {
		t.Fatal(err)
	}
	ed := archive.Principal{Name: "ed", Role: archive.RoleEditor}
	if _, _, err := svc.Create(ctx, ed, archive.RecordingInput{ID: "launch", Title: "Launch", Status: archive.StatusPublished,
		Speakers: []archive.Speaker{{Name: "Bob"}, {Name: "Carol Witness"}}}); err != nil {
		t.Fatal(err)
	}
	vtt := "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Bob>Opening remarks.</v> <v Carol Witness>the harbour warehouse</v>\n\n00:00:04.000 --> 00:00:05.000\n<v Carol Witness>a lighthouse keeper</v>\n\n00:00:06.000 --> 00:00:07.000\n<v Bob>Thank you.</v>\n"
	if _, err := svc.PutTrack(ctx, ed, "launch", archive.TrackUpload{Lang: "en", Name: "en.vtt", Data: []byte(vtt)}); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Service: svc})
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
	return "http://" + ln.Addr().String(), svc
}

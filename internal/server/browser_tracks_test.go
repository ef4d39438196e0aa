package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// An editor checks a subtitle file with an error (the report names the
// line; nothing to accept), then one with a warning (report, first cues),
// accepts it, shifts the track, and deletes it after confirming; the
// page's audit trail shows each change, newest first.
func TestBrowserEditorTrackControls(t *testing.T) {
	b := newBrowser(t)
	url := startEditorSite(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.en.srt")
	good := filepath.Join(dir, "panel.en.srt")
	if err := os.WriteFile(bad, []byte("1\n00:00:01,000 --> 00:00:02,000\nFine.\n\n2\n00:00:05,000 --> 00:00:04,000\nBackwards.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, []byte("1\n00:00:01,000 --> 00:00:04,000\nThe Palermo protocol binds us.\n\n2\n00:00:03,500 --> 00:00:06,000\nSurvivors must be heard.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.run(t, "sign in", chromedp.Navigate(url+"/login"),
		chromedp.SendKeys(chromedp.ID("login-name"), "ed"), chromedp.SendKeys(chromedp.ID("login-password"), consentPassword))
	b.submit(t, "sign in", ".login-form button")
	b.run(t, "open the new-recording form", chromedp.Navigate(url+"/edit/new"), chromedp.WaitVisible(chromedp.ID("rec-title")))
	b.run(t, "fill it", chromedp.SendKeys(chromedp.ID("rec-title"), "Track panel"))
	b.submit(t, "create", "#rec-save")
	const api = `/api/v1/recordings/track-panel`
	trackJSON := func() string {
		t.Helper()
		ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
		defer cancel()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => { const r = await fetch('`+api+`/tracks/en'); return r.status + ' ' + await r.text(); })()`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("fetch the track: %v", err)
		}
		return got
	}

	b.run(t, "check the bad file", chromedp.SetUploadFiles(chromedp.ID("track-file"), []string{bad}),
		chromedp.SendKeys(chromedp.ID("track-lang"), "en"), chromedp.Click(chromedp.ID("track-upload")))
	b.waitFor(t, "the refusal", `document.getElementById('track-report').dataset.state === 'refused'`)
	if e := eval[string](t, b, `document.querySelector('.track-errors').innerText`); !strings.Contains(e, "line 6") || !strings.Contains(e, "end time before start time") {
		t.Errorf("errors shown = %q; want line 6 and the reason", e)
	}
	if eval[bool](t, b, `!!document.getElementById('track-accept')`) {
		t.Errorf("a refused file can be accepted")
	}
	if got := trackJSON(); !strings.HasPrefix(got, "404") {
		t.Errorf("after checking a bad file the track is %s; want none", got)
	}

	b.run(t, "check the good file", chromedp.SetUploadFiles(chromedp.ID("track-file"), []string{good}), chromedp.Click(chromedp.ID("track-upload")))
	b.waitFor(t, "the report", `document.getElementById('track-report').dataset.state === 'checked'`)
	report := eval[string](t, b, `document.getElementById('track-report').innerText`)
	for _, want := range []string{"overlaps the previous cue", "srt", "2 cues", "0:01–0:04 The Palermo protocol binds us."} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if got := trackJSON(); !strings.HasPrefix(got, "404") {
		t.Errorf("before accepting the track is %s; want none", got)
	}
	b.run(t, "accept", chromedp.Click(chromedp.ID("track-accept")))
	b.waitAcross(t, "the page shows the track", `!!document.querySelector('[data-track="en"] .track-shift')`)
	if got := trackJSON(); !strings.Contains(got, `"start_ms":1000`) {
		t.Fatalf("stored track = %s; want the first cue at 1000 ms", got)
	}

	b.run(t, "shift by 2.5 s", chromedp.SetValue(chromedp.CSS(`[data-track="en"] .track-shift`), "2.5"),
		chromedp.Click(chromedp.CSS(`[data-track="en"] .track-shift-go`)))
	b.waitFor(t, "the shift is reported", `document.querySelector('[data-track="en"]').dataset.done === '1'`)
	b.waitAcross(t, "the page reloads", `!!document.querySelector('[data-track="en"]') && document.querySelector('[data-track="en"]').dataset.done !== '1'`)
	if got := trackJSON(); !strings.Contains(got, `"start_ms":3500`) || !strings.Contains(got, `"version":2`) {
		t.Errorf("after the shift the track is %s; want the first cue at 3500 ms, version 2", got)
	}

	audit := eval[string](t, b, `document.querySelector('.audit-table').innerText`)
	for _, want := range []string{"track shifted (en)", "offset_ms: — → 2500", "first_cue_ms: 1000 → 3500", "track uploaded (en)", "cue_count: 0 → 2", "created", "title: — → Track panel", "ed"} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit on the page lacks %q:\n%s", want, audit)
		}
	}
	if first := eval[string](t, b, `document.querySelector('.audit-entry').innerText`); !strings.Contains(first, "track shifted") {
		t.Errorf("newest audit entry = %q; want the shift", first)
	}

	b.run(t, "ask to delete", chromedp.Click(chromedp.CSS(`[data-track="en"] .track-delete`)))
	if !eval[bool](t, b, `!document.querySelector('[data-track="en"] .track-delete-confirm').hidden`) {
		t.Fatalf("no confirmation asked before deleting")
	}
	b.run(t, "keep it", chromedp.Click(chromedp.CSS(`[data-track="en"] .track-delete-no`)))
	if got := trackJSON(); !strings.HasPrefix(got, "200") {
		t.Errorf("after keeping it the track is %s", got)
	}
	b.run(t, "delete", chromedp.Click(chromedp.CSS(`[data-track="en"] .track-delete`)), chromedp.Click(chromedp.CSS(`[data-track="en"] .track-delete-yes`)))
	b.waitAcross(t, "the track is gone from the page", `!document.querySelector('[data-track="en"]') && document.readyState === 'complete'`)
	if got := trackJSON(); !strings.HasPrefix(got, "404") {
		t.Errorf("after deleting the track is %s; want 404", got)
	}
	if first := eval[string](t, b, `document.querySelector('.audit-entry').innerText`); !strings.Contains(first, "track deleted (en)") {
		t.Errorf("newest audit entry after deleting = %q; want the deletion", first)
	}
	b.clean(t)
}

// waitAcross is waitFor for a predicate that holds only after the page
// reloads itself: evaluations cut short by the navigation are retried.
func (b *browser) waitAcross(t *testing.T, what, predicate string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState === 'complete' && (`+predicate+`)`))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting until %s (%s): %v", what, predicate, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

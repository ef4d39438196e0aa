package server

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// The watch page's passage tools (issue 12, quote.js), at both sizes:
// the text of a line is selected and copied; the lines of selected words
// become the passage; lines are marked as a passage (shift-click on a
// desktop, "Select lines" and taps on a phone),
// its ends moved by a line and by a tenth of a second, the passage played
// from start to end, its link copied and opened (it plays that range),
// and a quote made of it, whose page plays the quote from its start and
// pauses at its end.

// clickAt brings the element to the middle of the window and clicks it,
// with the modifier keys given (a shift-click).
func (b *browser) clickAt(t *testing.T, sel string, mods ...chromedp.Modifier) {
	t.Helper()
	xy := eval[[]float64](t, b, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`, sel))
	b.run(t, "click "+sel, chromedp.MouseClickXY(xy[0], xy[1], chromedp.ButtonModifiers(mods...)))
}

// clipboard reads the clipboard (the test granted the permission).
func (b *browser) clipboard(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("read the clipboard: %v", err)
	}
	return s
}

// selectAndCopy drags the mouse across the text of sel, copies the
// selection and returns what the clipboard then holds, with the text
// it should hold.
func (b *browser) selectAndCopy(t *testing.T, sel string) (copied, want string) {
	t.Helper()
	box := eval[[]float64](t, b, fmt.Sprintf(`(() => { const s = document.querySelector(%q); s.scrollIntoView({block: 'center'}); getSelection().removeAllRanges();
		const r = document.createRange(); r.selectNodeContents(s); const rs = r.getClientRects(), a = rs[0], z = rs[rs.length - 1];
		return [a.left + 1, a.top + a.height / 2, z.right - 1, z.top + z.height / 2]; })()`, sel))
	want = strings.Join(strings.Fields(eval[string](t, b, fmt.Sprintf(`document.querySelector(%q).textContent`, sel))), " ")
	b.run(t, "drag across "+sel,
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, box[0], box[1], chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, (box[0]+box[2])/2, (box[1]+box[3])/2, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, box[2], box[3], chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, box[2], box[3], chromedp.ButtonLeft, chromedp.ClickCount(1)),
	)
	if s := eval[string](t, b, `getSelection().toString()`); strings.Join(strings.Fields(s), " ") != want {
		t.Errorf("dragging across %s selected %q; want %q", sel, s, want)
	}
	b.run(t, "copy", chromedp.Evaluate[chromedp.Void](`document.execCommand('copy')`))
	return strings.Join(strings.Fields(b.clipboard(t)), " "), want
}

// cueTimes reads a cue's start and end in seconds.
func cueTimes(t *testing.T, b *browser, id string) (start, end float64) {
	t.Helper()
	v := eval[[]float64](t, b, fmt.Sprintf(`(() => { const c = document.getElementById(%q); return [parseFloat(c.dataset.start), parseFloat(c.dataset.end)]; })()`, id))
	return v[0], v[1]
}

// passageLink reads the passage link's t and end.
func passageLink(t *testing.T, b *browser) (start, end float64, u *url.URL) {
	t.Helper()
	href := eval[string](t, b, `(() => { const a = document.getElementById('passage-link'); return a.hidden ? '' : a.href; })()`)
	u, err := url.Parse(href)
	if err != nil || href == "" {
		t.Fatalf("the passage link is %q", href)
	}
	start, err1 := strconv.ParseFloat(u.Query().Get("t"), 64)
	end, err2 := strconv.ParseFloat(u.Query().Get("end"), 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("the passage link %s has no t and end", href)
	}
	return start, end, u
}

// playsRange checks that the page, once playing, starts at start and
// stops at end: where the video is when it starts to play or lands from
// a seek (play and seeked events) and the positions it reports while
// playing are recorded by the page itself. It plays at twice the speed: a passage of 20 s takes 10.
func (b *browser) playsRange(t *testing.T, what string, start, end float64, play string) {
	t.Helper()
	b.run(t, "watch the positions", chromedp.Evaluate[chromedp.Void](`(() => { const v = document.getElementById('player'); v.muted = true; v.playbackRate = 2;
		window.__seen = []; window.__began = null;
		const began = () => { if (window.__began === null) { window.__began = v.currentTime; window.__seen = []; } };
		v.addEventListener('play', began); v.addEventListener('seeked', began);
		v.addEventListener('timeupdate', () => { if (!v.paused && window.__began !== null) window.__seen.push(v.currentTime); }); })()`))
	b.run(t, what, chromedp.Evaluate[chromedp.Void](play))
	b.waitFor(t, what+": playing", `window.__began !== null && window.__seen.length > 2`)
	b.waitFor(t, what+": paused", `document.getElementById('player').paused`)
	began := eval[float64](t, b, `window.__began`)
	seen := eval[[]float64](t, b, `window.__seen`)
	at := eval[float64](t, b, `document.getElementById('player').currentTime`)
	if math.Abs(began-start) > 0.3 {
		t.Errorf("%s: playback began at %.2f s; want the start, %.2f s", what, began, start)
	}
	if math.Abs(at-end) > 0.3 {
		t.Errorf("%s: the video paused at %.2f s; want the end, %.2f s", what, at, end)
	}
	for _, s := range seen {
		if s < start-0.3 || s > end+0.3 {
			t.Errorf("%s: the video played at %.2f s, outside %.2f–%.2f s", what, s, start, end)
			break
		}
	}
}

var quoteURL = regexp.MustCompile(`^/q/[A-Za-z0-9]{12}$`)

func TestBrowserQuotePassage(t *testing.T) {
	b := newBrowser(t)
	d := startDemo(t)
	dir := screenshotDir(t)
	b.grantClipboard(t, d.url)
	near := func(a, b float64) bool { return math.Abs(a-b) < 0.001 }
	for _, vp := range []viewport{desktop, phone} {
		b.use(t, vp)
		b.run(t, "open watch at 75.7 s", chromedp.Navigate(d.url+"/watch/hrc47-side-event?t=75.7&lang=en&ui=en"))
		b.waitFor(t, "the video is at 75.7 s", `(() => { const v = document.getElementById('player'); return v.readyState >= 1 && Math.abs(v.currentTime - 75.7) < 0.3; })()`)

		// The words of a line can be selected and copied.
		if copied, want := b.selectAndCopy(t, "#cue-12 .cue-text"); copied != want {
			t.Errorf("%s: the clipboard holds %q after copying a line; want %q", vp.name, copied, want)
		}
		if at := eval[float64](t, b, `document.getElementById('player').currentTime`); math.Abs(at-75.7) > 0.3 {
			t.Errorf("%s: selecting text moved the video to %.2f s", vp.name, at)
		}

		s12, _ := cueTimes(t, b, "cue-12")
		s13, e13 := cueTimes(t, b, "cue-13")
		_, e14 := cueTimes(t, b, "cue-14")

		// Words selected across lines 12 and 13 make those lines the passage.
		b.run(t, "select from line 12 into line 13", chromedp.Evaluate[chromedp.Void](`(() => { const r = document.createRange();
			r.setStart(document.querySelector('#cue-12 .cue-text').firstChild, 3); r.setEnd(document.querySelector('#cue-13 .cue-text').firstChild, 5);
			getSelection().removeAllRanges(); getSelection().addRange(r); })()`))
		b.waitFor(t, "the selected lines can be taken", `!document.getElementById('passage-from-text').disabled`)
		b.clickAt(t, "#passage-from-text")
		if start, end, _ := passageLink(t, b); !near(start, s12) || !near(end, e13) {
			t.Errorf("%s: the selected words' lines make the passage %.3f–%.3f s; want %.3f–%.3f (lines 12 and 13)", vp.name, start, end, s12, e13)
		}
		b.clickAt(t, "#passage-clear")

		// Lines 12 to 14 become the passage.
		if vp.name == "phone" {
			b.clickAt(t, "#select-lines")
			b.clickAt(t, "#cue-12 a.cue-time")
			b.clickAt(t, "#cue-14 a.cue-time")
			b.clickAt(t, "#select-lines")
			if at := eval[float64](t, b, `document.getElementById('player').currentTime`); math.Abs(at-75.7) > 0.3 {
				t.Errorf("phone: tapping times to select lines moved the video to %.2f s", at)
			}
		} else {
			b.clickAt(t, "#cue-12 a.cue-time")
			b.clickAt(t, "#cue-14 a.cue-time", chromedp.ModifierShift)
		}
		inRange := eval[[]string](t, b, `Array.from(document.querySelectorAll('#transcript li.in-range')).map(li => li.id)`)
		if strings.Join(inRange, " ") != "cue-12 cue-13 cue-14" {
			t.Errorf("%s: the passage marks %v; want cue-12 cue-13 cue-14", vp.name, inRange)
		}
		if start, end, _ := passageLink(t, b); !near(start, s12) || !near(end, e14) {
			t.Errorf("%s: the passage link runs %.3f–%.3f s; want %.3f–%.3f (lines 12 to 14)", vp.name, start, end, s12, e14)
		}

		// Each end moves by a tenth and by a line.
		steps := []struct {
			end, move  string
			start, fin float64
		}{
			{"end", "tenth+", s12, e14 + 0.1},
			{"end", "line-", s12, e14},
			{"end", "line-", s12, e13},
			{"end", "line+", s12, e14},
			{"start", "line+", s13, e14},
			{"start", "tenth-", s13 - 0.1, e14},
			{"start", "line-", s12, e14},
		}
		for _, st := range steps {
			b.clickAt(t, fmt.Sprintf(`.passage-end[data-end=%q] button[data-move=%q]`, st.end, st.move))
			if start, end, _ := passageLink(t, b); !near(start, st.start) || !near(end, st.fin) {
				t.Errorf("%s: after %s %s the passage is %.3f–%.3f s; want %.3f–%.3f", vp.name, st.end, st.move, start, end, st.start, st.fin)
			}
		}
		b.viewShot(t, dir, "watch-passage-"+vp.name)

		// Played, it runs from its start to its end.
		b.playsRange(t, vp.name+": play the passage", s12, e14, `document.getElementById('passage-play').click()`)

		// Its link keeps t and end; a quote is made of it.
		b.clickAt(t, "#passage-copy")
		b.waitFor(t, "the link is copied", `document.getElementById('passage-status').textContent.includes('end=')`)
		link, err := url.Parse(b.clipboard(t))
		if err != nil {
			t.Fatal(err)
		}
		if q := link.Query(); link.Path != "/watch/hrc47-side-event" || q.Get("t") != strconv.FormatFloat(s12, 'f', -1, 64) || q.Get("end") != strconv.FormatFloat(e14, 'f', -1, 64) || q.Get("lang") != "en" {
			t.Errorf("%s: copied %s; want /watch/hrc47-side-event with t=%v, end=%v, lang=en", vp.name, link, s12, e14)
		}
		b.clickAt(t, "#passage-create")
		b.waitFor(t, "the quote is made", `document.getElementById('quote-link') !== null`)
		permalink := eval[string](t, b, `document.getElementById('quote-link').getAttribute('href')`)
		if !quoteURL.MatchString(permalink) {
			t.Fatalf("%s: the quote's link is %q; want /q/<12 letters and digits>", vp.name, permalink)
		}
		if id := eval[string](t, b, `document.activeElement.id`); id != "quote-link" {
			t.Errorf("%s: after creating, focus is on %q; want the quote's link", vp.name, id)
		}
		b.viewShot(t, dir, "watch-quoted-"+vp.name)
		ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
		quote, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](`fetch('/api/v1`+strings.Replace(permalink, "/q/", "/quotes/", 1)+`').then(r => r.json())`, chromedp.EvalAwaitPromise))
		cancel()
		if err != nil {
			t.Fatalf("read the quote: %v", err)
		}
		if quote["start_ms"] != math.Round(s12*1000) || quote["end_ms"] != math.Round(e14*1000) || quote["lang"] != "en" || quote["recording_id"] != "hrc47-side-event" {
			t.Errorf("%s: the quote is %v %v %v–%v ms; want hrc47-side-event en %v–%v", vp.name, quote["recording_id"], quote["lang"], quote["start_ms"], quote["end_ms"], math.Round(s12*1000), math.Round(e14*1000))
		}
		if cues, _ := quote["cues"].([]any); len(cues) != 3 {
			t.Errorf("%s: the quote holds %d lines; want 3", vp.name, len(cues))
		}

		// The permalink, opened, plays the quote from its start to its end.
		b.run(t, "open the permalink", chromedp.Navigate(eval[string](t, b, `document.getElementById('quote-link').href`)))
		b.waitFor(t, "the quote page is open", fmt.Sprintf(`location.pathname === %q && document.getElementById('player').readyState >= 1`, permalink))
		b.waitFor(t, "the quote's video is at its start", fmt.Sprintf(`Math.abs(document.getElementById('player').currentTime - %f) < 0.3`, s12))
		b.playsRange(t, vp.name+": the quote's page", s12, e14, `document.getElementById('player').play()`)
		b.viewShot(t, dir, "quote-played-"+vp.name)

		// The copied link, opened, plays that range.
		b.run(t, "open the copied link", chromedp.Navigate(link.String()))
		b.waitFor(t, "the video is at the passage", fmt.Sprintf(`(() => { const v = document.getElementById('player'); return v.readyState >= 1 && Math.abs(v.currentTime - %f) < 0.3; })()`, s12))
		b.playsRange(t, vp.name+": the copied link", s12, e14, `document.getElementById('player').play()`)
	}

	// The known bug: on a passage's page, after it has played, the link
	// to copy is still the passage's, not the moment it stopped at.
	b.use(t, desktop)
	b.run(t, "open a passage in French", chromedp.Navigate(d.url+"/watch/hrc47-side-event?t=95&end=101&lang=fr&ui=fr"))
	b.waitFor(t, "the video is at 95 s", `(() => { const v = document.getElementById('player'); return v.readyState >= 1 && Math.abs(v.currentTime - 95) < 0.3; })()`)
	b.playsRange(t, "the passage of the address", 95, 101, `document.getElementById('player').play()`)
	b.clickAt(t, "#passage-copy")
	b.waitFor(t, "the link is copied", `document.getElementById('passage-status').textContent.startsWith('Lien copié')`)
	if got, want := b.clipboard(t), d.url+"/watch/hrc47-side-event?t=95&end=101&lang=fr"; got != want {
		t.Errorf("after the passage played, Copy link to this passage copied %s; want %s", got, want)
	}
	b.clean(t)
}

// TestBrowserQuoteRefusals: what the archive refuses is said in the
// interface language: a passage longer than a quote may be and one with
// no words (both checked before asking), and too many quotes from one
// address (429).
func TestBrowserQuoteRefusals(t *testing.T) {
	b := newBrowser(t)
	d := startDemoWith(t, func(o *Options) { o.QuotesPerAddress = 1 })
	b.use(t, desktop)

	b.run(t, "open watch in Spanish", chromedp.Navigate(d.url+"/watch/hrc47-side-event?t=3&lang=en&ui=es"))
	b.waitFor(t, "the page is ready", `document.getElementById('player').readyState >= 1 && !document.getElementById('passage-create').hidden`)
	// By keyboard: Enter on a time plays from it, Shift+Enter on another
	// marks the lines between.
	b.run(t, "Enter on the first line's time", chromedp.Focus(chromedp.CSS("#cue-1 a.cue-time")), chromedp.KeyEvent("\r"))
	b.run(t, "Shift+Enter on the last line's time", chromedp.Focus(chromedp.CSS("#transcript li:last-child a.cue-time")), chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierShift)))
	if n, all := eval[int](t, b, `document.querySelectorAll('#transcript li.in-range').length`), eval[int](t, b, `document.querySelectorAll('#transcript li').length`); n != all {
		t.Errorf("Shift+Enter from the first line to the last marks %d lines of %d", n, all)
	}
	if _, end, _ := passageLink(t, b); end < 300 {
		t.Fatalf("the passage ends at %.1f s; the test needs one longer than 5 minutes", end)
	}
	b.clickAt(t, "#passage-create")
	if got, want := eval[string](t, b, `document.getElementById('passage-status').textContent`), "Una cita dura como máximo 5 minutos y tiene como máximo 60 líneas. Acorte el pasaje."; got != want {
		t.Errorf("a passage of more than 5 minutes: status %q; want %q", got, want)
	}
	// Between two lines there is nothing to quote.
	b.clickAt(t, "#passage-clear")
	b.clickAt(t, "#cue-2 a.cue-time")
	b.clickAt(t, "#cue-2 a.cue-time", chromedp.ModifierShift)
	b.clickAt(t, `.passage-end[data-end="start"] button[data-move="tenth-"]`)
	b.clickAt(t, `.passage-end[data-end="end"] button[data-move="line-"]`)
	if n := eval[int](t, b, `document.querySelectorAll('#transcript li.in-range').length`); n != 0 {
		t.Fatalf("the passage between lines 1 and 2 marks %d lines", n)
	}
	b.clickAt(t, "#passage-create")
	if got, want := eval[string](t, b, `document.getElementById('passage-status').textContent`), "Este pasaje no contiene palabras que citar: marque al menos una línea."; got != want {
		t.Errorf("a passage between two lines: status %q; want %q", got, want)
	}

	b.run(t, "open watch in German", chromedp.Navigate(d.url+"/watch/hrc47-side-event?t=95&end=101&lang=de&ui=de"))
	b.waitFor(t, "the page is ready", `!document.getElementById('passage-create').hidden`)
	b.clickAt(t, "#passage-create")
	b.waitFor(t, "the first quote is made", `document.getElementById('quote-link') !== null`)
	b.clickAt(t, "#passage-create")
	b.waitFor(t, "the second is refused", `document.getElementById('passage-status').textContent.startsWith('Zu viele')`)
	if got, want := eval[string](t, b, `document.getElementById('passage-status').textContent`), "Zu viele Zitate von dieser Verbindung. Versuchen Sie es in 60 Minuten erneut."; got != want {
		t.Errorf("the second quote from one address: status %q; want %q", got, want)
	}
	b.clean(t)
}

// TestBrowserQuoteSignedIn: a signed-in editor's quote carries the
// session's CSRF token (the API refuses a signed-in write without it), on
// a recording without a video, where the passage is marked, copied and
// quoted all the same. A passage of a speaker hidden after the page was
// loaded is refused, and the page says so in the interface language.
func TestBrowserQuoteSignedIn(t *testing.T) {
	b := newBrowser(t)
	url, svc := startConsentSiteSvc(t)
	b.use(t, desktop)
	b.run(t, "choose French", chromedp.Navigate(url+"/?ui=fr"))
	b.run(t, "sign in",
		chromedp.Navigate(url+"/login"),
		chromedp.SendKeys(chromedp.ID("login-name"), "ed"),
		chromedp.SendKeys(chromedp.ID("login-password"), consentPassword),
	)
	b.submit(t, "sign in", ".login-form button")

	b.run(t, "open the watch page", chromedp.Navigate(url+"/watch/launch?lang=en"), chromedp.WaitVisible(chromedp.ID("passage")))
	if eval[string](t, b, `document.getElementById('passage').dataset.csrf`) == "" {
		t.Fatal("the signed-in page gives the passage tools no CSRF token")
	}
	if n := eval[int](t, b, `document.querySelectorAll('#passage .needs-video:not([hidden])').length`); n != 0 {
		t.Errorf("without a video %d controls that need one still show", n)
	}
	if got := eval[string](t, b, `document.querySelector('#cue-2 .cue-text').textContent`); got != "a lighthouse keeper" {
		t.Fatalf("line 2 reads %q; the test needs Carol's words there", got)
	}
	b.clickAt(t, "#cue-2 a.cue-time", chromedp.ModifierShift)
	if p := eval[string](t, b, `location.pathname + location.search`); p != "/watch/launch?lang=en" {
		t.Fatalf("a shift-click on a time left the page for %s", p)
	}

	// Carol is hidden while the page is open: her words cannot be quoted.
	ctx := context.Background()
	ed := archive.Principal{Name: "ed", Role: archive.RoleEditor}
	rec, etag, err := svc.Get(ctx, ed, "launch")
	if err != nil {
		t.Fatal(err)
	}
	for i := range rec.Speakers {
		if rec.Speakers[i].Name == "Carol Witness" {
			rec.Speakers[i].Visibility = archive.VisibilityHidden
		}
	}
	if _, _, err := svc.Patch(ctx, ed, "launch", etag, archive.Patch{Speakers: &rec.Speakers}); err != nil {
		t.Fatal(err)
	}
	b.clickAt(t, "#passage-create")
	want := "Ce passage ne peut pas être cité : ses paroles sont retenues à la demande de l’intervenant·e, ou l’enregistrement n’est pas public."
	b.waitFor(t, "the refusal is said", fmt.Sprintf(`document.getElementById('passage-status').textContent === %q`, want))

	// Lines 2 and 3: Bob's "Thank you." can be quoted.
	b.clickAt(t, "#cue-3 a.cue-time", chromedp.ModifierShift)
	if start, end, _ := passageLink(t, b); start != 4 || end != 7 {
		t.Errorf("the passage is %v–%v s; want 4–7 (lines 2 and 3)", start, end)
	}
	b.clickAt(t, "#passage-create")
	b.waitFor(t, "the answer is shown", `(t => t !== '' && !t.startsWith('Création'))(document.getElementById('passage-status').textContent)`)
	if p := eval[string](t, b, `(document.getElementById('quote-link') || {}).pathname || document.getElementById('passage-status').textContent`); !quoteURL.MatchString(p) {
		t.Fatalf("the editor's quote: %q; want its permalink", p)
	}
	b.clean(t)
}

package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Browser tests drive the real pages in headless Chromium. They need a
// Chromium binary: /usr/bin/chromium, or the one VERBATIM_CHROMIUM names.
// Without one they skip, unless VERBATIM_REQUIRE_BROWSER is set (CI).

// chromiumPath returns the browser to run, or skips the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests are skipped with -short")
	}
	path := os.Getenv("VERBATIM_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("VERBATIM_REQUIRE_BROWSER") != "" {
			// CI installed Chromium: a missing browser there is a failure.
			t.Fatalf("VERBATIM_REQUIRE_BROWSER is set but there is no Chromium at %s: %v", path, err)
		}
		t.Skipf("no Chromium at %s (set VERBATIM_CHROMIUM, or install Debian's chromium as .ci/run does): %v", path, err)
	}
	return path
}

// browser is one headless Chromium with one tab, watching for what must
// never happen on a page: a JavaScript dialog (the sign of injected
// script), a Content-Security-Policy violation, an uncaught exception.
type browser struct {
	ctx context.Context

	mu         sync.Mutex
	dialogs    []string
	exceptions []string
}

// cspWatch runs before any page script and records every policy
// violation, so a test can tell that the pages need nothing inline.
const cspWatch = `window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});`

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromiumPath(t)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium %s: %v", path, err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatch}); err != nil {
		t.Fatalf("install the CSP watch: %v", err)
	}
	b := &browser{ctx: ctx}
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.dialogs = append(b.dialogs, fmt.Sprintf("%s %q", ev.Type, ev.Message))
			b.mu.Unlock()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	console := chromedp.Console(ctx)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			if m.IsException() {
				b.mu.Lock()
				b.exceptions = append(b.exceptions, fmt.Sprintf("%s:%d %s", m.URL, m.Line+1, m))
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// run runs steps with a deadline, failing the test on error.
func (b *browser) run(t *testing.T, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a script expression in the page.
func eval[T any](t *testing.T, b *browser, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls a predicate until it holds; what explains it on failure.
func (b *browser) waitFor(t *testing.T, what, predicate string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](predicate, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("waiting until %s (%s): %v", what, predicate, err)
	}
}

// clean fails the test if anything the pages must never do happened.
func (b *browser) clean(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, d := range b.dialogs {
		t.Errorf("a JavaScript dialog opened: %s", d)
	}
	for _, e := range b.exceptions {
		t.Errorf("uncaught exception: %s", e)
	}
	if v := eval[[]string](t, b, "window.__csp || []"); len(v) > 0 {
		t.Errorf("Content-Security-Policy violations on %s: %v", eval[string](t, b, "location.href"), v)
	}
}

// screenshotDir is where the tests leave screenshots for a person to look
// at: $VERBATIM_SCREENSHOTS, or verbatim-screenshots in the temp directory.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("VERBATIM_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "verbatim-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshot folder: %v", err)
	}
	return dir
}

func (b *browser) screenshot(t *testing.T, dir, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
}

// TestBrowserViewerPages runs the viewer's journeys in one browser tab on
// one demo server, in order: later steps start where earlier ones left the
// page (the cue steps need the watch page open).
func TestBrowserViewerPages(t *testing.T) {
	b := newBrowser(t)
	d := startDemo(t)
	steps := []struct {
		name string
		run  func(t *testing.T, b *browser, d demo)
	}{
		{"home lists both recordings", homeListsRecordings},
		{"watch opens at 95 s in German", watchOpensAtMoment},
		{"clicking a transcript cue seeks there", cueClickSeeks},
		{"keyboard: Enter on a cue seeks", cueEnterSeeks},
		{"language switch keeps the position", languageSwitchKeepsMoment},
		{"copy link to this moment", copyLinkToMoment},
		{"end stops playback and marks the range", endStopsPlayback},
		{"search milestone from home lands on Sunesson", searchFromHome},
		{"screenshots", takeScreenshots},
		{"without JavaScript the transcript links to moments", worksWithoutJavaScript},
		// Last: it adds a recording the steps above do not expect.
		{"hostile content is inert", hostileIsInert},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) { st.run(t, b, d) })
	}
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(strings.TrimSpace(s), prefix) {
			return true
		}
	}
	return false
}

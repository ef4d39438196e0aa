package server

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSearchLayout: one sentence matched in several languages is
// one moment; on a phone the filters come before the first result
// (folded, one tap away), on a desktop beside the results; a search
// that finds nothing says so across the main column with its
// suggestions, at both sizes.
func TestBrowserSearchLayout(t *testing.T) {
	b := newBrowser(t)
	d := startDemo(t)
	dir := screenshotDir(t)
	rect := func(sel string) [4]float64 {
		t.Helper()
		r := eval[[]float64](t, b, fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return []; const r = e.getBoundingClientRect(); return [r.left, r.top + scrollY, r.width, r.height]; })()`, sel))
		if len(r) != 4 {
			t.Fatalf("%s: no such element on %s", sel, eval[string](t, b, "location.href"))
		}
		return [4]float64(r)
	}
	for _, vp := range []viewport{desktop, phone} {
		b.use(t, vp)

		b.run(t, "search trafficking", chromedp.Navigate(d.url+"/search?q=trafficking&ui=en"), chromedp.WaitVisible(chromedp.CSS(".hit-link")))
		b.screenshot(t, dir, "search-filters-"+vp.name)
		filters, first, results := rect(".facets summary"), rect(".hit"), rect(".results")
		open := eval[bool](t, b, `document.querySelector('details.facets-box').open`)
		if vp.name == phone.name {
			if filters[1]+filters[3] > first[1] {
				t.Errorf("phone: the filters (top %.0f, bottom %.0f) are not above the first result (top %.0f)", filters[1], filters[1]+filters[3], first[1])
			}
			if filters[1]+filters[3] > float64(vp.h) {
				t.Errorf("phone: the filters end at %.0f px, below the first screen (%d px)", filters[1]+filters[3], vp.h)
			}
			if open {
				t.Error("phone: the filters start unfolded, pushing the results down")
			}
			b.run(t, "unfold the filters", chromedp.Click(chromedp.CSS(".facets summary")))
			b.waitFor(t, "a speaker filter shows", `(() => { const a = document.querySelector('.facets li a'); return a !== null && a.getBoundingClientRect().height > 0; })()`)
			if link := rect(".facets li a"); link[1] > first[1] {
				t.Errorf("phone: the first filter link (top %.0f) is not above the first result (top %.0f) once unfolded", link[1], first[1])
			}
			b.screenshot(t, dir, "search-filters-open-"+vp.name)
		} else {
			if !open {
				t.Error("desktop: the filters are folded")
			}
			if filters[0]+filters[2] > results[0] {
				t.Errorf("desktop: the filters (x %.0f–%.0f) are not beside the results (x %.0f)", filters[0], filters[0]+filters[2], results[0])
			}
		}

		// The demo's Palermo Protocol line, said once and matched in three
		// languages: one moment.
		b.run(t, "search Palermo", chromedp.Navigate(d.url+"/search?q=Palermo&ui=en"), chromedp.WaitVisible(chromedp.CSS(".hit-link")))
		b.screenshot(t, dir, "search-moment-"+vp.name)
		if got := eval[[]string](t, b, `[document.querySelector('.summary').textContent, String(document.querySelectorAll('li.hit').length), String(document.querySelectorAll('li.hit .hit-link').length)]`); got[0] != "1 moment for “Palermo”" || got[1] != "1" || got[2] == "1" {
			t.Errorf("%s: Palermo shows %q in %s lines with %s language links; want one moment in several languages", vp.name, got[0], got[1], got[2])
		}

		for _, ui := range []string{"en", "fr", "es", "de"} {
			b.run(t, "search for nothing", chromedp.Navigate(d.url+"/search?q=zzyzxqwv+quux&ui="+ui), chromedp.WaitVisible(chromedp.CSS(".no-results")))
			none, column := rect(".no-results"), rect(".search-page")
			if none[2] < column[2]-1 || none[0] > column[0]+1 {
				t.Errorf("%s %s: the no-results message is %.0f px wide at x %.0f; the main column %.0f px at x %.0f", vp.name, ui, none[2], none[0], column[2], column[0])
			}
			if n := eval[int](t, b, `document.querySelectorAll('.no-results .suggestions li').length`); n < 4 {
				t.Errorf("%s %s: %d suggestions; want at least 4", vp.name, ui, n)
			}
			b.screenshot(t, dir, "search-none-"+ui+"-"+vp.name)
		}
	}
	b.run(t, "reset viewport", chromedp.ResetViewport())
	b.clean(t)
}

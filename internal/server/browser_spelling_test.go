package server

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// momentsJS lists the result moments in page order as "exact", "mixed"
// or "near" (every language of it labelled a near spelling), and each
// near hit's label.
const momentsJS = `(() => Array.from(document.querySelectorAll('li.hit')).map(m => {
  const links = Array.from(m.querySelectorAll('.hit-link'));
  const near = links.filter(a => a.querySelector('.hit-near')).length;
  return (near === 0 ? 'exact' : near === links.length ? 'near' : 'mixed') + '|' +
    links.map(a => { const l = a.querySelector('.hit-near'); return l ? l.textContent : ''; }).join('|');
}))()`

// TestBrowserNearSpellings: for "traite" on the demo, the French cues
// that say it come first; English "training" and Spanish "trata" follow,
// each labelled as a near spelling and marked differently (not by colour
// alone); "trafficing" is corrected openly, with the exact search one
// click away. At 1280×800 and 390×844, in English and French.
func TestBrowserNearSpellings(t *testing.T) {
	b := newBrowser(t)
	d := startDemo(t)
	dir := screenshotDir(t)
	for _, vp := range []viewport{desktop, phone} {
		b.use(t, vp)

		// Page 1: the exact French matches fill it; no near spelling shows.
		b.run(t, "search traite", chromedp.Navigate(d.url+"/search?q=traite&ui=en"), chromedp.WaitVisible(chromedp.CSS(".hit-link")))
		first := eval[[]string](t, b, momentsJS)
		if len(first) == 0 {
			t.Fatalf("%s: traite shows no moments", vp.name)
		}
		for i, m := range first {
			if !strings.HasPrefix(m, "exact|") {
				t.Errorf("%s: traite page 1 moment %d = %q; want exact (exact matches fill the page)", vp.name, i, m)
			}
		}
		if n := eval[int](t, b, `document.querySelectorAll('.hit-text mark.near').length`); n != 0 {
			t.Errorf("%s: traite page 1 marks %d near spellings; want none", vp.name, n)
		}
		if got := eval[string](t, b, `(document.querySelector('.hint-near') || {}).textContent || ''`); got != "Only exact matches are counted here; near spellings, if any, follow after them." {
			t.Errorf("%s: traite page 1 says %q about the count; want that it counts exact matches only", vp.name, got)
		}

		// Page 2: the rest of the exact matches, then the near ones.
		for _, ui := range []string{"en", "fr"} {
			b.run(t, "traite page 2", chromedp.Navigate(d.url+"/search?q=traite&page=2&ui="+ui), chromedp.WaitVisible(chromedp.CSS(".hit-link")))
			b.screenshot(t, dir, "search-near-"+ui+"-"+vp.name)
			if n := eval[int](t, b, `document.querySelectorAll('.hint-near').length`); n != 0 {
				t.Errorf("%s %s: traite page 2 counts near spellings too, yet says it counts exact ones only", vp.name, ui)
			}
			moments := eval[[]string](t, b, momentsJS)
			seenNear, labels := false, map[string]bool{}
			for i, m := range moments {
				kind, rest, _ := strings.Cut(m, "|")
				switch {
				case i == 0 && kind != "exact":
					t.Errorf("%s %s: traite page 2 starts with a %s moment %q; want an exact one", vp.name, ui, kind, m)
				case kind == "near":
					seenNear = true
				case seenNear:
					t.Errorf("%s %s: moment %d (%q) has exact matches after a near-only moment: %v", vp.name, ui, i, m, moments)
				}
				for _, l := range strings.Split(rest, "|") {
					if l != "" {
						labels[l] = true
					}
				}
			}
			want := map[string][]string{
				"en": {"near spelling: training", "near spelling: trata"},
				"fr": {"orthographe proche : training", "orthographe proche : trata"},
			}[ui]
			for _, w := range want {
				if !labels[w] {
					t.Errorf("%s %s: traite page 2 labels %v; want %q among them", vp.name, ui, labels, w)
				}
			}
			if !seenNear {
				t.Errorf("%s %s: traite page 2 has no moment found by near spellings only: %v", vp.name, ui, moments)
			}
		}
		// An exact mark is filled and underlined solid; a near one has no
		// fill, a dashed box and a wavy underline: told apart by shape.
		style := eval[[]string](t, b, `(() => {
  const s = e => { const c = getComputedStyle(e); return [c.textDecorationStyle, c.outlineStyle, c.backgroundColor].join(' '); };
  return [s(document.querySelector('.hit-text mark:not(.near)')), s(document.querySelector('.hit-text mark.near'))];
})()`)
		if !strings.HasPrefix(style[0], "solid none") || !strings.HasPrefix(style[1], "wavy dashed") || style[0] == style[1] {
			t.Errorf("%s: exact mark %q, near mark %q; want solid underline and fill vs wavy underline and dashed box", vp.name, style[0], style[1])
		}

		// A word nothing holds as spelt: said, and the exact search offered.
		b.run(t, "search trafficing", chromedp.Navigate(d.url+"/search?q=trafficing&ui=en"), chromedp.WaitVisible(chromedp.CSS(".notice-spelling")))
		b.screenshot(t, dir, "search-corrected-"+vp.name)
		if got := eval[string](t, b, `document.querySelector('.notice-spelling').textContent`); got != "Showing results for trafficking. Search instead for exactly “trafficing”" {
			t.Errorf("%s: the correction notice says %q", vp.name, got)
		}
		if got := eval[[]string](t, b, momentsJS); len(got) == 0 || !strings.Contains(got[0], "near spelling: trafficking") {
			t.Errorf("%s: trafficing moments %v; want near spellings of trafficking", vp.name, got)
		}
		b.run(t, "search exactly", chromedp.Click(chromedp.CSS(".notice-spelling a:last-child")), chromedp.WaitVisible(chromedp.CSS(".no-results")))
		if q := eval[string](t, b, `new URLSearchParams(location.search).get('q')`); q != `"trafficing"` {
			t.Errorf("%s: search exactly went to q=%q; want \"trafficing\" in quotes", vp.name, q)
		}
	}
	b.run(t, "reset viewport", chromedp.ResetViewport())
	b.clean(t)
}

package i18n

import (
	"regexp"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/verbatim-archive/verbatim/web"
)

// The interface must speak every language of the events, completely.
func TestWebCatalogsComplete(t *testing.T) {
	b, err := Load(web.Catalogs(), "en")
	if err != nil {
		t.Fatalf("Load(web.Catalogs()): %v", err)
	}
	langs := b.Langs()
	slices.Sort(langs)
	if diff := cmp.Diff([]string{"de", "en", "es", "fr"}, langs); diff != "" {
		t.Errorf("catalog languages mismatch (-want +got):\n%s", diff)
	}
	for lang, keys := range b.Missing() {
		t.Errorf("catalog %s is incomplete: %v", lang, keys)
	}
}

// A translation must keep every placeholder of the English message, or a
// number or a quoted query silently disappears from the page.
func TestWebCatalogsPlaceholders(t *testing.T) {
	b, err := Load(web.Catalogs(), "en")
	if err != nil {
		t.Fatalf("Load(web.Catalogs()): %v", err)
	}
	ph := regexp.MustCompile(`\{\d\}`)
	for _, key := range b.Keys() {
		en, _ := b.Message("en", key)
		want := ph.FindAllString(en, -1)
		slices.Sort(want)
		for _, lang := range b.Langs() {
			msg, _ := b.Message(lang, key)
			got := ph.FindAllString(msg, -1)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s %q has placeholders %v; English has %v", lang, key, got, want)
			}
		}
	}
}

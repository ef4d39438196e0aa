package i18n

import (
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func testBundle(t *testing.T) *Bundle {
	t.Helper()
	fsys := fstest.MapFS{
		"en.json": {Data: []byte(`{"hello":"Hello {0}","n.one":"{0} moment","n.other":"{0} moments","only.en":"English"}`)},
		"fr.json": {Data: []byte(`{"hello":"Bonjour {0}","n.one":"{0} moment","n.other":"{0} moments"}`)},
		"de.json": {Data: []byte(`{"hello":"Hallo {0}","n.one":"{0} Stelle","n.other":"{0} Stellen","only.en":"Englisch","extra":"x"}`)},
	}
	b, err := Load(fsys, "en")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return b
}

func TestMatch(t *testing.T) {
	b := testBundle(t)
	tests := []struct {
		accept string
		prefs  []string
		want   string
	}{
		{"", nil, "en"},
		{"fr-CH, fr;q=0.9, en;q=0.8", nil, "fr"},
		{"de-AT", nil, "de"},
		{"ja, de;q=0.5", nil, "de"},
		{"ja", nil, "en"},
		{"*", nil, "en"},
		{"pt-BR, de;q=0.1", nil, "de"}, // a low-weighted language we have beats the fallback
		{"garbage;;;q=x", nil, "en"},
		{"de", []string{"fr"}, "fr"},       // ?ui= wins over the header
		{"de", []string{"", "fr"}, "fr"},   // no ?ui=, the cookie wins
		{"de", []string{"xx", "it"}, "de"}, // unknown choices are ignored
		{"fr", []string{"<script>"}, "fr"}, // and never echoed
	}
	for _, tt := range tests {
		if got := b.Match(tt.accept, tt.prefs...).Lang(); got != tt.want {
			t.Errorf("Match(%q, %q) = %q; want %q", tt.accept, tt.prefs, got, tt.want)
		}
	}
}

func TestTranslate(t *testing.T) {
	b := testBundle(t)
	tests := []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"fr", "hello", []any{"Anna"}, "Bonjour Anna"},
		{"fr", "only.en", nil, "English"}, // falls back to English
		{"fr", "nope", nil, "nope"},       // shows the gap
		{"de", "hello", []any{"{1}"}, "Hallo {1}"},
	}
	for _, tt := range tests {
		if got := b.Translator(tt.lang).T(tt.key, tt.args...); got != tt.want {
			t.Errorf("Translator(%q).T(%q, %v) = %q; want %q", tt.lang, tt.key, tt.args, got, tt.want)
		}
	}
}

func TestPlural(t *testing.T) {
	b := testBundle(t)
	tests := []struct {
		lang string
		n    int
		want string
	}{
		{"en", 0, "0 moments"}, {"en", 1, "1 moment"}, {"en", 2, "2 moments"},
		{"fr", 0, "0 moment"}, {"fr", 1, "1 moment"}, {"fr", 2, "2 moments"},
		{"de", 1, "1 Stelle"}, {"de", 5, "5 Stellen"},
	}
	for _, tt := range tests {
		if got := b.Translator(tt.lang).N("n", tt.n); got != tt.want {
			t.Errorf("Translator(%q).N(%q, %d) = %q; want %q", tt.lang, "n", tt.n, got, tt.want)
		}
	}
}

func TestMissing(t *testing.T) {
	b := testBundle(t)
	want := map[string][]string{
		"fr": {"only.en"},
		"de": {"unknown:extra"},
	}
	if diff := cmp.Diff(want, b.Missing()); diff != "" {
		t.Errorf("Missing() mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadNeedsFallback(t *testing.T) {
	fsys := fstest.MapFS{"fr.json": {Data: []byte(`{}`)}}
	if _, err := Load(fsys, "en"); err == nil {
		t.Error("Load without an en catalog succeeded; want an error")
	}
	bad := fstest.MapFS{"en.json": {Data: []byte(`{"a": 1}`)}}
	if _, err := Load(bad, "en"); err == nil {
		t.Error("Load of a non-string message succeeded; want an error")
	}
}

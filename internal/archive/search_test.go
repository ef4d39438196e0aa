package archive_test

import (
	"context"
	"errors"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

func TestWatchURL(t *testing.T) {
	tests := []struct {
		id   string
		ms   int64
		lang string
		want string
	}{
		{"istac-launch", 45500, "en", "/watch/istac-launch?t=45.5&lang=en"},
		{"r", 754200, "pt-BR", "/watch/r?t=754.2&lang=pt-BR"},
		{"r", 0, "", "/watch/r?t=0"},
		{"r", 1, "de", "/watch/r?t=0.001&lang=de"},
	}
	for _, tt := range tests {
		if got := archive.WatchURL(tt.id, tt.ms, tt.lang); got != tt.want {
			t.Errorf("WatchURL(%q, %d, %q) = %q; want %q", tt.id, tt.ms, tt.lang, got, tt.want)
		}
	}
}

func TestSearchValidates(t *testing.T) {
	e := newEnv(t)
	tests := []archive.SearchQuery{
		{Text: "x", Langs: []string{"not a tag"}},
		{Text: "x", DateFrom: "2021-13-01"},
		{Text: "x", Kind: "dubbed"},
	}
	for _, q := range tests {
		if _, err := e.svc.Search(context.Background(), viewer, q); !errors.Is(err, archive.ErrInvalid) {
			t.Errorf("Search(%+v) error = %v; want ErrInvalid", q, err)
		}
	}
	res, err := e.svc.Search(context.Background(), viewer, archive.SearchQuery{Text: "nothing", PerPage: 1000})
	if err != nil || res.PerPage != archive.MaxPerPage || res.Page != 1 || res.Hits == nil {
		t.Errorf("Search defaults = %+v, %v; want page 1, per_page capped at %d, empty hit list", res, err, archive.MaxPerPage)
	}
}

func TestSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Launch of ISTAC, OSCE", "launch-of-istac-osce"},
		{"  Per-Anders Sunesson ", "per-anders-sunesson"},
		{"Müller & Søren", "mueller-soren"},
		{"!!!", ""},
	}
	for _, tt := range tests {
		if got := archive.Slug(tt.in, 80); got != tt.want {
			t.Errorf("Slug(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	if got := archive.Slug("abc def", 4); got != "abc" {
		t.Errorf("Slug(abc def, 4) = %q; want abc (no trailing hyphen)", got)
	}
}

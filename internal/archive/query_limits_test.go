package archive_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// TestSearchLimits pins the exact message of every query budget: it says
// what is too big and the limit, and it is ErrInvalid (a 400).
func TestSearchLimits(t *testing.T) {
	e := newEnv(t)
	words := func(n int) string { return strings.TrimSpace(strings.Repeat("word ", n)) }
	many := func(n int, v string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	tests := []struct {
		name string
		q    archive.SearchQuery
		want string // "" : accepted
	}{
		{"at the length limit", archive.SearchQuery{Text: strings.Repeat("a", 512)}, ""},
		{"one character too long", archive.SearchQuery{Text: strings.Repeat("a", 513)},
			"archive: search: query has 513 characters; at most 512: invalid input"},
		{"100 KB", archive.SearchQuery{Text: strings.Repeat("abcdefghi ", 10<<10)},
			"archive: search: query has 102399 characters; at most 512: invalid input"},
		{"characters, not bytes", archive.SearchQuery{Text: strings.Repeat("ü", 512)}, ""},
		{"surrounding space is not counted", archive.SearchQuery{Text: "  " + strings.Repeat("a", 512) + "\n"}, ""},
		{"at the word limit", archive.SearchQuery{Text: words(32)}, ""},
		{"57 words", archive.SearchQuery{Text: words(57)},
			"archive: search: query has 57 words; at most 32: invalid input"},
		{"words in phrases count", archive.SearchQuery{Text: `"` + words(20) + `" ` + words(13)},
			"archive: search: query has 33 words; at most 32: invalid input"},
		{"punctuation is not a word", archive.SearchQuery{Text: words(32) + ` - " , ! ?`}, ""},
		{"too many languages", archive.SearchQuery{Text: "x", Langs: many(33, "en")},
			"archive: search: query has 33 languages; at most 32: invalid input"},
		{"too many speakers", archive.SearchQuery{Text: "x", Speakers: many(40, "Ana")},
			"archive: search: query has 40 speakers; at most 32: invalid input"},
		{"page past the last", archive.SearchQuery{Text: "x", Page: 1001},
			"archive: search: page 1001 is past the last page served (1000): invalid input"},
		{"huge page", archive.SearchQuery{Text: "x", Page: 1 << 62},
			"archive: search: page 4611686018427387904 is past the last page served (1000): invalid input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.Search(context.Background(), viewer, tt.q)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Search = %v; want it accepted", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Errorf("Search error = %v; want %q", err, tt.want)
			case tt.want != "" && !errors.Is(err, archive.ErrInvalid):
				t.Errorf("Search error %v is not ErrInvalid", err)
			}
		})
	}
}

func TestSearchLimitsConfigured(t *testing.T) {
	lim := archive.QueryLimits{MaxChars: 10, MaxTerms: 2}
	for _, tt := range []struct{ text, want string }{
		{"one two", ""},
		{"a b c", "archive: search: query has 3 words; at most 2: invalid input"},
		{"elevenchars", "archive: search: query has 11 characters; at most 10: invalid input"},
	} {
		err := lim.Check(tt.text)
		if got := errString(err); got != tt.want {
			t.Errorf("Check(%q) = %q; want %q", tt.text, got, tt.want)
		}
	}
	var qe *archive.QueryError
	if err := lim.Check("a b c"); !errors.As(err, &qe) || qe.What != "words" || qe.Got != 3 || qe.Max != 2 {
		t.Errorf("Check(a b c) = %#v; want a *QueryError for 3 words of 2", err)
	}
}

// TestOversizedQueryCostsLittle: a 100 KB query is refused after one pass
// over its text; nothing proportional to it is allocated and the index is
// never asked.
func TestOversizedQueryCostsLittle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	q := archive.SearchQuery{Text: strings.Repeat("abcdefghi ", 10<<10)}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 100 {
		if _, err := e.svc.Search(ctx, viewer, q); !errors.Is(err, archive.ErrInvalid) {
			t.Fatalf("Search(100 KB) = %v; want ErrInvalid", err)
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / 100; per > 4<<10 {
		t.Errorf("a refused 100 KB query allocates %d bytes; want at most 4 KiB", per)
	}
	e.index.setDown(true) // a query that reached the index would now fail differently
	if _, err := e.svc.Search(ctx, viewer, q); !errors.Is(err, archive.ErrInvalid) {
		t.Errorf("Search(100 KB) with the index down = %v; want ErrInvalid before the index", err)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

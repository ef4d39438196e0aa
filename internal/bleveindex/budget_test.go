package bleveindex

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// TestDFACost checks the estimate the automaton budget is kept in against
// what vellum really allocates, for every length a word may be matched
// with typos at.
func TestDFACost(t *testing.T) {
	am, err := newAutomata()
	if err != nil {
		t.Fatal(err)
	}
	families := map[string]func(i int) rune{
		"ascii":            func(i int) rune { return rune('a' + i%26) },
		"ascii-repeated":   func(i int) rune { return rune("protocol"[i%8]) },
		"latin-mixed":      func(i int) rune { return []rune("abcäödefüßghéèij")[i%16] },
		"cyrillic":         func(i int) rune { return rune(0x430 + i%32) },
		"cjk":              func(i int) rune { return rune(0x4e00 + i*37) },
		"cjk-spread":       func(i int) rune { return rune(0x1000 + i*0x731) },
		"astral":           func(i int) rune { return rune(0x1F600 + i) },
		"astral-spread":    func(i int) rune { return rune(0x10000 + i*0x3001) },
		"ascii-and-astral": func(i int) rune { return []rune("a😀b𝄞c")[i%5] },
	}
	for name, letter := range families {
		for runes := 1; runes <= maxFuzzyRunes; runes += 3 {
			rs := make([]rune, runes)
			for i := range rs {
				rs[i] = letter(i)
			}
			term := string(rs)
			for n := 1; n <= 2; n++ {
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				_, err := am.builders[n].BuildDfa(term, uint8(n))
				runtime.ReadMemStats(&after)
				if err != nil {
					t.Fatalf("%s: BuildDfa(%d letters, %d): %v", name, runes, n, err)
				}
				if got, est := int(after.TotalAlloc-before.TotalAlloc), dfaCost(term, n); got > est {
					t.Errorf("%s: BuildDfa(%q, %d) allocated %d bytes; dfaCost says at most %d", name, term, n, got, est)
				}
			}
		}
	}
}

// hostileTexts are queries built to cost the index as much as possible,
// without the archive's length and word limits.
func hostileTexts() map[string]string {
	var distinct []string
	for i := range 4000 {
		w := []byte("abcdefghijklmnopqrstuvwxyzabcdef")
		for j := range w {
			w[j] = byte('a' + (i*7+j*j+i/26)%26)
		}
		distinct = append(distinct, string(w))
	}
	return map[string]string{
		"800-letter word":          strings.Repeat("protocol", 100),
		"100 KB of words":          strings.Join(distinct, " ")[:100<<10],
		"32 words of 32 letters":   strings.Join(distinct[:32], " "),
		"words joined by hyphens":  strings.Join(distinct[:200], "-"),
		"one phrase of everything": `"` + strings.Join(distinct[:300], " ") + `"`,
		"astral words":             strings.Repeat("😀a😁b😂c😃d😄e😅f ", 64),
	}
}

// TestAutomataBudget: whatever the query, the automata one search plans
// stay within the budget, and none is for a word longer than
// maxFuzzyRunes.
func TestAutomataBudget(t *testing.T) {
	x := openDisk(t).(*Index)
	for name, text := range hostileTexts() {
		cs, err := parseText(text)
		if err != nil {
			t.Fatalf("%s: parseText: %v", name, err)
		}
		am := x.automata.forSearch()
		x.matchQuery(nil, cs, am)
		checkBudget(t, name, am)
	}
}

func checkBudget(t *testing.T, name string, am *automata) {
	t.Helper()
	if am.spent > automataBudget || len(am.planned) > maxAutomata {
		t.Errorf("%s: planned %d automata of %d bytes; budget %d automata, %d bytes", name, len(am.planned), am.spent, maxAutomata, automataBudget)
	}
	for k := range am.planned {
		if n := len([]rune(k)) - 1; n > maxFuzzyRunes {
			t.Errorf("%s: planned an automaton for a %d-letter word; longest is %d", name, n, maxFuzzyRunes)
		}
	}
}

// TestLongWordsSearchedExactly: a word too long for typo matching (the
// 800-letter word that once answered 503 "dfa contains more than 10000
// states") is found exactly, with bounded allocation; shorter words keep
// their typo tolerance.
func TestLongWordsSearchedExactly(t *testing.T) {
	ctx := context.Background()
	x := openDisk(t).(*Index)
	long := strings.Repeat("protocol", 100)
	forty := "abcdefghijklmnopqrstuvwxyzabcdefghijklmn"
	if err := x.Put(ctx, "r", []archive.CueDoc{
		doc("r", "en", 0, "the "+long+" word"),
		doc("r", "en", 1, forty),
		doc("r", "en", 2, "trafficking survivors"),
	}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		text string
		want int
	}{
		{long, 1},
		{long[:799] + "x", 0},       // one typo in 800 letters: exact only
		{forty, 1},                  // 40 letters: exact
		{forty[:39] + "x", 0},       // and no typo expansion
		{"trafficing survivers", 1}, // typo tolerance is kept for ordinary words
	} {
		if got := count(t, x, tt.text); got != tt.want {
			t.Errorf("Search(%.20q…) total = %d; want %d", tt.text, got, tt.want)
		}
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 10 {
		count(t, x, long)
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / 10; per > 2<<20 {
		t.Errorf("searching an 800-letter word allocates %d bytes; want at most 2 MiB (its automaton alone was 57 MB)", per)
	}
}

// TestHostileQueriesAnswer: without the archive's limits in front, the
// index still answers every hostile query (no 5xx-class error), within
// the automaton budget.
func TestHostileQueriesAnswer(t *testing.T) {
	ctx := context.Background()
	x := openDisk(t).(*Index)
	if err := x.Put(ctx, "r", []archive.CueDoc{doc("r", "en", 0, "trafficking survivors")}); err != nil {
		t.Fatal(err)
	}
	for name, text := range hostileTexts() {
		if name == "100 KB of words" {
			continue // the archive refuses it; here only its plan is checked (TestAutomataBudget)
		}
		if _, err := x.Search(ctx, archive.SearchQuery{Text: text}); err != nil {
			t.Errorf("%s: Search: %v", name, err)
		}
	}
}

// FuzzParseQuery runs any query text through the real parse, plan and
// search on a disk index: it never panics, fails only with ErrInvalid,
// and keeps the automaton budget.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"palermo protocol", `"palermo protocol" de`, `"unclosed`, "", `""`, "-- !!", "Menschenrechtsverletzungen",
		"trafficing", strings.Repeat("protocol", 100), "ü\u0301ber", "\xff\xfe", "a\x00b", "日本語の字幕", "don't stop", `" " "`} {
		f.Add(s)
	}
	x, err := Open(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { x.Close() })
	ctx := context.Background()
	if err := x.Put(ctx, "r", []archive.CueDoc{doc("r", "en", 0, "the Palermo Protocol on trafficking"), doc("r", "de", 1, "über Menschenhandel")}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 4<<10 {
			t.Skip("longer than the archive would ever pass on")
		}
		if cs, err := parseText(text); err == nil {
			am := x.automata.forSearch()
			x.matchQuery(nil, cs, am)
			checkBudget(t, "fuzz", am)
		}
		for _, langs := range [][]string{nil, {"de"}} {
			_, err := x.Search(ctx, archive.SearchQuery{Text: text, Langs: langs})
			if err != nil && !errors.Is(err, archive.ErrInvalid) {
				t.Errorf("Search(%q) = %v; want nil or ErrInvalid", text, err)
			}
		}
	})
}

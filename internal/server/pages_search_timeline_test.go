package server

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// stripMarks are the x positions (0–1000, the strip's viewBox) of the
// marks drawn in recording id's group.
func stripMarks(t *testing.T, body, id string) []float64 {
	t.Helper()
	start := strings.Index(body, `id="g-`+id+`"`)
	if start < 0 {
		t.Fatalf("no group for %s in:\n%s", id, body)
	}
	group := body[start:]
	if end := strings.Index(group[1:], `id="g-`); end >= 0 {
		group = group[:end+1]
	}
	var xs []float64
	for _, m := range regexp.MustCompile(`<a class="tl-mark"[^>]*><rect x="([0-9.]+)"`).FindAllStringSubmatch(group, -1) {
		x, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatalf("mark x %q: %v", m[1], err)
		}
		xs = append(xs, x)
	}
	return xs
}

func oneHitStore(durationMS int64) *memStore {
	store := demoStore()
	store.recs[1].DurationMS = durationMS
	store.cues["istac-launch/en"] = []archive.Cue{
		{StartMS: 10_000, EndMS: 14_000, Text: "Opening."},
		{StartMS: 109_000, EndMS: 112_000, Text: "A milestone."},
		{StartMS: 355_000, EndMS: 360_000, Text: "Thank you."},
	}
	store.result = archive.SearchResult{Total: 1, Page: 1, PerPage: 20, Hits: []archive.Hit{
		{RecordingID: "istac-launch", Title: "Launch of ISTAC", Lang: "en", StartMS: 109_000, EndMS: 112_000,
			Text: "A milestone.", Highlight: "A <mark>milestone</mark>."},
	}}
	return store
}

// A lone match at 1:49 of a 6:00 recording sits at 30 % of the strip,
// whether the length comes from the probed duration or, without one,
// from where the last cue ends.
func TestSearchStripIsScaledToTheRecording(t *testing.T) {
	for _, tc := range []struct {
		name       string
		durationMS int64
	}{
		{"probed duration", 360_000},
		{"no duration: last cue's end", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, pageServer(t, oneHitStore(tc.durationMS)), "/search?q=milestone", "Accept-Language", "en")
			xs := stripMarks(t, r.body, "istac-launch")
			if len(xs) != 1 {
				t.Fatalf("marks = %v; want one", xs)
			}
			if pct := xs[0] / 10; pct < 29 || pct > 31 {
				t.Errorf("mark for 1:49 of 6:00 at %.1f %% of the strip; want 30 ± 1 %%", pct)
			}
		})
	}
}

// Inside one recording the moments are listed in time order, whatever
// order the index ranked them in.
func TestSearchHitsOfARecordingInTimeOrder(t *testing.T) {
	store := demoStore()
	store.result = archive.SearchResult{Total: 3, Page: 1, PerPage: 20, Hits: []archive.Hit{
		{RecordingID: "istac-launch", Title: "Launch of ISTAC", Lang: "en", StartMS: 300_000, EndMS: 302_000, Text: "third"},
		{RecordingID: "istac-launch", Title: "Launch of ISTAC", Lang: "en", StartMS: 5_000, EndMS: 7_000, Text: "first"},
		{RecordingID: "istac-launch", Title: "Launch of ISTAC", Lang: "en", StartMS: 60_000, EndMS: 62_000, Text: "second"},
	}}
	r := get(t, pageServer(t, store), "/search?q=x", "Accept-Language", "en")
	a, b, c := strings.Index(r.body, ">first<"), strings.Index(r.body, ">second<"), strings.Index(r.body, ">third<")
	if a < 0 || b < 0 || c < 0 || a > b || b > c {
		t.Errorf("hits at 0:05, 1:00, 5:00 listed at offsets %d, %d, %d; want time order", a, b, c)
	}
}

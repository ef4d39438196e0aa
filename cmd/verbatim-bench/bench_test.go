package main

import (
	"bytes"
	"context"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/bench/search"
	"github.com/verbatim-archive/verbatim/internal/media"
)

func TestRowText(t *testing.T) {
	tests := []struct {
		r                 row
		ours, peer, ratio string
	}{
		{row{ours: 80, peerVal: 100, unit: "MiB/s", higherBetter: true}, "80.0 MiB/s", "100 MiB/s", "0.80×"},
		{row{ours: 1.5, peerVal: 3, unit: "ms"}, "1.50 ms", "3.00 ms", "0.50×"},
		{row{ours: 5, skipped: "skipped: nginx not installed", unit: "ms"}, "5.00 ms", "skipped: nginx not installed", "—"},
		{row{ours: math.NaN(), skipped: "not measured: boom"}, "—", "not measured: boom", "—"},
	}
	for _, tt := range tests {
		if got := tt.r.oursText(); got != tt.ours {
			t.Errorf("oursText(%+v) = %q; want %q", tt.r, got, tt.ours)
		}
		if got := tt.r.peerText(); got != tt.peer {
			t.Errorf("peerText(%+v) = %q; want %q", tt.r, got, tt.peer)
		}
		if got := tt.r.ratio(); got != tt.ratio {
			t.Errorf("ratio(%+v) = %q; want %q", tt.r, got, tt.ratio)
		}
	}
}

func TestWriteMarkdown(t *testing.T) {
	var b bytes.Buffer
	rows := []row{{section: "range", measure: "a|b", ours: 2, peer: "nginx", peerVal: 4, unit: "ms", note: "why"}}
	if err := writeMarkdown(&b, rows); err != nil {
		t.Fatal(err)
	}
	want := "| range | a\\|b | 2.00 ms | nginx | 4.00 ms | 0.50× | lower |\n"
	if !strings.Contains(b.String(), want) || !strings.Contains(b.String(), "- range / a|b: why") {
		t.Errorf("writeMarkdown = %q; want a row %q and the note", b.String(), want)
	}
}

func TestPatternIsDeterministic(t *testing.T) {
	a, _ := io.ReadAll(io.LimitReader(newPattern(3), 3<<20))
	b, _ := io.ReadAll(io.LimitReader(newPattern(3), 3<<20))
	if !bytes.Equal(a, b) || len(a) != 3<<20 {
		t.Fatalf("two patterns with one seed differ (or short: %d bytes)", len(a))
	}
	if bytes.Equal(a[:1<<20], bytes.Repeat([]byte{a[0]}, 1<<20)) {
		t.Error("pattern is constant")
	}
}

// TestMeasureRanges runs the range load against net/http's own file
// server: every request must come back 206 with the exact bytes counted.
func TestMeasureRanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.mp4")
	const size = 16 << 20
	if err := writeMediaFile(path, size); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, path) }))
	defer srv.Close()
	ctx := context.Background()
	if err := verifySame(ctx, srv.URL, path, size); err != nil {
		t.Fatalf("verifySame = %v", err)
	}
	res := measureRanges(ctx, srv.URL, size, 64<<10, 4, 200*time.Millisecond)
	if res.errors != 0 || res.requests == 0 || res.bytes != int64(res.requests)*64<<10 || len(res.ttfb) != res.requests {
		t.Errorf("measureRanges = %d requests, %d bytes, %d errors (first %v), %d TTFBs", res.requests, res.bytes, res.errors, res.firstErr, len(res.ttfb))
	}
	other := filepath.Join(t.TempDir(), "other")
	if err := os.WriteFile(other, bytes.Repeat([]byte("x"), size), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := verifySame(ctx, srv.URL, other, size); err == nil {
		t.Error("verifySame accepted a server that serves other bytes")
	}
}

func TestNginxServesTheFile(t *testing.T) {
	bin := findNginx()
	if bin == "" {
		t.Skip("nginx not installed")
	}
	e := &env{dir: t.TempDir(), log: io.Discard}
	defer e.close()
	root := filepath.Join(e.dir, "www")
	os.MkdirAll(root, 0o755)
	path := filepath.Join(root, "sample.mp4")
	if err := writeMediaFile(path, 1<<20); err != nil {
		t.Fatal(err)
	}
	base, err := e.startNginx(context.Background(), bin, root)
	if err != nil {
		t.Fatalf("startNginx = %v", err)
	}
	if err := verifySame(context.Background(), base+"/sample.mp4", path, 1<<20); err != nil {
		t.Errorf("nginx: %v", err)
	}
}

func TestGenSubtitles(t *testing.T) {
	srt, vtt := genSubtitles(50)
	if got := strings.Count(string(srt), " --> "); got != 50 {
		t.Errorf("SRT has %d timing lines; want 50", got)
	}
	if !strings.HasPrefix(string(vtt), "WEBVTT\n\n00:00:01.000 --> ") {
		t.Errorf("VTT starts %q", vtt[:40])
	}
}

func TestParseFlags(t *testing.T) {
	if _, err := parseFlags([]string{"-only", "range,nope"}, io.Discard); err == nil {
		t.Error("parseFlags accepted an unknown section")
	}
	c, err := parseFlags([]string{"-only", "upload", "-scale", "0.1"}, io.Discard)
	if err != nil || len(c.only) != 1 || c.only[0] != "upload" || c.scale != 0.1 {
		t.Errorf("parseFlags = %+v, %v", c, err)
	}
}

func TestSearchRows(t *testing.T) {
	// Figures that rounding to 0.1 ms would have turned into 2.0 / 0.1:
	// the ratio must come from the unrounded values.
	rep := &search.Report{
		Cues:  34304,
		Index: map[string]search.IndexFigures{"bleve": {Seconds: 32, CPUSeconds: 8, Bytes: 39 << 20}, "fts5": {Seconds: 2, CPUSeconds: 0.5, Bytes: 15 << 19}},
		Kinds: []string{"word1", "word1", "phrase2", "typo"},
		WallMS: map[string][]float64{
			"bleve": {2.04, 1.5, 1.2, 30}, "bleve lang": {1, 1.1, 0.9, 0.8}, "fts5": {0.0951, 0.05, 0.07, 0.01}, "rg": {30, 31, 29, 28},
		},
		CPUMS: map[string][]float64{
			"bleve": {1.9, 1.4, 1.1, 25}, "fts5": {0.09, 0.04, 0.06, 0.01},
		},
	}
	rows := searchRows(rep)
	got := map[string][2]float64{}
	for _, r := range rows {
		got[r.measure+" vs "+r.peer] = [2]float64{r.ours, r.peerVal}
	}
	want := map[string][2]float64{
		"indexing: cues/s vs SQLite FTS5":                             {1072, 17152},
		"index size vs SQLite FTS5":                                   {39, 7.5},
		"query p95 (all languages) vs SQLite FTS5":                    {30, 0.0951},
		"query p50 (all languages) vs ripgrep":                        {1.5, 29},
		"query p95 (filtered to the query's language) vs SQLite FTS5": {1.1, 0.0951},
		"query p95, all queries, wall (headline) vs aim":              {30, 20},
		"query p95, all queries, CPU vs aim":                          {25, 20},
		// the typo query is not an exact-word one: p95 of the other three
		"query p95, exact-word queries (word1, word2, word3, phrase2, phrase3), wall vs SQLite FTS5": {2.04, 0.0951},
		"query p95, exact-word queries (word1, word2, word3, phrase2, phrase3), CPU vs SQLite FTS5":  {1.9, 0.09},
		"query p50, word1, wall vs SQLite FTS5":                                                      {1.5, 0.05},
		"query p95, typo, wall vs SQLite FTS5":                                                       {30, 0.01},
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("searchRows: %s = %v; want %v", k, got[k], w)
		}
	}
	for _, r := range rows {
		if strings.HasPrefix(r.measure, "query p95, exact-word") && strings.HasSuffix(r.measure, "wall") {
			if q := r.ratio(); q != "21.45×" {
				t.Errorf("p95 ratio = %s; want 21.45× (2.04 / 0.0951, unrounded)", q)
			}
		}
	}
	if skipReason([]byte("--- SKIP: BenchmarkCompare\n    compare_test.go:58: rg not installed: exec: not found\n")) != "skipped: rg not installed" {
		t.Error("skipReason missed a skipped peer")
	}
}

// TestMediaFileProbes: the served and uploaded files must be media
// Verbatim keeps, or the server refuses the upload (415) and the range and
// upload sections measure nothing.
func TestMediaFileProbes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.mp4")
	const size = 3 << 20
	if err := writeMediaFile(path, size); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != size {
		t.Fatalf("writeMediaFile wrote %d bytes; want %d", fi.Size(), size)
	}
	if _, err := media.Probe(context.Background(), f, size, media.Limits{}); err != nil {
		t.Errorf("media.Probe(the bench's media file) = %v; want it accepted", err)
	}
}

// TestMixedNonMedia: the non-media figure is the pages and the API
// searches together, never a range read, and errors are counted apart.
func TestMixedNonMedia(t *testing.T) {
	r := &mixedResult{lat: map[string]latencies{}}
	r.add("page", 3*time.Millisecond, nil)
	r.add("search", 5*time.Millisecond, nil)
	r.add("range", 900*time.Millisecond, nil)
	r.add("search", time.Second, io.ErrUnexpectedEOF)
	if got, want := len(r.lat["non-media"]), 2; got != want {
		t.Fatalf("non-media counted %d requests; want %d (a page and a search)", got, want)
	}
	if got := r.lat["non-media"].pct(99); got != 5*time.Millisecond {
		t.Errorf("non-media p99 = %v; want 5ms (the range read is media)", got)
	}
	if got := len(r.lat["all"]); got != 3 || r.errors != 1 {
		t.Errorf("all = %d requests, %d errors; want 3 and 1", got, r.errors)
	}
}

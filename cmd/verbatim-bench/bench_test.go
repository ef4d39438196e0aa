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
)

func TestPct(t *testing.T) {
	var l latencies
	for i := 1; i <= 100; i++ {
		l = append(l, time.Duration(101-i)*time.Millisecond)
	}
	tests := []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {95, 95 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0, time.Millisecond}}
	for _, tt := range tests {
		if got := l.pct(tt.p); got != tt.want {
			t.Errorf("pct(%v) = %v; want %v", tt.p, got, tt.want)
		}
	}
	if got := latencies(nil).pct(50); got != 0 {
		t.Errorf("empty pct(50) = %v; want 0", got)
	}
}

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
	md := `Corpus: 10 recording-hours × 4 languages, 34304 cues.

| indexing | seconds | CPU seconds | cues/s | cues per CPU second | size on disk (MB) |
|---|---:|---:|---:|---:|---:|
| bleve | 32.0 | 9.0 | 1073 | 3821 | 39.0 |
| fts5 | 2.6 | 0.6 | 12979 | 60746 | 7.5 |

| kind | bleve | bleve lang | fts5 | rg | bleve p95 ÷ fts5 | bleve p95 ÷ rg |
|---|---:|---:|---:|---:|---:|---:|
| word1 | 15.0 / 113.5 / 340.4 | 8.6 / 24.9 / 38.6 | 0.2 / 0.8 / 1.8 | 36.2 / 82.4 / 148.5 | ×137.75 | ×1.38 |
| **all** | 9.1 / 58.8 / 117.0 | 2.9 / 15.0 / 24.4 | 0.1 / 0.4 / 0.9 | 38.8 / 112.5 / 221.1 | ×144.88 | ×0.52 |

| kind | bleve | bleve lang | fts5 | rg | bleve p95 ÷ fts5 | bleve p95 ÷ rg |
|---|---:|---:|---:|---:|---:|---:|
| **all** | 1 / 2 / 3 | 1 / 2 / 3 | 1 / 2 / 3 | 1 / 2 / 3 | ×1 | ×1 |
`
	rows, err := searchRows(md)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]float64{}
	for _, r := range rows {
		got[r.measure+" vs "+r.peer] = [2]float64{r.ours, r.peerVal}
	}
	want := map[string][2]float64{
		"indexing: cues/s vs SQLite FTS5":                             {1073, 12979},
		"index size vs SQLite FTS5":                                   {39, 7.5},
		"query p95 (all languages) vs SQLite FTS5":                    {58.8, 0.4},
		"query p99 (all languages) vs ripgrep":                        {117, 221.1},
		"query p50 (all languages) vs ripgrep":                        {9.1, 38.8},
		"query p95 (filtered to the query's language) vs SQLite FTS5": {15, 0.4},
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("searchRows: %s = %v; want %v", k, got[k], w)
		}
	}
	if skipReason([]byte("--- SKIP: BenchmarkCompare\n    compare_test.go:58: rg not installed: exec: not found\n")) != "skipped: rg not installed" {
		t.Error("skipReason missed a skipped peer")
	}
}

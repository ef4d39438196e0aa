package corpus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func small(t *testing.T) *Generator {
	t.Helper()
	g, err := New(Config{Seed: 3, Hours: 2, VocabSize: 2000})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func collect(g *Generator) []Recording {
	var rs []Recording
	for r := range g.Recordings() {
		rs = append(rs, r)
	}
	return rs
}

func TestDeterministic(t *testing.T) {
	a, b := collect(small(t)), collect(small(t))
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two generators with one config differ (-first +second):\n%s", diff)
	}
}

func TestShape(t *testing.T) {
	rs := collect(small(t))
	var cues, ms int64
	for _, r := range rs {
		if len(r.Tracks) != 4 {
			t.Fatalf("%s has %d tracks; want 4", r.ID, len(r.Tracks))
		}
		for _, tr := range r.Tracks {
			if len(tr.Cues) != len(r.Tracks[0].Cues) {
				t.Errorf("%s/%s has %d cues; want %d like %s", r.ID, tr.Lang, len(tr.Cues), len(r.Tracks[0].Cues), r.Tracks[0].Lang)
			}
			for i, c := range tr.Cues {
				d := c.EndMS - c.StartMS
				n := len(strings.Fields(c.Text))
				if d < 2000 || d > 6000 || n < 5 || n > 15 {
					t.Fatalf("%s/%s cue %d: %d ms, %d words; want 2–6 s, 5–15 words", r.ID, tr.Lang, i, d, n)
				}
				cues++
			}
		}
		ms += int64(r.duration().Milliseconds())
	}
	if h := float64(ms) / 3.6e6; h < 1.95 || h > 2.0 {
		t.Errorf("archive lasts %.2f h; want 2", h)
	}
	// About 900 cues per hour and language.
	if cues < 4*2*700 || cues > 4*2*1100 {
		t.Errorf("archive has %d cues; want about %d", cues, 4*2*900)
	}
}

// The most frequent word is much more frequent than a mid-rank one.
func TestZipf(t *testing.T) {
	g := small(t)
	counts := map[string]int{}
	for _, r := range collect(g) {
		for _, c := range r.Tracks[0].Cues {
			for _, w := range strings.Fields(strings.ToLower(strings.Trim(c.Text, ".?"))) {
				counts[strings.Trim(w, ",")]++
			}
		}
	}
	v := g.Vocabulary("en")
	top, mid := counts[v[0]], counts[v[200]]
	if top < 20*mid || mid == 0 {
		t.Errorf("count(%q) = %d, count(%q) = %d; want Zipf-like (top ≥ 20 × rank 200, rank 200 > 0)", v[0], top, v[200], mid)
	}
}

func TestQueriesAndSRT(t *testing.T) {
	g := small(t)
	rs := collect(g)
	qs := g.Queries(1, rs, 5)
	if len(qs) != 5*len(QueryKinds) {
		t.Fatalf("Queries made %d; want %d", len(qs), 5*len(QueryKinds))
	}
	dir := t.TempDir()
	if err := WriteSRT(dir, rs[0]); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, rs[0].ID+".de.srt"))
	if err != nil {
		t.Fatal(err)
	}
	c := rs[0].Tracks[3].Cues[1]
	want := "2\n" + srtTime(c.StartMS) + " --> " + srtTime(c.EndMS) + "\n" + c.Text + "\n\n"
	if !strings.Contains(string(b), want) {
		t.Errorf("SRT lacks cue 2 as %q", want)
	}
	if got := srtTime(3723004); got != "01:02:03,004" {
		t.Errorf("srtTime(3723004) = %q; want 01:02:03,004", got)
	}
}

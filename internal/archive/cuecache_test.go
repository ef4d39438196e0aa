package archive

import (
	"fmt"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/subtitle"
)

// TestCueCacheBounded: the cache never holds more than its budget, evicts
// the least recently used track first, refuses a track larger than the
// budget and hands out copies.
func TestCueCacheBounded(t *testing.T) {
	track := func(n int) []subtitle.Cue {
		cues := make([]subtitle.Cue, n)
		for i := range cues {
			cues[i] = subtitle.Cue{Text: strings.Repeat("x", 4)}
		}
		return cues
	}
	one := cuesSize(track(10)) // 10 cues of 100 bytes each
	if one != 1000 {
		t.Fatalf("cuesSize of 10 cues of 4 bytes = %d; want 1000", one)
	}
	c := newCueCache(3 * one)
	for i := range 3 {
		c.put(fmt.Sprint(i), track(10))
	}
	c.get("0") // 0 is now the most recent; 1 the least
	c.put("3", track(10))
	if c.lru.size > c.lru.limit {
		t.Errorf("cache holds %d bytes; budget %d", c.lru.size, c.lru.limit)
	}
	for key, want := range map[string]bool{"0": true, "1": false, "2": true, "3": true} {
		if _, ok := c.get(key); ok != want {
			t.Errorf("after evicting, get(%s) = %v; want %v", key, ok, want)
		}
	}
	c.put("big", track(31))
	if _, ok := c.get("big"); ok {
		t.Errorf("a track over the whole budget was cached")
	}
	got, _ := c.get("0")
	got[0].Text = "changed"
	if again, _ := c.get("0"); again[0].Text != "xxxx" {
		t.Errorf("changing a returned slice changed the cache: %q", again[0].Text)
	}
}

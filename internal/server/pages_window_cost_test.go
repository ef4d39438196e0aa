package server_test

import (
	"net/http"
	"runtime"
	"testing"
)

// TestWatchPageCostOfLongTrack: the watch page of a 5,000-cue track
// renders its 150-cue window, so the page stays small, and once the track
// is parsed (the cue cache) a view allocates little: the first view parses
// the stored track (38 MiB here before the cache, for every view).
func TestWatchPageCostOfLongTrack(t *testing.T) {
	ts := withLongTrack(t, 5000)
	get := func() (int, uint64) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		resp := ts.do(t, "GET", "/watch/long?t=3h&lang=en", "", nil)
		wantStatus(t, resp, http.StatusOK)
		n := len(readAll(t, resp))
		runtime.ReadMemStats(&after)
		return n, after.TotalAlloc - before.TotalAlloc
	}
	_, cold := get()
	size, alloc := get()
	t.Logf("watch page of a 5000-cue track: %d bytes; first view %d MiB allocated, next %d MiB", size, cold>>20, alloc>>20)
	if size > 64<<10 {
		t.Errorf("watch page is %d bytes; want at most 64 KiB (a 150-cue window)", size)
	}
	if alloc > 8<<20 {
		t.Errorf("a watch page view of a parsed track allocated %d MiB; want at most 8 MiB", alloc>>20)
	}
}

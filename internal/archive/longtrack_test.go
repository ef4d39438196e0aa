package archive_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// longVTT is a valid WebVTT track of n one-second cues of one word, 33
// bytes each: 480,000 nearly fill 16 MiB.
func longVTT(n int) []byte {
	var b strings.Builder
	b.Grow(n * 40)
	b.WriteString("WEBVTT\n\n")
	for i := range n {
		s := i
		fmt.Fprintf(&b, "%02d:%02d:%02d.000 --> %02d:%02d:%02d.900\nw\n\n", s/3600, s/60%60, s%60, s/3600, s/60%60, s%60)
	}
	return []byte(b.String())
}

// allocated returns the bytes f allocates (runtime.MemStats.TotalAlloc):
// every allocation counts, whether or not a collection ran in between.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestLongTrackRefusedCheaply: a 16 MiB track of 480,000 valid cues is
// refused with 413 naming its cue count and the 20,000 limit, and the
// refusal costs a small multiple of the file, not the cues it would
// become: the cues are counted before any is parsed.
func TestLongTrackRefusedCheaply(t *testing.T) {
	e := trackEnv(t)
	data := longVTT(480000)
	t.Logf("track: %d bytes", len(data))
	if len(data) > 16<<20 {
		t.Fatalf("the track is %d bytes, over the 16 MiB upload limit", len(data))
	}
	var err error
	n := allocated(func() {
		_, err = e.svc.PutTrack(context.Background(), editor, "r", archive.TrackUpload{Lang: "en", Name: "en.vtt", Data: data})
	})
	t.Logf("refusal allocated %d MiB", n>>20)
	if !errors.Is(err, archive.ErrTooLarge) || !strings.Contains(err.Error(), "480000 cue") || !strings.Contains(err.Error(), "the limit is 20000") {
		t.Fatalf("PutTrack of 480000 cues = %v; want ErrTooLarge naming 480000 and the limit 20000", err)
	}
	if limit := uint64(4 * len(data)); n > limit {
		t.Errorf("refusing a %d-byte track allocated %d bytes; want at most %d (4x the file)", len(data), n, limit)
	}
}

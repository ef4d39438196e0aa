package hostile

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// defaultMaxCues is the cue budget's default (VERBATIM_MAX_CUES).
const defaultMaxCues = 20000

// numberedTrack is a valid WebVTT file of n one-second cues whose texts
// name their number ("line 00042 of the long hearing").
func numberedTrack(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 64)
	b.WriteString("WEBVTT\n\n")
	for i := range n {
		fmt.Fprintf(&b, "%s --> %s\nline %05d of the long hearing\n\n", vttTime(i), vttTime(i+1), i)
	}
	return b.Bytes()
}

// tinyCues is a valid WebVTT file of as many minimal cues as fit in size
// bytes: the shape of the 16 MiB, 508,397-cue track of the issue.
func tinyCues(size int) []byte {
	var b bytes.Buffer
	b.Grow(size)
	b.WriteString("WEBVTT\n\n")
	for i := 0; ; i++ {
		cue := vttTime(i) + " --> " + vttTime(i+1) + "\nw\n\n"
		if b.Len()+len(cue) > size {
			return b.Bytes()
		}
		b.WriteString(cue)
	}
}

func vttTime(sec int) string {
	return fmt.Sprintf("%02d:%02d:%02d.000", sec/3600, sec/60%60, sec%60)
}

// TestLongTrack is defect 3: one large but valid track made the archive
// slow for everyone (16 MiB, 508,397 cues: 1.39 GB to upload, 7.5 GB to
// publish, and each anonymous /watch of it a 123 MB page costing 1.6 GB).
// Now a track over the cue budget is refused with a 4xx naming the cues,
// and a track just under it is accepted and its watch page shows a window
// of the transcript around the moment: four renders at once stay small,
// and the server's peak RSS stays under 192 MiB.
func TestLongTrack(t *testing.T) {
	t.Parallel() // waits on timeouts or indexing: overlaps with the others after the serial cases
	s := start(t)
	s.createRecording("longtrack", "published")

	big := tinyCues(16<<20 - 1024)
	rep := s.putTrack("longtrack", "en", big)
	if rep.status != http.StatusRequestEntityTooLarge && rep.status != http.StatusBadRequest {
		t.Errorf("PUT a 16 MiB track of %d cues = %d %s; want 413 or 400", bytes.Count(big, []byte(" --> ")), rep.status, short(string(rep.body)))
	} else if msg := errorMessage(rep.body); !strings.Contains(strings.ToLower(msg), "cue") {
		t.Errorf("refusing a track over the cue budget: message %q does not name the cues", msg)
	}
	s.alive()
	over := numberedTrack(defaultMaxCues + 1)
	if rep := s.putTrack("longtrack", "en", over); rep.status < 400 || rep.status >= 500 {
		t.Errorf("PUT a track of %d cues = %d %s; want a 4xx over the budget of %d", defaultMaxCues+1, rep.status, short(string(rep.body)), defaultMaxCues)
	}

	under := numberedTrack(defaultMaxCues - 1)
	if rep := s.putTrack("longtrack", "en", under); rep.status != http.StatusCreated {
		t.Fatalf("PUT a track of %d cues = %d %s; want 201", defaultMaxCues-1, rep.status, short(string(rep.body)))
	}
	s.alive()

	// The watch page is a window around the moment, not the whole track.
	const pageBound = 1 << 20
	at := 15000
	var wg sync.WaitGroup
	pages := make([]reply, 4)
	errs := make([]error, 4)
	for i := range pages {
		wg.Go(func() { pages[i], errs[i] = s.do(req{path: fmt.Sprintf("/watch/longtrack?t=%d", at)}) })
	}
	wg.Wait()
	for i, p := range pages {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if p.status != http.StatusOK {
			t.Fatalf("GET /watch/longtrack?t=%d = %d %s", at, p.status, short(string(p.body)))
		}
	}
	page := string(pages[0].body)
	t.Logf("watch page of a %d-cue track at t=%d: %d bytes", defaultMaxCues-1, at, len(page))
	if len(page) > pageBound {
		t.Errorf("watch page of a %d-cue track is %d bytes; want at most %d (a window of the transcript)", defaultMaxCues-1, len(page), pageBound)
	}
	if want := fmt.Sprintf("line %05d of", at); !strings.Contains(page, want) {
		t.Errorf("watch page at t=%d does not show %q", at, want)
	}
	if strings.Contains(page, "line 00100 of") {
		t.Errorf("watch page at t=%d still holds the cue at 100s: not a window", at)
	}
	if !strings.Contains(page, "?t=") && !strings.Contains(page, "&amp;t=") {
		t.Errorf("watch page at t=%d has no ?t= links to the rest of the transcript", at)
	}
	first := s.must(req{path: "/watch/longtrack"}, http.StatusOK)
	if !strings.Contains(string(first.body), "line 00000 of") || len(first.body) > pageBound {
		t.Errorf("watch page at the start: %d bytes, shows the first cue: %v", len(first.body), strings.Contains(string(first.body), "line 00000 of"))
	}
	s.alive()
	s.noErrorLogs()
	s.checkPeak(192 * mib)
}

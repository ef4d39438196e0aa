package hostile

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
)

// TestSlowEditorBodies is the rest of defect 2: a body that trickles or
// stalls was held for 70 s and more, and uploads were not capped. With the
// idle-read deadline at 3s and two upload slots, stalled uploads are cut
// with 408 about 3s after their last byte, an upload beyond the cap
// is refused at once with 503 and Retry-After, the freed slots take the
// next upload, and an upload that arrives slowly but steadily is never cut.
func TestSlowEditorBodies(t *testing.T) {
	t.Parallel() // waits on timeouts or indexing: overlaps with the others after the serial cases
	s := start(t, "VERBATIM_BODY_IDLE_TIMEOUT=3s", "VERBATIM_MAX_CONCURRENT_UPLOADS=2")
	auth := []string{"Authorization", "Bearer " + s.token}
	stalled := make(chan []attempt, 1)
	go func() {
		stall := func(w io.Writer) { io.WriteString(w, "WEBVTT\n\n") }
		stalled <- s.flood(2, http.MethodPut, "/api/v1/recordings/istac-launch/tracks/de", 1<<20, stall, 10*time.Second, auth...)
	}()
	// The stalled uploads take their slots once their heads are through the
	// middleware. Until then a third upload, to a recording that does not
	// exist, takes a free slot for an instant and is a 404; once both are
	// held it is refused. Probing at once would race the stalled uploads'
	// heads for the slots (one of them then answered 503 on a loaded
	// machine), so the probe starts after a pause far longer than a request
	// head takes and well inside the 3s idle deadline.
	time.Sleep(500 * time.Millisecond)
	var busy reply
	for try := 0; ; try++ {
		var err error
		busy, err = s.do(req{method: http.MethodPut, path: "/api/v1/recordings/nonexist/tracks/fr", body: bytes.NewReader(vtt("Ana: a third upload")), editor: true})
		if err != nil {
			t.Fatal(err)
		}
		if busy.status != http.StatusNotFound || try == 100 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if busy.status != http.StatusServiceUnavailable && busy.status != http.StatusTooManyRequests {
		t.Errorf("an upload beyond the cap = %d %s; want 503 or 429", busy.status, short(string(busy.body)))
	}
	if busy.header.Get("Retry-After") == "" {
		t.Errorf("an upload beyond the cap (%d) has no Retry-After", busy.status)
	}
	got := <-stalled
	expectAll(t, "2 editor track PUTs that stall", got, http.StatusRequestTimeout)
	for _, a := range got {
		if a.took > 7*time.Second {
			t.Errorf("a stalled upload was held %s; want it cut about 3s after its last byte", a.took.Round(time.Millisecond))
		}
	}
	if rep := s.putTrack("istac-launch", "fr", vtt("Ana: the slots are free again")); rep.status != http.StatusOK && rep.status != http.StatusCreated {
		t.Errorf("an upload after the stalled ones were cut = %d %s; want it to land", rep.status, short(string(rep.body)))
	}

	// Slow but steady: 5 KiB at 1 KiB a second, longer than the idle
	// deadline in all but never idle for it.
	trickle := &steady{data: mediatest.Sized(t, 5<<10), every: time.Second}
	rep, err := s.do(req{method: http.MethodPut, path: "/api/v1/recordings/istac-launch/media?name=slow.webm", body: trickle, size: 5 << 10, editor: true, timeout: 20 * time.Second})
	if err != nil || rep.status != http.StatusCreated {
		t.Errorf("a steady slow media upload = %d %s, %v; want 201", rep.status, short(string(rep.body)), err)
	}
	s.alive()
	s.noErrorLogs()
	s.checkPeak(64 * mib)
}

// steady yields left bytes, 1 KiB per read, one read every every.
type steady struct {
	data  []byte // sent 1 KiB at a time
	every time.Duration
	begun bool
}

func (r *steady) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	if r.begun {
		time.Sleep(r.every)
	}
	r.begun = true
	n := copy(p[:min(len(p), 1<<10)], r.data)
	r.data = r.data[n:]
	return n, nil
}

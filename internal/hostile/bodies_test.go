package hostile

import (
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// attempt is what one hand-driven upload got.
type attempt struct {
	status int
	err    error
	took   time.Duration
}

// flood opens n connections at once, each sending a request head for a
// body of length bytes and then feed's bytes, and reads each status line
// within wait.
func (s *server) flood(n int, method, path string, length int64, feed func(io.Writer), wait time.Duration, header ...string) []attempt {
	out := make([]attempt, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			begin := time.Now()
			c, err := s.dialHead(method, path, length, header...)
			if err != nil {
				out[i] = attempt{err: err}
				return
			}
			defer c.Close()
			go func() {
				c.SetWriteDeadline(time.Now().Add(wait))
				feed(c)
			}()
			st, err := c.status(wait)
			out[i] = attempt{status: st, err: err, took: time.Since(begin)}
		})
	}
	wg.Wait()
	return out
}

// expectAll fails the test for every attempt that did not answer want.
func expectAll(t *testing.T, what string, got []attempt, want int) {
	t.Helper()
	bad, slowest := 0, time.Duration(0)
	for _, a := range got {
		slowest = max(slowest, a.took)
		if a.err != nil || a.status != want {
			if bad < 3 {
				t.Errorf("%s: status %d, err %v after %s; want %d", what, a.status, a.err, a.took.Round(time.Millisecond), want)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d did not answer %d", what, bad, len(got), want)
	}
	t.Logf("%s: %d answered, slowest after %s", what, len(got), slowest.Round(time.Millisecond))
}

// TestBodiesAfterAuth is defect 2: a track PUT buffered its 16 MiB body
// before looking at the token (50 token-less uploads: 848 MB peak), and a
// body that never came was waited for without end (150 slow token-less
// uploads all held for 40 s). Now an upload without a token is a 401 before
// any of its body is read: 50 token-less 16 MiB PUTs at once and 150
// bodies that never arrive are all answered 401 within seconds, and the
// server's peak RSS stays under 96 MiB.
func TestBodiesAfterAuth(t *testing.T) {
	t.Parallel() // waits on timeouts or indexing: overlaps with the others after the serial cases
	s := start(t)
	full := func(w io.Writer) { io.Copy(w, &zeros{left: 16 * mib}) }
	expectAll(t, "50 token-less 16 MiB track PUTs",
		s.flood(50, http.MethodPut, trackPath, 16*mib, full, 10*time.Second), http.StatusUnauthorized)
	s.alive()

	stall := func(w io.Writer) { io.WriteString(w, "WEBVTT\n") }
	expectAll(t, "150 token-less track PUTs whose body never comes",
		s.flood(150, http.MethodPut, trackPath, 16*mib, stall, 5*time.Second), http.StatusUnauthorized)
	// A small announced body is what net/http would otherwise wait for
	// (it reads up to 256 KiB of an unread body before answering).
	expectAll(t, "20 token-less track PUTs of 1000 bytes whose body never comes",
		s.flood(20, http.MethodPut, trackPath, 1000, stall, 5*time.Second), http.StatusUnauthorized)
	expectAll(t, "20 token-less media PUTs whose body never comes",
		s.flood(20, http.MethodPut, "/api/v1/recordings/hrc47-side-event/media", 1<<30, stall, 5*time.Second), http.StatusUnauthorized)
	expectAll(t, "20 token-less JSON POSTs whose body never comes",
		s.flood(20, http.MethodPost, "/api/v1/recordings", 1<<20, stall, 5*time.Second, jsonBody...), http.StatusUnauthorized)
	expectAll(t, "20 token-less JSON POSTs of 100 bytes whose body never comes",
		s.flood(20, http.MethodPost, "/api/v1/recordings", 100, stall, 5*time.Second, jsonBody...), http.StatusUnauthorized)
	s.alive()
	s.noErrorLogs()
	s.checkPeak(96 * mib)
}

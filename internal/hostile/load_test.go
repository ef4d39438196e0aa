package hostile

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoadOrdinarySearch is the load bound: while four 100 KB
// queries, 50 token-less 16 MiB track PUTs and 150 slow bodies are in
// flight at once (each attacker starting again a quarter second after it
// is answered: the attack stays in flight without the suite's own client
// taking the CPU the server needs),
// an ordinary search keeps answering: each of 30 is a 200 that the server
// handled in under a second (its request log), at most 3 took a second or
// more as this shared machine's client saw them, and the server's peak RSS
// stays under 256 MiB.
func TestLoadOrdinarySearch(t *testing.T) {
	s := start(t)
	ctx, stop := context.WithCancel(context.Background())
	var attackers sync.WaitGroup
	var sent atomic.Int64
	pause := func() bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(250 * time.Millisecond):
			return true
		}
	}
	long := "/api/v1/search?q=" + url.QueryEscape(words(100<<10, 7))
	for range 4 {
		attackers.Go(func() {
			for ctx.Err() == nil {
				s.do(req{path: long, timeout: 5 * time.Second})
				sent.Add(1)
				pause()
			}
		})
	}
	for range 50 {
		attackers.Go(func() {
			for ctx.Err() == nil {
				c, err := s.dialHead(http.MethodPut, trackPath, 16*mib)
				if err == nil {
					go func() {
						c.SetWriteDeadline(time.Now().Add(5 * time.Second))
						io.Copy(c, &zeros{left: 16 * mib})
					}()
					c.status(5 * time.Second)
					c.Close()
					sent.Add(1)
				}
				pause()
			}
		})
	}
	for range 150 {
		attackers.Go(func() {
			for ctx.Err() == nil {
				c, err := s.dialHead(http.MethodPut, trackPath, 1*mib)
				if err == nil {
					done := make(chan struct{})
					go func() {
						defer close(done)
						c.status(10 * time.Second)
					}()
				drip:
					for {
						select {
						case <-done:
							break drip
						case <-ctx.Done():
							break drip
						case <-time.After(200 * time.Millisecond):
							c.SetWriteDeadline(time.Now().Add(time.Second))
							if _, err := c.Write([]byte("x")); err != nil {
								break drip
							}
						}
					}
					c.Close()
					<-done
					sent.Add(1)
				}
				pause()
			}
		})
	}

	time.Sleep(500 * time.Millisecond) // let the attack build up
	const attempts = 30
	took := make(map[string]time.Duration) // client-side round trip by request id
	for i := range attempts {
		rep, err := s.do(req{path: "/api/v1/search?q=protocol", timeout: 5 * time.Second})
		switch {
		case err != nil:
			t.Errorf("ordinary search %d under attack: %v", i, err)
		case rep.status != http.StatusOK:
			t.Errorf("ordinary search %d under attack = %d %s; want 200", i, rep.status, short(string(rep.body)))
		default:
			took[rep.header.Get("X-Request-Id")] = rep.took
		}
		if s.killed.Load() > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	attackers.Wait()

	// Each search as the server handled it (its request log), and as the
	// client saw it. The client's figure includes this test process's own
	// scheduling on a machine it shares, so a few attempts of 30 may pass
	// a second there; the server's may not.
	served := servedDurations(s.log.String())
	slowServer, slowClient, over := time.Duration(0), time.Duration(0), 0
	for id, d := range took {
		sd, ok := served[id]
		if !ok {
			t.Errorf("ordinary search %s is not in the server's request log", id)
			continue
		}
		if sd >= time.Second {
			t.Errorf("ordinary search %s under attack took the server %s; want under 1s", id, sd.Round(time.Millisecond))
		}
		if d >= time.Second {
			over++
		}
		slowServer, slowClient = max(slowServer, sd), max(slowClient, d)
	}
	if over > attempts/10 || slowClient >= 5*time.Second {
		t.Errorf("%d of %d ordinary searches under attack took a second or more at the client (slowest %s); want at most %d, none over 5s", over, attempts, slowClient.Round(time.Millisecond), attempts/10)
	}
	t.Logf("%d ordinary searches under attack: slowest %s in the server, %s at the client (%d at a second or more); %d attack requests answered",
		len(took), slowServer.Round(time.Millisecond), slowClient.Round(time.Millisecond), over, sent.Load())
	s.alive()
	s.noErrorLogs()
	s.checkPeak(overallBound)
}

var servedLine = regexp.MustCompile(`msg=request .*duration=(\S+) .*request_id=(\S+)`)

// servedDurations reads the handling time of each request from the
// server's request log, by request id.
func servedDurations(log string) map[string]time.Duration {
	out := map[string]time.Duration{}
	for line := range strings.Lines(log) {
		if m := servedLine.FindStringSubmatch(line); m != nil {
			if d, err := time.ParseDuration(m[1]); err == nil {
				out[m[2]] = d
			}
		}
	}
	return out
}

package hostile

import (
	"context"
	"io"
	"net/http"
	"net/url"
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
// an ordinary search keeps answering, every one of them in under a second,
// and the server's peak RSS stays under 256 MiB.
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
	slowest := time.Duration(0)
	for i := range attempts {
		rep, err := s.do(req{path: "/api/v1/search?q=protocol", timeout: 5 * time.Second})
		switch {
		case err != nil:
			t.Errorf("ordinary search %d under attack: %v", i, err)
		case rep.status != http.StatusOK:
			t.Errorf("ordinary search %d under attack = %d %s; want 200", i, rep.status, short(string(rep.body)))
		case rep.took >= time.Second:
			t.Errorf("ordinary search %d under attack took %s; want under 1s", i, rep.took.Round(time.Millisecond))
		}
		slowest = max(slowest, rep.took)
		if s.killed.Load() > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	attackers.Wait()
	t.Logf("%d ordinary searches under attack, slowest %s; %d attack requests answered", attempts, slowest.Round(time.Millisecond), sent.Load())
	s.alive()
	s.noErrorLogs()
	s.checkPeak(overallBound)
}

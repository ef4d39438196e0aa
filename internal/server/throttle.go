package server

import (
	"sync"
	"time"
)

// throttle counts failed sign-ins per key (an account name, a client
// address) in a sliding window and refuses more once a key has reached its
// limit, until its oldest failure leaves the window. It is per instance:
// behind N instances an attacker gets at most N times the limit, which
// still turns an online guess into a crawl. Memory is bounded by maxKeys.
type throttle struct {
	limit   int
	window  time.Duration
	maxKeys int

	mu       sync.Mutex
	failures map[string][]time.Time
}

func newThrottle(limit int, window time.Duration) *throttle {
	return &throttle{limit: limit, window: window, maxKeys: 10000, failures: map[string][]time.Time{}}
}

// wait is how long key must wait before trying again (0: it may try now).
func (t *throttle) wait(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.prune(key, now)
	if len(f) < t.limit {
		return 0
	}
	return f[0].Add(t.window).Sub(now)
}

// fail records a failed attempt by key.
func (t *throttle) fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.prune(key, now)
	if f == nil && len(t.failures) >= t.maxKeys {
		t.sweep(now)
		if len(t.failures) >= t.maxKeys {
			return // full of live keys: keep counting those we have
		}
	}
	if len(f) >= t.limit {
		f = f[1:]
	}
	t.failures[key] = append(f, now)
}

// forget clears key after a successful sign-in.
func (t *throttle) forget(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, key)
}

func (t *throttle) prune(key string, now time.Time) []time.Time {
	f := t.failures[key]
	i := 0
	for i < len(f) && now.Sub(f[i]) >= t.window {
		i++
	}
	if i == len(f) {
		delete(t.failures, key)
		return nil
	}
	f = f[i:]
	t.failures[key] = f
	return f
}

func (t *throttle) sweep(now time.Time) {
	for k := range t.failures {
		t.prune(k, now)
	}
}

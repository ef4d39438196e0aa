package server

import (
	"fmt"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

// slots caps how many requests of one kind run at once. A request over the
// cap is answered at once (503 busy, Retry-After) rather than queued, so a
// burst cannot pile up connections and buffers.
type slots struct {
	what  string
	free  chan struct{}
	retry time.Duration
}

func newSlots(what string, n int, retry time.Duration) *slots {
	return &slots{what: what, free: make(chan struct{}, n), retry: retry}
}

func (l *slots) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		select {
		case l.free <- struct{}{}:
		default:
			return &busyError{what: l.what, n: cap(l.free), retry: l.retry}
		}
		defer func() { <-l.free }()
		return next(c)
	}
}

// busyError is a request refused for want of capacity: 503 busy with
// Retry-After (see classify and handleError).
type busyError struct {
	what  string
	n     int
	retry time.Duration
}

func (e *busyError) Error() string {
	return fmt.Sprintf("server: %d %s already running; try again in %s", e.n, e.what, e.retry)
}

func (e *busyError) retryAfter() string {
	return strconv.Itoa(int(max(e.retry, time.Second) / time.Second))
}

package server

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

// limiter caps how many requests of one kind run at once. A request that
// finds every slot taken waits at most wait for one (0: not at all), among
// at most 32n others, and is then refused with busyError (503 busy,
// Retry-After): load beyond what the server can do is shed quickly, never
// queued without bound.
//
// The server has two: uploads (no wait) and expensive requests — search
// and page renders (a short wait, VERBATIM_SEARCH_WAIT).
type limiter struct {
	what    string        // for the message: "uploads", "expensive requests"
	slots   chan struct{} // a token per running request
	waiting chan struct{} // a token per waiting request
	wait    time.Duration
	retry   time.Duration // what Retry-After suggests
}

// newLimiter allows n at once; another request waits up to wait, and is
// told to retry after retry (at least a second) when refused. Room for 32n
// waiting lets a burst of ordinary viewers (the benchmark's 100 at once)
// queue briefly instead of being refused, while the wait bounds how long
// any of them is held.
func newLimiter(what string, n int, wait, retry time.Duration) *limiter {
	n = max(n, 1)
	return &limiter{what: what, slots: make(chan struct{}, n), waiting: make(chan struct{}, 32*n),
		wait: max(wait, 0), retry: max(retry, time.Second)}
}

// acquire takes a slot, waiting as long as the limiter allows or ctx
// lasts. It returns the function that gives the slot back.
func (l *limiter) acquire(ctx context.Context) (release func(), err error) {
	release = func() { <-l.slots }
	select {
	case l.slots <- struct{}{}:
		return release, nil
	default:
	}
	if l.wait == 0 {
		return nil, l.busy()
	}
	select {
	case l.waiting <- struct{}{}:
		defer func() { <-l.waiting }()
	default:
		return nil, l.busy()
	}
	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return release, nil
	case <-t.C:
		return nil, l.busy()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l *limiter) busy() error { return &busyError{what: l.what, n: cap(l.slots), retry: l.retry} }

// inUse is how many slots are taken.
func (l *limiter) inUse() int { return len(l.slots) }

// middleware runs the handler in a slot. A refused request gets
// Retry-After and answers through onBusy: asError for the JSON API (the
// error handler answers), the error page for pages.
func (l *limiter) middleware(onBusy func(echo.Context, error) error) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			release, err := l.acquire(c.Request().Context())
			if err != nil {
				var be *busyError
				if errors.As(err, &be) {
					c.Response().Header().Set("Retry-After", be.retryAfter())
					return onBusy(c, err)
				}
				return err
			}
			defer release()
			return next(c)
		}
	}
}

// asError answers a refused API request with the JSON error.
func asError(_ echo.Context, err error) error { return err }

// busyError is a request refused for want of capacity: 503 busy with
// Retry-After (see classify and handleError); it is not logged as a
// failure.
type busyError struct {
	what  string
	n     int
	retry time.Duration
}

func (e *busyError) Error() string {
	return fmt.Sprintf("server: %d %s already running; try again in %s", e.n, e.what, e.retry)
}

// retryAfter is the Retry-After value: whole seconds, at least one.
func (e *busyError) retryAfter() string {
	return strconv.Itoa(int((max(e.retry, time.Second) + time.Second - 1) / time.Second))
}

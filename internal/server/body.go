package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"
)

// mediaUploadPath is the one route whose body may take hours: it has an
// idle deadline only. Every other body (JSON, subtitle files) must also
// arrive whole within SmallBodyTimeout.
const mediaUploadPath = "/api/v1/recordings/:id/media"

// bodyDeadlines puts a deadline on every read of a request body: each Read
// must make progress within BodyIdleTimeout, so a trickling or stalled body
// is cut while a large upload at a steady rate runs as long as it takes,
// and a small body must be complete within SmallBodyTimeout. A body cut
// this way answers 408.
func (s *Server) bodyDeadlines(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Body == nil || req.Body == http.NoBody {
			return next(c)
		}
		b := &deadlineBody{body: req.Body, rc: http.NewResponseController(c.Response()), idle: s.opts.BodyIdleTimeout}
		if c.Path() != mediaUploadPath {
			b.total, b.until = s.opts.SmallBodyTimeout, time.Now().Add(s.opts.SmallBodyTimeout)
		}
		req.Body = b
		return next(c)
	}
}

// deadlineBody extends the connection's read deadline as long as bytes
// arrive. It moves the deadline at most every idle/8, so a fast upload does
// not pay for a timer update on every Read.
type deadlineBody struct {
	body  io.ReadCloser
	rc    *http.ResponseController
	idle  time.Duration
	total time.Duration
	until time.Time // zero: no overall deadline
	set   time.Time // when the deadline was last moved
	off   bool      // EOF seen or deadlines unsupported
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	if b.off {
		return b.body.Read(p)
	}
	if now := time.Now(); now.Sub(b.set) > b.idle/8 {
		d := now.Add(b.idle)
		if !b.until.IsZero() && b.until.Before(d) {
			d = b.until
		}
		if err := b.rc.SetReadDeadline(d); err != nil {
			b.off = true // not a real connection (a test recorder)
			return b.body.Read(p)
		}
		b.set = now
	}
	n, err := b.body.Read(p)
	switch {
	case err == io.EOF:
		// Done: net/http now watches the connection for the client going
		// away, and a deadline left behind would cancel the request.
		b.off = true
		_ = b.rc.SetReadDeadline(time.Time{})
	case errors.Is(err, os.ErrDeadlineExceeded):
		if !b.until.IsZero() && !time.Now().Before(b.until) {
			return n, echo.NewHTTPError(http.StatusRequestTimeout, fmt.Sprintf("the body did not arrive whole within %s", b.total)).SetInternal(err)
		}
		return n, echo.NewHTTPError(http.StatusRequestTimeout, fmt.Sprintf("the body stalled: no data for %s", b.idle)).SetInternal(err)
	}
	return n, err
}

func (b *deadlineBody) Close() error { return b.body.Close() }

// bodyTimedOut tells the error of a body cut by its deadline (408).
func bodyTimedOut(err error) bool {
	var he *echo.HTTPError
	return errors.As(err, &he) && he.Code == http.StatusRequestTimeout
}

package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/subtitle"
)

// errorBody is every error response: {"error": {"code", "message"}}, plus
// line and reason for a rejected subtitle file.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Line    int    `json:"line,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// RequestID is the request's X-Request-Id, to find it in the logs.
	RequestID string `json:"request_id,omitempty"`
}

// statuses maps the archive's sentinels to HTTP, in the order checked,
// with the message a client gets when the error carries no safe one of its
// own (see classify).
var statuses = []struct {
	err     error
	status  int
	code    string
	message string
}{
	{archive.ErrInvalid, http.StatusBadRequest, "invalid", "invalid input"},
	{archive.ErrUnauthorized, http.StatusUnauthorized, "unauthorized", "sign in first"},
	{archive.ErrForbidden, http.StatusForbidden, "forbidden", "not allowed"},
	{archive.ErrNotFound, http.StatusNotFound, "not_found", "not found"},
	{archive.ErrConflict, http.StatusConflict, "conflict", "conflict with the stored state"},
	{archive.ErrPrecondition, http.StatusPreconditionFailed, "precondition_failed", "precondition failed"},
	{archive.ErrTooLarge, http.StatusRequestEntityTooLarge, "too_large", "too large"},
	{archive.ErrUnsupported, http.StatusUnsupportedMediaType, "unsupported_format", "unsupported format"},
	{archive.ErrRangeNotSatisfy, http.StatusRequestedRangeNotSatisfiable, "range_not_satisfiable", "range not satisfiable"},
	{archive.ErrUnavailable, http.StatusServiceUnavailable, "unavailable", "a dependency is unavailable, try again shortly"},
	{context.DeadlineExceeded, http.StatusServiceUnavailable, "timeout", "the request took too long, try again shortly"},
}

// unreadBodyGrace is how long an error answer waits for the rest of a body
// its handler did not read (net/http drains up to 256 KiB of it first).
const unreadBodyGrace = time.Second

// classify finds the status, code and client-facing message of err. The
// message is never err.Error(): that may hold storage keys, paths and the
// words of a wrapped adapter error, which belong in the server log only.
// It comes from the *archive.Error or *subtitle.Error in the chain, whose
// messages are written for clients, or else is the sentinel's own text.
func classify(err error) (int, errorDetail) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok {
			msg = m
		}
		return he.Code, errorDetail{Code: codeFor(he.Code), Message: msg}
	}
	var be *busyError
	if errors.As(err, &be) {
		return http.StatusServiceUnavailable, errorDetail{Code: "busy", Message: be.Error()[len("server: "):]}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge, errorDetail{Code: "too_large", Message: fmt.Sprintf("the body is larger than the limit of %d bytes", mbe.Limit)}
	}
	for _, m := range statuses {
		if !errors.Is(err, m.err) {
			continue
		}
		d := errorDetail{Code: m.code, Message: m.message}
		var ae *archive.Error
		if errors.As(err, &ae) {
			d.Message = ae.ClientMessage()
		}
		var se *subtitle.Error
		if errors.As(err, &se) {
			d.Code, d.Line, d.Reason = "invalid_subtitle", se.Line, se.Reason
			d.Message = "subtitle file rejected: " + se.Error()
			if m.status == http.StatusUnsupportedMediaType {
				d.Code = "not_a_subtitle"
			}
		}
		return m.status, d
	}
	return http.StatusInternalServerError, errorDetail{Code: "internal", Message: "internal error"}
}

func codeFor(status int) string {
	for _, m := range statuses {
		if m.status == status {
			return m.code
		}
	}
	switch status {
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestTimeout:
		return "request_timeout"
	case http.StatusServiceUnavailable:
		return "unavailable"
	case http.StatusNotImplemented:
		return "not_implemented"
	}
	if status >= 500 {
		return "internal"
	}
	return "bad_request"
}

// handleError is the one place errors become responses. Only 5xx are
// logged here; the request logger records every request.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		// Already answered: the request logger hands errors here first and
		// Echo then passes the same error again.
		return
	}
	if !bodyTimedOut(err) && s.cancelled(c, err) {
		// (A body cut by its deadline ends the connection's context too,
		// but the client is there and is told why: 408.)
		return
	}
	if r := c.Request(); r.ContentLength != 0 || len(r.TransferEncoding) > 0 {
		// A refused request may not have had its body read (a token-less
		// upload is refused before): net/http reads up to 256 KiB of it
		// before answering, and that read must not wait without end for a
		// body that never comes.
		_ = http.NewResponseController(c.Response()).SetReadDeadline(time.Now().Add(unreadBodyGrace))
	}
	status, d := classify(err)
	var be *busyError
	if errors.As(err, &be) {
		// Refused for capacity: expected under load, not an outage.
		c.Response().Header().Set("Retry-After", be.retryAfter())
	}
	if isFailure(status, err) {
		s.log.LogAttrs(c.Request().Context(), slog.LevelError, "request failed",
			slog.String("method", c.Request().Method), slog.String("route", routeOf(c)),
			slog.Int("status", status), slog.String("request_id", requestIDOf(c)), slog.String("err", err.Error()))
	}
	if status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="verbatim"`)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if s.pg != nil && (c.Path() == "" || isEditorPage(c.Path())) && acceptsHTML(c.Request()) {
		// No route matched, or an editor page failed, and a browser
		// asked: a page in its language rather than JSON. API clients
		// still get JSON.
		if s.pg.renderError(c, err) == nil {
			return
		}
	}
	d.RequestID = requestIDOf(c)
	_ = c.JSON(status, errorBody{Error: d})
}

// statusClientClosed is the status recorded (never sent: nobody is
// listening) for a request whose client went away, as nginx's 499.
const statusClientClosed = 499

// cancelled handles a request whose context was cancelled: the client
// disconnected, or the shutdown grace ran out. Neither is a server error:
// it is logged at INFO, recorded as 499 (client) or 503 (shutdown) for the
// request log and the metrics, and no body is written. A request whose own
// timeout expired is not cancelled but timed out; classify answers that.
func (s *Server) cancelled(c echo.Context, err error) bool {
	ctx, ok := c.Get(connCtxKey).(context.Context)
	if !ok || !errors.Is(ctx.Err(), context.Canceled) {
		return false
	}
	status, msg := statusClientClosed, "request cancelled by the client"
	if errors.Is(context.Cause(ctx), errShutdown) {
		status, msg = http.StatusServiceUnavailable, "request cut at shutdown (grace period over)"
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, msg,
		slog.String("method", c.Request().Method), slog.String("route", routeOf(c)),
		slog.String("request_id", requestIDOf(c)), slog.String("err", err.Error()))
	if status == statusClientClosed {
		c.Response().Status = status // for the request log and metrics; nobody reads an answer
		return true
	}
	// At shutdown the connection is about to close; say why if it is not.
	c.Response().Header().Set("Retry-After", "1")
	_ = c.JSON(status, errorBody{Error: errorDetail{Code: "unavailable", Message: "the server is shutting down; retry", RequestID: requestIDOf(c)}})
	return true
}

// isFailure tells the errors logged as the server's failures: 5xx, except
// load shed on purpose (busyError), which the request log records, and
// 501, a format the server does not offer (oEmbed's XML).
func isFailure(status int, err error) bool {
	var be *busyError
	return status >= 500 && status != http.StatusNotImplemented && !errors.As(err, &be)
}

// acceptsHTML tells a browser's navigation from an API client.
func acceptsHTML(r *http.Request) bool {
	return !strings.HasPrefix(r.URL.Path, "/api/") && strings.Contains(r.Header.Get("Accept"), "text/html")
}

// isEditorPage tells the sign-in and editor pages' routes, whose errors a
// browser should see as pages.
func isEditorPage(route string) bool {
	return route == "/login" || route == "/logout" || route == "/edit" || strings.HasPrefix(route, "/edit/") || strings.HasPrefix(route, "/admin/")
}

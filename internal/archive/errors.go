package archive

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Adapters and the Service wrap one of these (with %w) so
// that internal/server can map any failure to an HTTP status in one place.
var (
	ErrNotFound        = errors.New("not found")
	ErrInvalid         = errors.New("invalid input")
	ErrConflict        = errors.New("conflict")
	ErrPrecondition    = errors.New("precondition failed")
	ErrUnauthorized    = errors.New("unauthorized")
	ErrForbidden       = errors.New("forbidden")
	ErrTooLarge        = errors.New("too large")
	ErrUnsupported     = errors.New("unsupported format")
	ErrUnavailable     = errors.New("dependency unavailable")
	ErrRangeNotSatisfy = errors.New("range not satisfiable")
)

// Error is a failure the archive explains to whoever asked. Message is
// safe to show any client: it never holds a storage key, a path or the text
// of a wrapped adapter error. Those stay in Error() (and so in the server
// log) through Where and Err. Kind is one of the sentinels above.
//
// internal/server shows a client Message, never Error(): a failure that
// carries no *Error reaches clients only as its sentinel's own text.
type Error struct {
	Kind    error  // ErrNotFound, ErrInvalid, …
	Where   string // "archive: get leaktest", for the log
	Message string // for the client; "" means Kind's text
	Err     error  // the cause, for the log; may be nil
}

// NewError returns an *Error of kind with a client-safe message. Format
// and arguments must not carry storage keys, paths or adapter errors; the
// cause, if any, belongs in Error.Err.
func NewError(kind error, format string, a ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, a...)}
}

func (e *Error) Error() string {
	var b strings.Builder
	for _, part := range []string{e.Where, e.Message} {
		if part != "" {
			b.WriteString(part + ": ")
		}
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error() + ": ")
	}
	b.WriteString(e.Kind.Error())
	return b.String()
}

func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// ClientMessage is what a client is told about e.
func (e *Error) ClientMessage() string {
	if e.Message == "" {
		return e.Kind.Error()
	}
	return e.Message
}

// The not-found messages. A draft a viewer may not see and a recording that
// does not exist get the very same one, so that a probe cannot tell them
// apart.
const (
	msgNoRecording = "recording not found"
	msgNoTrack     = "track not found"
	msgNoMedia     = "media not found"
	msgNoQuote     = "quote not found"
)

// notFound is the one not-found error of the archive: what names the kind
// of thing (msgNoRecording, …), cause is the store's error (kept for the
// log only) or nil.
func notFound(op, id, what string, cause error) error {
	return &Error{Kind: ErrNotFound, Where: "archive: " + op + " " + id, Message: what, Err: cause}
}

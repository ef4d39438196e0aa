package archive

import "errors"

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

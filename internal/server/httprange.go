package server

import (
	"errors"
	"strconv"
	"strings"
)

var (
	errUnsatisfiable = errors.New("range not satisfiable")
	errBadRange      = errors.New("malformed or multiple range")
)

type byteRange struct {
	start, length int64
}

// parseRange reads a single "bytes=" range against an object of size
// bytes. Malformed headers and multiple ranges return errBadRange (serve
// the whole object); syntactically fine ranges that select nothing return
// errUnsatisfiable (416).
func parseRange(h string, size int64) (byteRange, error) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return byteRange{}, errBadRange
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return byteRange{}, errBadRange
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if first == "" { // suffix: the last N bytes
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n < 0 {
			return byteRange{}, errBadRange
		}
		if n == 0 || size == 0 {
			return byteRange{}, errUnsatisfiable
		}
		n = min(n, size)
		return byteRange{start: size - n, length: n}, nil
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil || start < 0 {
		return byteRange{}, errBadRange
	}
	end := size - 1
	if last != "" {
		if end, err = strconv.ParseInt(last, 10, 64); err != nil || end < start {
			return byteRange{}, errBadRange
		}
		end = min(end, size-1)
	}
	if start >= size {
		return byteRange{}, errUnsatisfiable
	}
	return byteRange{start: start, length: end - start + 1}, nil
}

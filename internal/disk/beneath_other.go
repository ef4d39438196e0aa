//go:build !linux

package disk

import (
	"errors"
	"os"
)

// beneath is Linux's one-call confined open (beneath_linux.go); elsewhere
// every open goes through os.Root.
type beneath struct{}

var errFallback = errors.New("disk: ask os.Root")

func openBeneath(*os.Root) *beneath { return nil }

func (*beneath) close() error { return nil }

func (*beneath) openRead(string) (*os.File, error) { return nil, errFallback }

func (*beneath) version(string) (string, error) { return "", errFallback }

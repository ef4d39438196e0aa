package disk_test

import (
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/blobtest"
	"github.com/verbatim-archive/verbatim/internal/disk"
)

// open returns a store on a new temporary directory.
func open(t *testing.T) *disk.Store {
	t.Helper()
	s, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) archive.Blobs { return open(t) })
}

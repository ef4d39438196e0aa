package bleveindex

import (
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/indextest"
)

func openMem(t *testing.T) archive.Index {
	t.Helper()
	x, err := OpenMem()
	if err != nil {
		t.Fatalf("OpenMem: %v", err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

func TestConformanceMem(t *testing.T) { indextest.Run(t, openMem) }

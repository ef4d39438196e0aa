package bleveindex

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// TestIndexFilesArePrivate: the index holds the archive's words; what this
// package creates is readable by the server's user only.
func TestIndexFilesArePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Put(context.Background(), "r", []archive.CueDoc{doc("r", "en", 0, "private words")}); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if perm := info.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %o; want no access for group or others", p, perm)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

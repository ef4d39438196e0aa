package disk_test

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/disk"
)

// privateTree fails for any file or directory under dir that its group or
// others may access, and returns the names it saw.
func privateTree(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
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
		names = append(names, d.Name())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestStoreFilesArePrivate: objects, sidecars, lock files, temporary files
// and every directory of the store (accounts/ included) are the server
// user's alone: 0600 and 0700.
func TestStoreFilesArePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "objects")
	s, err := disk.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, key := range []string{"accounts/ana.json", "recordings/r/manifest.json", "recordings/r/tracks/en.abc.vtt"} {
		if _, err := s.Put(ctx, key, strings.NewReader("{}"), 2, archive.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}

	// A temporary file, caught while an upload is under way.
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := s.Put(ctx, "recordings/r/media/big.mp4", pr, -1, archive.PutOptions{})
		done <- err
	}()
	pw.Write(bytes.Repeat([]byte("m"), 1000))
	var sawTemp bool
	for deadline := time.Now().Add(5 * time.Second); !sawTemp && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		for _, n := range privateTree(t, dir) {
			sawTemp = sawTemp || strings.HasPrefix(n, ".tmp-")
		}
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !sawTemp {
		t.Error("no temporary file seen during the upload")
	}
	names := privateTree(t, dir)
	if len(names) < 8 {
		t.Errorf("walked only %v; want objects, sidecars and directories", names)
	}
}

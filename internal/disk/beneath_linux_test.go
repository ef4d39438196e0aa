package disk

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// TestBeneathAnswersLikeRoot: the one-call open answers for ordinary keys
// (so media reads take it), with the bytes and the version token os.Root
// gives, and leaves every symlink and every escape to os.Root.
func TestBeneathAnswersLikeRoot(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.beneath == nil {
		t.Fatal("Open on Linux has no one-call open")
	}
	const key = "recordings/r/media/a.mp4"
	if _, err := s.Put(t.Context(), key, strings.NewReader("0123456789"), 10, archive.PutOptions{}); err != nil {
		t.Fatal(err)
	}

	f, err := s.beneath.openRead(key)
	if err != nil {
		t.Fatalf("beneath.openRead(%q) = %v; want the file", key, err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if string(got) != "0123456789" {
		t.Errorf("beneath.openRead(%q) reads %q; want %q", key, got, "0123456789")
	}
	fast, err := s.beneath.version(key)
	if err != nil {
		t.Fatalf("beneath.version(%q) = %v", key, err)
	}
	slow, err := s.rootVersion(key)
	if err != nil || fast != slow {
		t.Errorf("beneath.version(%q) = %q; os.Root's = %q (%v); want the same token", key, fast, slow, err)
	}
	if _, err := s.beneath.openRead("recordings/r/media/none.mp4"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("beneath.openRead(missing) = %v; want fs.ErrNotExist", err)
	}

	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "x"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(s.Dir(), "evil")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("media", filepath.Join(s.Dir(), "recordings/r/alias")); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"evil/x", "recordings/r/alias/a.mp4"} {
		if _, err := s.beneath.openRead(k); !errors.Is(err, errFallback) {
			t.Errorf("beneath.openRead(%q) = %v; want errFallback (symlinks are os.Root's)", k, err)
		}
		if _, err := s.beneath.version(k); !errors.Is(err, errFallback) {
			t.Errorf("beneath.version(%q) = %v; want errFallback", k, err)
		}
	}
	if rc, err := s.OpenRange(t.Context(), "evil/x", 0, -1); err == nil {
		rc.Close()
		t.Error("OpenRange through a symlink leaving the store = nil error; want a refusal")
	}
	if _, err := s.Version(t.Context(), "evil/x"); err == nil {
		t.Error("Version through a symlink leaving the store = nil error; want a refusal")
	}

	// A FIFO where an object should be: the open must not hang, and it is
	// no object.
	fifo := "recordings/r/media/fifo.mp4"
	if err := syscall.Mkfifo(filepath.Join(s.Dir(), fifo), 0o644); err != nil {
		t.Fatal(err)
	}
	if rc, err := s.OpenRange(t.Context(), fifo, 0, -1); !errors.Is(err, archive.ErrNotFound) {
		if err == nil {
			rc.Close()
		}
		t.Errorf("OpenRange(a FIFO) = %v; want ErrNotFound", err)
	}
	if _, err := s.Version(t.Context(), fifo); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("Version(a FIFO) = %v; want ErrNotFound", err)
	}
}

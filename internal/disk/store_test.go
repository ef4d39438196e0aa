package disk_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/blobtest"
	"github.com/verbatim-archive/verbatim/internal/disk"
)

func put(t *testing.T, s *disk.Store, key, body string, opts archive.PutOptions) archive.BlobInfo {
	t.Helper()
	info, err := s.Put(t.Context(), key, strings.NewReader(body), int64(len(body)), opts)
	if err != nil {
		t.Fatalf("Put(%q) = %v", key, err)
	}
	return info
}

// files lists every name under dir, relative and slash-separated.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func TestObjectsArePlainFiles(t *testing.T) {
	s := open(t)
	put(t, s, "recordings/r1/tracks/en.vtt", "WEBVTT\n", archive.PutOptions{})
	got, err := os.ReadFile(filepath.Join(s.Dir(), "recordings", "r1", "tracks", "en.vtt"))
	if err != nil || string(got) != "WEBVTT\n" {
		t.Errorf("file of key = %q, %v; want the object's bytes", got, err)
	}
}

func TestETagIsContentHash(t *testing.T) {
	s := open(t)
	info := put(t, s, "k", "hello", archive.PutOptions{})
	sum := sha256.Sum256([]byte("hello"))
	if want := hex.EncodeToString(sum[:16]); info.ETag != want {
		t.Errorf("ETag = %q; want %q", info.ETag, want)
	}
}

func TestSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := disk.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.Put(t.Context(), "a/b.json", strings.NewReader("{}"), 2, archive.PutOptions{ContentType: "application/json"})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = disk.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Stat(t.Context(), "a/b.json")
	if err != nil || !got.ModTime.Equal(want.ModTime) {
		t.Fatalf("Stat after reopen = %+v, %v; want %+v", got, err, want)
	}
	got.ModTime = want.ModTime // compare the rest exactly
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Stat after reopen (-want +got):\n%s", diff)
	}
}

// TestStaleSidecar replaces a file behind the store's back, as a crash
// between a Put's two renames would leave it: the ETag must describe the new
// bytes, and equal what a Put of them gives.
func TestStaleSidecar(t *testing.T) {
	s := open(t)
	old := put(t, s, "m/manifest.json", `{"v":1}`, archive.PutOptions{ContentType: "application/json"})
	p := filepath.Join(s.Dir(), "m", "manifest.json")
	if err := os.WriteFile(p, []byte(`{"v":2}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// The old ETag must no longer match, so a stale writer cannot win.
	_, err := s.Put(t.Context(), "m/manifest.json", strings.NewReader("x"), 1, archive.PutOptions{IfMatch: old.ETag})
	if !errors.Is(err, archive.ErrPrecondition) {
		t.Errorf("Put(IfMatch old ETag) after the file changed = %v; want ErrPrecondition", err)
	}
	got, err := s.Stat(t.Context(), "m/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	want := put(t, open(t), "m/manifest.json", `{"v":2}`, archive.PutOptions{})
	if got.ETag != want.ETag || got.Size != 7 || got.ContentType != "application/json" {
		t.Errorf("Stat after the file changed = %+v; want ETag %q, size 7, the old content type", got, want.ETag)
	}
	// The sidecar was repaired: the next writer holding the ETag succeeds.
	put(t, s, "m/manifest.json", `{"v":3}`, archive.PutOptions{IfMatch: got.ETag})
}

func TestFileWithoutSidecar(t *testing.T) {
	s := open(t)
	if err := os.MkdirAll(filepath.Join(s.Dir(), "media"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.Dir(), "media", "clip.mp4"), []byte("mp4"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := s.Stat(t.Context(), "media/clip.mp4")
	if err != nil || got.ContentType != "video/mp4" || got.Size != 3 || got.ETag == "" {
		t.Errorf("Stat(file copied in by hand) = %+v, %v; want size 3, an ETag, type video/mp4", got, err)
	}
}

func TestTempFilesHiddenAndCleaned(t *testing.T) {
	s := open(t)
	put(t, s, "r/a", "a", archive.PutOptions{})
	oldTemp := filepath.Join(s.Dir(), "r", ".tmp-crashed")
	youngTemp := filepath.Join(s.Dir(), "r", ".tmp-uploading")
	for _, p := range []string{oldTemp, youngTemp} {
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(oldTemp, long, long); err != nil {
		t.Fatal(err)
	}
	got, err := s.List(t.Context(), "")
	if err != nil || len(got) != 1 || got[0].Key != "r/a" {
		t.Errorf("List with temporary files around = %+v, %v; want only r/a", got, err)
	}
	n, err := s.CleanTemp(t.Context(), 24*time.Hour)
	if err != nil || n != 1 {
		t.Errorf("CleanTemp(24h) = %d, %v; want 1", n, err)
	}
	if _, err := os.Stat(oldTemp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("old temporary file still there after CleanTemp: %v", err)
	}
	if _, err := os.Stat(youngTemp); err != nil {
		t.Errorf("young temporary file removed by CleanTemp: %v", err)
	}
}

func TestHostileKeysStayInside(t *testing.T) {
	parent := t.TempDir()
	s, err := disk.Open(filepath.Join(parent, "data"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, key := range blobtest.HostileKeys {
		s.Put(t.Context(), key, strings.NewReader("x"), 1, archive.PutOptions{})
	}
	if diff := cmp.Diff([]string{"data", "data/.locks"}, files(t, parent)); diff != "" {
		t.Errorf("files after hostile puts (-want +got):\n%s", diff)
	}
}

func TestSymlinkCannotEscape(t *testing.T) {
	s := open(t)
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(s.Dir(), "evil")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(t.Context(), "evil/x", strings.NewReader("x"), 1, archive.PutOptions{}); err == nil {
		t.Errorf("Put through a symlink leaving the directory = nil; want an error")
	}
	if got := files(t, outside); len(got) != 0 {
		t.Errorf("files written outside the store: %v", got)
	}
}

func TestDeletePrunesDirectories(t *testing.T) {
	s := open(t)
	put(t, s, "recordings/r1/tracks/en.vtt", "x", archive.PutOptions{})
	put(t, s, "recordings/r2/manifest.json", "x", archive.PutOptions{})
	if err := s.Delete(t.Context(), "recordings/r1/tracks/en.vtt"); err != nil {
		t.Fatal(err)
	}
	want := []string{".locks", "recordings", "recordings/r2", "recordings/r2/.manifest.json.meta", "recordings/r2/manifest.json"}
	var got []string
	for _, f := range files(t, s.Dir()) {
		if !strings.HasPrefix(f, ".locks/") {
			got = append(got, f)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files after delete (-want +got):\n%s", diff)
	}
}

func TestKeyAndPrefixClash(t *testing.T) {
	s := open(t)
	put(t, s, "a/b", "x", archive.PutOptions{})
	for _, key := range []string{"a", "a/b/c"} {
		_, err := s.Put(t.Context(), key, strings.NewReader("y"), 1, archive.PutOptions{})
		if !errors.Is(err, archive.ErrConflict) {
			t.Errorf("Put(%q) with a/b stored = %v; want ErrConflict", key, err)
		}
	}
	if err := s.Delete(t.Context(), "a"); err != nil {
		t.Errorf("Delete(a), a prefix only = %v; want nil", err)
	}
	var buf bytes.Buffer
	rc, _, err := s.Get(t.Context(), "a/b", 0, -1)
	if err == nil {
		buf.ReadFrom(rc)
		rc.Close()
	}
	if buf.String() != "x" {
		t.Errorf("a/b after the clashes = %q, %v; want x", buf.String(), err)
	}
}

func TestPing(t *testing.T) {
	parent := t.TempDir()
	s, err := disk.Open(filepath.Join(parent, "data"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping = %v; want nil", err)
	}
	if err := os.RemoveAll(filepath.Join(parent, "data")); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); err == nil {
		t.Errorf("Ping after removing the directory = nil; want an error")
	}
}

// TestConcurrentCreateSlow makes each conditional write linger between its
// check and its rename: still exactly one of them may win.
func TestConcurrentCreateSlow(t *testing.T) {
	s := open(t)
	disk.SlowRename(s, 20*time.Millisecond)
	const n = 5
	errs := make(chan error, n)
	for i := range n {
		go func() {
			body := fmt.Sprint("writer ", i)
			_, err := s.Put(t.Context(), "k", strings.NewReader(body), int64(len(body)), archive.PutOptions{IfNoneMatch: true})
			errs <- err
		}()
	}
	won := 0
	for range n {
		err := <-errs
		switch {
		case err == nil:
			won++
		case !errors.Is(err, archive.ErrPrecondition):
			t.Errorf("Put = %v; want nil or ErrPrecondition", err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d conditional creates won; want exactly 1", won, n)
	}
}

// TestConcurrentProcesses runs conditional creates of one key from several
// processes at once, as the CLI and the server would: exactly one wins.
func TestConcurrentProcesses(t *testing.T) {
	if dir := os.Getenv("DISK_TEST_WRITER_DIR"); dir != "" {
		writer(dir, os.Getenv("DISK_TEST_WRITER_ID"), os.Getenv("DISK_TEST_WRITER_START"))
		return
	}
	dir := t.TempDir()
	const n = 6
	cmds := make([]*exec.Cmd, n)
	outs := make([]bytes.Buffer, n)
	start := time.Now().Add(time.Second).Format(time.RFC3339Nano)
	for i := range cmds {
		cmds[i] = exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestConcurrentProcesses$")
		cmds[i].Env = append(os.Environ(), "DISK_TEST_WRITER_DIR="+dir, fmt.Sprintf("DISK_TEST_WRITER_ID=%d", i),
			"DISK_TEST_WRITER_START="+start)
		cmds[i].Stdout = &outs[i]
		cmds[i].Stderr = &outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	var won []int
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("writer %d: %v\n%s", i, err, outs[i].String())
		}
		if strings.Contains(outs[i].String(), "RESULT won") {
			won = append(won, i)
		} else if !strings.Contains(outs[i].String(), "RESULT lost") {
			t.Errorf("writer %d said:\n%s", i, outs[i].String())
		}
	}
	if len(won) != 1 {
		t.Fatalf("writers that won = %v; want exactly one", won)
	}
	s, err := disk.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rc, _, err := s.Get(t.Context(), "accounts/admin.json", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var got bytes.Buffer
	got.ReadFrom(rc)
	if want := fmt.Sprintf("writer %d", won[0]); got.String() != want {
		t.Errorf("stored = %q; want %q", got.String(), want)
	}
}

// writer is the body of one process of TestConcurrentProcesses. It starts
// its put at the same wall-clock instant as its siblings to make them overlap.
func writer(dir, id, start string) {
	s, err := disk.Open(dir)
	if err != nil {
		fmt.Println("RESULT error", err)
		return
	}
	defer s.Close()
	disk.SlowRename(s, 50*time.Millisecond)
	at, err := time.Parse(time.RFC3339Nano, start)
	if err != nil {
		fmt.Println("RESULT error", err)
		return
	}
	time.Sleep(time.Until(at))
	body := "writer " + id
	_, err = s.Put(context.Background(), "accounts/admin.json", strings.NewReader(body), int64(len(body)), archive.PutOptions{IfNoneMatch: true})
	switch {
	case err == nil:
		fmt.Println("RESULT won")
	case errors.Is(err, archive.ErrPrecondition):
		fmt.Println("RESULT lost")
	default:
		fmt.Println("RESULT error", err)
	}
}

// TestRangeWriteTo copies a range through WriteTo, the path net/http takes
// to sendfile(2), which must stop at the range's end like Read does.
func TestRangeWriteTo(t *testing.T) {
	s := open(t)
	put(t, s, "media/x.mp4", "0123456789", archive.PutOptions{})
	rc, _, err := s.Get(t.Context(), "media/x.mp4", 2, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	n, err := io.Copy(&buf, rc)
	if err != nil || n != 5 || buf.String() != "23456" {
		t.Errorf("io.Copy(range 2+5) = %d, %v, %q; want 5, nil, %q", n, err, buf.String(), "23456")
	}
}

// TestPutWhileDeletePrunes races writes into a fresh directory against
// deletes that prune the same parents: no Put may fail because a parent
// vanished while it was being created.
func TestPutWhileDeletePrunes(t *testing.T) {
	st, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	const rounds = 200
	errc := make(chan error, 2)
	for w := range 2 {
		go func() {
			for i := range rounds {
				key := fmt.Sprintf("pending/index/r/%d-%d", w, i)
				if _, err := st.Put(ctx, key, strings.NewReader("x"), 1, archive.PutOptions{}); err != nil {
					errc <- fmt.Errorf("put %s: %w", key, err)
					return
				}
				if err := st.Delete(ctx, key); err != nil {
					errc <- fmt.Errorf("delete %s: %w", key, err)
					return
				}
			}
			errc <- nil
		}()
	}
	for range 2 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
}

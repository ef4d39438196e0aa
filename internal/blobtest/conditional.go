package blobtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

func testCreateOnly(t *testing.T, b archive.Blobs) {
	const key = "quotes/q1.json"
	create := archive.PutOptions{IfNoneMatch: true}
	put(t, b, key, []byte("original quote"), create)
	_, err := b.Put(t.Context(), key, bytesReader("a second quote"), 14, create)
	if !errors.Is(err, archive.ErrPrecondition) {
		t.Errorf("Put(%q, IfNoneMatch) over an existing key = %v; want ErrPrecondition", key, err)
	}
	wantContent(t, b, key, []byte("original quote"))
}

func testIfMatch(t *testing.T, b archive.Blobs) {
	const key = "recordings/r1/manifest.json"
	v1 := put(t, b, key, []byte(`{"version":1}`), archive.PutOptions{})
	v2 := put(t, b, key, []byte(`{"version":2}`), archive.PutOptions{IfMatch: v1.ETag})
	if v2.ETag == v1.ETag {
		t.Errorf("Put(IfMatch %q) kept ETag %q; want a new one", v1.ETag, v2.ETag)
	}
	wantContent(t, b, key, []byte(`{"version":2}`))

	// A writer still holding v1's ETag has lost the race.
	_, err := b.Put(t.Context(), key, bytesReader(`{"version":"stale"}`), 19, archive.PutOptions{IfMatch: v1.ETag})
	if !errors.Is(err, archive.ErrPrecondition) {
		t.Errorf("Put(IfMatch stale %q) = %v; want ErrPrecondition", v1.ETag, err)
	}
	wantContent(t, b, key, []byte(`{"version":2}`))

	// The ETag as an HTTP If-Match header quotes it works as well.
	put(t, b, key, []byte(`{"version":3}`), archive.PutOptions{IfMatch: `"` + v2.ETag + `"`})
	wantContent(t, b, key, []byte(`{"version":3}`))

	_, err = b.Put(t.Context(), "recordings/r9/manifest.json", bytesReader("{}"), 2, archive.PutOptions{IfMatch: v2.ETag})
	if !errors.Is(err, archive.ErrPrecondition) || errors.Is(err, archive.ErrNotFound) {
		t.Errorf("Put(IfMatch) on a missing key = %v; want ErrPrecondition (only)", err)
	}
	wantMissing(t, b, "recordings/r9/manifest.json")
}

func testBothConditions(t *testing.T, b archive.Blobs) {
	v1 := put(t, b, "k", []byte("v1"), archive.PutOptions{})
	_, err := b.Put(t.Context(), "k", bytesReader("v2"), 2, archive.PutOptions{IfMatch: v1.ETag, IfNoneMatch: true})
	if !errors.Is(err, archive.ErrInvalid) {
		t.Errorf("Put with both IfMatch and IfNoneMatch = %v; want ErrInvalid", err)
	}
	wantContent(t, b, "k", []byte("v1"))
}

// race runs n conditional writes of key at once and checks that exactly one
// succeeded, the others failed with ErrPrecondition, and the winner's bytes
// are what remains.
func race(t *testing.T, b archive.Blobs, key string, n int, opts archive.PutOptions) {
	t.Helper()
	winner := raceBodies(t, b, key, n, opts, func(i int) io.Reader { return bytesReader(fmt.Sprintf("writer %d", i)) })
	wantContent(t, b, key, fmt.Appendf(nil, "writer %d", winner))
}

// raceBodies runs n conditional writes of key at once, writer i sending
// body(i) of unknown length, checks that exactly one succeeded and the
// others failed with ErrPrecondition, and returns the winner.
func raceBodies(t *testing.T, b archive.Blobs, key string, n int, opts archive.PutOptions, body func(int) io.Reader) int {
	t.Helper()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = b.Put(t.Context(), key, onlyReader{body(i)}, -1, opts)
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("writers %d and %d both succeeded; want exactly one", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, archive.ErrPrecondition):
			t.Errorf("writer %d: Put = %v; want nil or ErrPrecondition", i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("no writer of %d succeeded; errors: %v", n, errs)
	}
	return winner
}

func testConcurrentCreate(t *testing.T, b archive.Blobs) {
	race(t, b, "accounts/editor.json", 8, archive.PutOptions{IfNoneMatch: true})
}

// testConcurrentLargeCreate races creates with bodies large enough for S3
// multipart uploads, whose condition only completion can decide.
func testConcurrentLargeCreate(t *testing.T, b archive.Blobs) {
	const key = "recordings/r1/media/talk.mp4"
	const size = 12 << 20
	winner := raceBodies(t, b, key, 3, archive.PutOptions{IfNoneMatch: true},
		func(i int) io.Reader { return Generator(uint64(10+i), size) })
	rc, _, err := b.Get(t.Context(), key, 0, -1)
	if err != nil {
		t.Fatalf("Get(%q) = %v", key, err)
	}
	defer rc.Close()
	if !sameBytes(rc, Generator(uint64(10+winner), size)) {
		t.Errorf("Get(%q) is not the bytes of writer %d, the one that won", key, winner)
	}
}

func testConcurrentReplace(t *testing.T, b archive.Blobs) {
	base := put(t, b, "recordings/r1/manifest.json", []byte("base"), archive.PutOptions{})
	race(t, b, "recordings/r1/manifest.json", 8, archive.PutOptions{IfMatch: base.ETag})
}

// testLargeConditional makes conditional writes with bodies large enough for
// an S3 multipart upload, whose condition the server checks on completion.
func testLargeConditional(t *testing.T, b archive.Blobs) {
	const key = "recordings/r1/media/talk.mp4"
	const size = 12 << 20
	create := archive.PutOptions{IfNoneMatch: true}
	v1, err := b.Put(t.Context(), key, onlyReader{Generator(1, size)}, -1, create)
	if err != nil {
		t.Fatalf("Put(%q, 12 MiB, IfNoneMatch) = %v", key, err)
	}
	_, err = b.Put(t.Context(), key, onlyReader{Generator(2, size)}, -1, create)
	if !errors.Is(err, archive.ErrPrecondition) {
		t.Errorf("Put(%q, 12 MiB, IfNoneMatch) over an existing key = %v; want ErrPrecondition", key, err)
	}
	v2, err := b.Put(t.Context(), key, Generator(3, size), size, archive.PutOptions{IfMatch: v1.ETag})
	if err != nil {
		t.Fatalf("Put(%q, 12 MiB, IfMatch current) = %v", key, err)
	}
	_, err = b.Put(t.Context(), key, onlyReader{Generator(4, size)}, -1, archive.PutOptions{IfMatch: v1.ETag})
	if !errors.Is(err, archive.ErrPrecondition) {
		t.Errorf("Put(%q, 12 MiB, IfMatch stale) = %v; want ErrPrecondition", key, err)
	}
	if st, err := b.Stat(t.Context(), key); err != nil || st.ETag != v2.ETag {
		t.Errorf("Stat(%q) = %+v, %v; want the ETag %q of the one accepted replace", key, st, err, v2.ETag)
	}
}

// testAtomicReplace reads a key while it is replaced again and again: every
// read must see one whole version, never a mix or a prefix.
func testAtomicReplace(t *testing.T, b archive.Blobs) {
	const key = "recordings/r1/tracks/en.vtt"
	const size = 256 << 10
	version := func(i int) []byte { return bytes.Repeat([]byte{byte('a' + i)}, size) }
	put(t, b, key, version(0), archive.PutOptions{})
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				rc, _, err := b.Get(t.Context(), key, 0, -1)
				if err != nil {
					t.Errorf("Get(%q) during replaces = %v", key, err)
					return
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if err != nil || len(got) != size || bytes.Count(got, got[:1]) != size {
					t.Errorf("Get(%q) during replaces = %d bytes, %v; want %d bytes of one version", key, len(got), err, size)
					return
				}
			}
		})
	}
	for i := 1; i < 15; i++ {
		put(t, b, key, version(i), archive.PutOptions{})
	}
	close(done)
	wg.Wait()
}

package blobtest

import (
	"errors"
	"fmt"
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

	_, err = b.Put(t.Context(), "recordings/r9/manifest.json", bytesReader("{}"), 2, archive.PutOptions{IfMatch: v2.ETag})
	if !errors.Is(err, archive.ErrPrecondition) {
		t.Errorf("Put(IfMatch) on a missing key = %v; want ErrPrecondition", err)
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
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			body := fmt.Sprintf("writer %d", i)
			_, errs[i] = b.Put(t.Context(), key, bytesReader(body), int64(len(body)), opts)
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
	wantContent(t, b, key, fmt.Appendf(nil, "writer %d", winner))
}

func testConcurrentCreate(t *testing.T, b archive.Blobs) {
	race(t, b, "accounts/editor.json", 8, archive.PutOptions{IfNoneMatch: true})
}

func testConcurrentReplace(t *testing.T, b archive.Blobs) {
	base := put(t, b, "recordings/r1/manifest.json", []byte("base"), archive.PutOptions{})
	race(t, b, "recordings/r1/manifest.json", 8, archive.PutOptions{IfMatch: base.ETag})
}

// Package blobtest is the conformance suite every archive.Blobs
// implementation runs from its own tests, so that the directory store and the
// S3 store behave the same way wherever the archive relies on it.
//
// Beyond the archive.Blobs comments, the suite pins: Get's BlobInfo has the
// whole object's size even for a range; length 0 reads nothing (but still
// checks the offset); an empty object reads whole while any range on it is
// unsatisfiable; a body shorter than its
// announced size fails and stores nothing; IfMatch accepts the ETag quoted
// or not; IfMatch with IfNoneMatch is ErrInvalid; keys follow
// archive.ValidKey. It leaves open what ETags look like (only that they
// change with the content) and whether List fills ContentType (S3 listings
// carry none).
package blobtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Open returns a new, empty store for one subtest. It registers its own
// cleanup with t.
type Open func(t *testing.T) archive.Blobs

// Run runs the whole suite. Subtests run in parallel, each on a store of its
// own from open.
func Run(t *testing.T, open Open) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(*testing.T, archive.Blobs)
	}{
		{"PutGetStat", testPutGetStat},
		{"Overwrite", testOverwrite},
		{"EmptyObject", testEmptyObject},
		{"List", testList},
		{"ListAfter", testListAfter},
		{"Version", testVersion},
		{"ListPage", testListPage},
		{"Delete", testDelete},
		{"Missing", testMissing},
		{"Ranges", testRanges},
		{"ContentType", testContentType},
		{"UnknownSize", testUnknownSize},
		{"ShortBody", testShortBody},
		{"CanceledPut", testCanceledPut},
		{"CreateOnly", testCreateOnly},
		{"IfMatch", testIfMatch},
		{"BothConditions", testBothConditions},
		{"ConcurrentCreate", testConcurrentCreate},
		{"ConcurrentReplace", testConcurrentReplace},
		{"ConcurrentLargeCreate", testConcurrentLargeCreate},
		{"AtomicReplace", testAtomicReplace},
		{"HostileKeys", testHostileKeys},
		{"HostilePrefixes", testHostilePrefixes},
		{"UnusualKeys", testUnusualKeys},
		{"LargeStream", testLargeStream},
		{"LargeConditional", testLargeConditional},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

// put stores data under key with opts and fails the test on error.
func put(t *testing.T, b archive.Blobs, key string, data []byte, opts archive.PutOptions) archive.BlobInfo {
	t.Helper()
	info, err := b.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		t.Fatalf("Put(%q, %d bytes) = %v", key, len(data), err)
	}
	return info
}

// get reads the byte range of key and fails the test on error.
func get(t *testing.T, b archive.Blobs, key string, offset, length int64) ([]byte, archive.BlobInfo) {
	t.Helper()
	rc, info, err := b.Get(t.Context(), key, offset, length)
	if err != nil {
		t.Fatalf("Get(%q, %d, %d) = %v", key, offset, length, err)
	}
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("Get(%q, %d, %d): read: %v", key, offset, length, err)
	}
	if err := rc.Close(); err != nil {
		t.Errorf("Get(%q, %d, %d): close: %v", key, offset, length, err)
	}
	return data, info
}

// wantContent checks that key holds exactly want.
func wantContent(t *testing.T, b archive.Blobs, key string, want []byte) {
	t.Helper()
	got, _ := get(t, b, key, 0, -1)
	if !bytes.Equal(got, want) {
		t.Errorf("Get(%q) = %q; want %q", key, clip(got), clip(want))
	}
}

// wantMissing checks that key does not exist.
func wantMissing(t *testing.T, b archive.Blobs, key string) {
	t.Helper()
	if _, err := b.Stat(t.Context(), key); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("Stat(%q) = %v; want ErrNotFound", key, err)
	}
}

// clip shortens data for error messages.
func clip(data []byte) []byte {
	if len(data) > 64 {
		return append(data[:64:64], "…"...)
	}
	return data
}

// onlyReader hides every method of r but Read, so that a store cannot learn
// the size or seek: the shape of an HTTP request body of unknown length.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// canceled returns a context that is already canceled.
func canceled(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}

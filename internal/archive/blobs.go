package archive

import (
	"context"
	"io"
	"time"
)

// Blobs is the object store that holds every durable fact of the archive.
// Keys are slash-separated relative paths ("recordings/x/manifest.json").
//
// Implementations: internal/disk (a directory) and internal/s3 (minio-go).
// Both pass the conformance suite in internal/blobtest.
type Blobs interface {
	// Get opens the object. length < 0 reads to the end; offset/length select
	// a byte range. A missing key returns an error wrapping ErrNotFound; a
	// range starting at or past the end wraps ErrRangeNotSatisfy.
	Get(ctx context.Context, key string, offset, length int64) (io.ReadCloser, BlobInfo, error)
	// Stat returns the object's metadata, or an error wrapping ErrNotFound.
	Stat(ctx context.Context, key string) (BlobInfo, error)
	// Put stores r under key atomically: readers see the old object or the
	// whole new one, never a partial one. size may be -1 when unknown.
	// With opts.IfNoneMatch the write fails with ErrPrecondition when the key
	// exists; with opts.IfMatch it fails with ErrPrecondition unless the
	// current ETag equals it, including when the object is missing.
	Put(ctx context.Context, key string, r io.Reader, size int64, opts PutOptions) (BlobInfo, error)
	// Delete removes the object. Deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List returns every object whose key starts with prefix, sorted by key.
	List(ctx context.Context, prefix string) ([]BlobInfo, error)
}

// Presigner is implemented by stores that can hand a viewer a short-lived
// URL to fetch an object directly (S3). The server checks for it with a type
// assertion when redirecting media is enabled.
type Presigner interface {
	PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error)
}

// BlobInfo describes a stored object.
type BlobInfo struct {
	Key         string
	Size        int64
	ETag        string // opaque, without quotes
	ModTime     time.Time
	ContentType string
}

// PutOptions make a write conditional and carry its content type.
type PutOptions struct {
	ContentType string
	IfMatch     string // replace only if the current ETag equals this
	IfNoneMatch bool   // create only: fail if the key exists
}

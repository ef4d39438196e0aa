package archive

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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

// maxKeyLen is S3's limit on object key length, in bytes. maxSegmentLen
// keeps every segment a legal file name (255 bytes on common filesystems)
// with room for a store's bookkeeping prefixes and suffixes.
const (
	maxKeyLen     = 1024
	maxSegmentLen = 200
)

// ValidKey returns an error wrapping ErrInvalid unless key is a well-formed
// object key: non-empty, at most 1024 bytes of UTF-8, slash-separated
// segments of at most 200 bytes that are neither empty nor start with a dot
// (which rules out "." and ".." and leaves dot-names free for a store's own
// bookkeeping files), no leading slash, no backslash and no control
// characters. Every Blobs
// implementation applies the same rule, so a key accepted by one is accepted
// by all, and none can climb out of its directory or bucket.
func ValidKey(key string) error {
	if why := keyProblem(key); why != "" {
		return fmt.Errorf("key %q %s: %w", key, why, ErrInvalid)
	}
	return nil
}

func keyProblem(key string) string {
	switch {
	case key == "":
		return "is empty"
	case len(key) > maxKeyLen:
		return "is longer than 1024 bytes"
	case !utf8.ValidString(key):
		return "is not UTF-8"
	case strings.ContainsRune(key, '\\'):
		return "contains a backslash"
	case strings.IndexFunc(key, unicode.IsControl) >= 0:
		return "contains a control character"
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" {
			return "has an empty segment (leading, trailing or double slash)"
		}
		if seg[0] == '.' {
			return "has a segment starting with a dot"
		}
		if len(seg) > maxSegmentLen {
			return "has a segment longer than 200 bytes"
		}
	}
	return ""
}

// AfterLister is a store that lists only the keys after a given one (S3's
// StartAfter), so a reader of a log of time-stamped markers lists only
// what it has not seen. The result is what List would return less the
// keys up to and including after.
type AfterLister interface {
	ListAfter(ctx context.Context, prefix, after string) ([]BlobInfo, error)
}

// listAfter lists the keys under prefix that sort after after, with the
// store's ListAfter when it has one and by filtering a whole listing
// otherwise.
func listAfter(ctx context.Context, blobs Blobs, prefix, after string) ([]BlobInfo, error) {
	if al, ok := blobs.(AfterLister); ok {
		return al.ListAfter(ctx, prefix, after)
	}
	infos, err := blobs.List(ctx, prefix)
	if err != nil {
		return nil, err
	}
	return AfterKey(infos, after), nil
}

// PageLister is a store that lists at most limit keys after a given one
// (S3's StartAfter and MaxKeys), so a page of a long log costs the page:
// what ListAfter would return, cut to its first limit entries.
type PageLister interface {
	ListPage(ctx context.Context, prefix, after string, limit int) ([]BlobInfo, error)
}

// listPage lists at most limit keys under prefix that sort after after,
// with the store's ListPage when it has one.
func listPage(ctx context.Context, blobs Blobs, prefix, after string, limit int) ([]BlobInfo, error) {
	if pl, ok := blobs.(PageLister); ok {
		return pl.ListPage(ctx, prefix, after, limit)
	}
	infos, err := listAfter(ctx, blobs, prefix, after)
	if err != nil {
		return nil, err
	}
	return infos[:min(limit, len(infos))], nil
}

// AfterKey is the tail of a key-sorted listing past after.
func AfterKey(infos []BlobInfo, after string) []BlobInfo {
	i, _ := slices.BinarySearchFunc(infos, after, func(in BlobInfo, k string) int { return strings.Compare(in.Key, k) })
	for i < len(infos) && infos[i].Key <= after {
		i++
	}
	return infos[i:]
}

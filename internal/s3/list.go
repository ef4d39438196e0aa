package s3

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/minio/minio-go/v7"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// List returns the objects whose key starts with prefix, sorted by key.
// S3 listings carry no content type, so ContentType is left empty.
func (s *Store) List(ctx context.Context, prefix string) ([]archive.BlobInfo, error) {
	return s.ListAfter(ctx, prefix, "")
}

// ListAfter is List less the keys up to and including after, asked of the
// server as StartAfter: a listing costs the keys past after, not the
// prefix (see archive.AfterLister).
func (s *Store) ListAfter(ctx context.Context, prefix, after string) ([]archive.BlobInfo, error) {
	return s.ListPage(ctx, prefix, after, -1)
}

// ListPage is ListAfter cut to its first limit keys (limit < 0: all): the
// listing asks the server for no more (MaxKeys) and stops after them (see
// archive.PageLister).
func (s *Store) ListPage(ctx context.Context, prefix, after string, limit int) ([]archive.BlobInfo, error) {
	if prefix != "" {
		if err := archive.ValidKey(strings.TrimSuffix(prefix, "/")); err != nil {
			return nil, fmt.Errorf("s3: list: prefix: %w", err)
		}
	}
	if limit == 0 {
		return nil, nil
	}
	ctx, cancel := context.WithCancel(ctx) // stops the listing's goroutine when the page is full
	defer cancel()
	opts := minio.ListObjectsOptions{Prefix: prefix, Recursive: true, StartAfter: after}
	if limit > 0 {
		opts.MaxKeys = min(limit+1, 1000) // +1: a directory marker may be among them
	}
	var infos []archive.BlobInfo
	for oi := range s.client.ListObjects(ctx, s.bucket, opts) {
		if limit > 0 && len(infos) >= limit {
			break
		}
		if oi.Err != nil {
			return nil, s.fail("list", prefix, oi.Err)
		}
		if strings.HasSuffix(oi.Key, "/") {
			continue // a directory marker, not an object the archive wrote
		}
		infos = append(infos, blobInfo(oi.Key, oi))
	}
	// S3 lists in key order already; sorting keeps the promise for servers
	// that do not.
	slices.SortFunc(infos, func(a, b archive.BlobInfo) int { return strings.Compare(a.Key, b.Key) })
	return archive.AfterKey(infos, after), nil
}

// Delete removes the object; a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := archive.ValidKey(key); err != nil {
		return fmt.Errorf("s3: delete: %w", err)
	}
	err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err != nil && errorCode(err) != "NoSuchKey" {
		return s.fail("delete", key, err)
	}
	return nil
}

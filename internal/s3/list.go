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
	if prefix != "" {
		if err := archive.ValidKey(strings.TrimSuffix(prefix, "/")); err != nil {
			return nil, fmt.Errorf("s3: list: prefix: %w", err)
		}
	}
	var infos []archive.BlobInfo
	for oi := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true, StartAfter: after}) {
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

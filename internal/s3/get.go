package s3

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Get opens the object, or a byte range of it; see archive.Blobs. The body
// streams from the server; the returned info has the whole object's size.
func (s *Store) Get(ctx context.Context, key string, offset, length int64) (io.ReadCloser, archive.BlobInfo, error) {
	if err := archive.ValidKey(key); err != nil {
		return nil, archive.BlobInfo{}, fmt.Errorf("s3: get: %w", err)
	}
	if offset < 0 {
		return nil, archive.BlobInfo{}, fmt.Errorf("s3: get %q: negative offset %d: %w", key, offset, archive.ErrInvalid)
	}
	if length == 0 {
		return s.getEmpty(ctx, key, offset)
	}
	var opts minio.GetObjectOptions
	ranged := offset > 0 || length > 0
	if ranged {
		end := int64(0) // with offset > 0: to the end
		if length > 0 {
			end = offset + min(length, math.MaxInt64-offset) - 1
		}
		if err := opts.SetRange(offset, end); err != nil {
			return nil, archive.BlobInfo{}, fmt.Errorf("s3: get %q: %w: %w", key, archive.ErrInvalid, err)
		}
	}
	body, oi, header, err := s.core.GetObject(ctx, s.bucket, key, opts)
	if err != nil {
		return nil, archive.BlobInfo{}, s.fail("get", key, err)
	}
	info := blobInfo(key, oi)
	if ranged {
		total, ok := totalSize(header.Get("Content-Range"))
		if !ok {
			body.Close()
			return nil, archive.BlobInfo{}, fmt.Errorf("s3: get %q: ranged answer without a Content-Range", key)
		}
		info.Size = total
	}
	return body, info, nil
}

// getEmpty serves a zero-length read, which an HTTP Range cannot express.
func (s *Store) getEmpty(ctx context.Context, key string, offset int64) (io.ReadCloser, archive.BlobInfo, error) {
	info, err := s.Stat(ctx, key)
	if err != nil {
		return nil, archive.BlobInfo{}, err
	}
	if offset >= info.Size {
		return nil, archive.BlobInfo{}, fmt.Errorf("s3: get %q: offset %d of %d bytes: %w",
			key, offset, info.Size, archive.ErrRangeNotSatisfy)
	}
	return io.NopCloser(strings.NewReader("")), info, nil
}

// totalSize reads the complete length from "bytes 10-19/100".
func totalSize(contentRange string) (int64, bool) {
	_, total, ok := strings.Cut(contentRange, "/")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(total, 10, 64)
	return n, err == nil
}

// Stat returns the object's metadata; see archive.Blobs.
func (s *Store) Stat(ctx context.Context, key string) (archive.BlobInfo, error) {
	if err := archive.ValidKey(key); err != nil {
		return archive.BlobInfo{}, fmt.Errorf("s3: stat: %w", err)
	}
	oi, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return archive.BlobInfo{}, s.fail("stat", key, err)
	}
	return blobInfo(key, oi), nil
}

func blobInfo(key string, oi minio.ObjectInfo) archive.BlobInfo {
	return archive.BlobInfo{
		Key:         key,
		Size:        oi.Size,
		ETag:        strings.Trim(oi.ETag, `"`),
		ModTime:     oi.LastModified,
		ContentType: oi.ContentType,
	}
}

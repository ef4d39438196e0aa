package s3

import (
	"context"
	"strings"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// uploadMark joins an object key and the id of a multipart upload to it in
// the names ListTemp returns: "<key>#upload=<id>".
const uploadMark = "#upload="

// minUploadAge is the least age at which ListTemp takes an upload for
// abandoned (unless asked for any age, 0): S3 dates only finished parts,
// and a live upload on a slow link may take many minutes per part.
const minUploadAge = time.Hour

// ListTemp returns the multipart uploads begun and never completed nor
// aborted whose last part (or start, before any part) is older than age,
// at least minUploadAge unless age is 0: what a writer killed mid-upload
// leaves in the bucket, costing storage until removed. Key is
// "<object key>#upload=<id>", Size the bytes of its parts, ModTime its last
// write.
func (s *Store) ListTemp(ctx context.Context, age time.Duration) ([]archive.BlobInfo, error) {
	if age > 0 {
		age = max(age, minUploadAge)
	}
	cutoff := time.Now().Add(-age)
	var out []archive.BlobInfo
	keyMarker, idMarker := "", ""
	for {
		res, err := s.core.ListMultipartUploads(ctx, s.bucket, "", keyMarker, idMarker, "", 1000)
		if err != nil {
			return nil, s.fail("list incomplete uploads", "", err)
		}
		for _, up := range res.Uploads {
			size, last, err := s.partsOf(ctx, up.Key, up.UploadID, up.Initiated)
			if err != nil {
				return nil, err
			}
			if last.After(cutoff) {
				continue // still being written, or just begun
			}
			out = append(out, archive.BlobInfo{Key: up.Key + uploadMark + up.UploadID, Size: size, ModTime: last})
		}
		if !res.IsTruncated {
			return out, nil
		}
		keyMarker, idMarker = res.NextKeyMarker, res.NextUploadIDMarker
	}
}

// partsOf sums an upload's parts and finds its last write.
func (s *Store) partsOf(ctx context.Context, key, id string, started time.Time) (int64, time.Time, error) {
	var size int64
	last, marker := started, 0
	for {
		res, err := s.core.ListObjectParts(ctx, s.bucket, key, id, marker, 1000)
		if err != nil {
			return 0, time.Time{}, s.fail("list parts of", key, err)
		}
		for _, p := range res.ObjectParts {
			size += p.Size
			if p.LastModified.After(last) {
				last = p.LastModified
			}
		}
		if !res.IsTruncated {
			return size, last, nil
		}
		marker = res.NextPartNumberMarker
	}
}

// CleanTemp aborts the incomplete multipart uploads ListTemp(age) finds,
// freeing their parts, and returns how many it aborted.
func (s *Store) CleanTemp(ctx context.Context, age time.Duration) (int, error) {
	temps, err := s.ListTemp(ctx, age)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range temps {
		key, id, _ := strings.Cut(t.Key, uploadMark)
		if err := s.core.AbortMultipartUpload(ctx, s.bucket, key, id); err != nil {
			return n, s.fail("abort upload of", key, err)
		}
		n++
	}
	return n, nil
}

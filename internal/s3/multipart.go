package s3

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// putMultipart uploads r in parts of s.partSize: a body of known length
// streamed part by part (stream.go), one of unknown length one buffered part
// at a time. It drives the multipart upload itself because minio-go's PutObject drops
// If-Match / If-None-Match from CompleteMultipartUpload, where S3 decides
// them; sent there, the condition holds for uploads of any size.
func (s *Store) putMultipart(ctx context.Context, key string, r io.Reader, size int64, opts archive.PutOptions) (minio.UploadInfo, error) {
	if err := s.precheck(ctx, key, opts); err != nil {
		return minio.UploadInfo{}, err
	}
	popts := s.putOptions(opts)
	create := minio.PutObjectOptions{ContentType: popts.ContentType}
	id, err := s.core.NewMultipartUpload(ctx, s.bucket, key, create)
	if err != nil {
		return minio.UploadInfo{}, err
	}
	var parts []minio.CompletePart
	total := size
	if size >= 0 {
		parts, err = s.streamParts(ctx, key, id, r, size)
	} else {
		parts, total, err = s.uploadParts(ctx, key, id, r)
	}
	if err == nil {
		var up minio.UploadInfo
		up, err = s.core.CompleteMultipartUpload(ctx, s.bucket, key, id, parts, popts)
		if err == nil {
			up.Size = total
			return up, nil
		}
	}
	// Free the parts on the server. The caller's context may be what ended
	// the upload, so the abort gets a short one of its own.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	s.core.AbortMultipartUpload(actx, s.bucket, key, id)
	return minio.UploadInfo{}, err
}

// uploadParts sends r, of unknown length, as numbered parts, reading each
// whole before sending it: S3 wants a part's length before its bytes.
func (s *Store) uploadParts(ctx context.Context, key, id string, r io.Reader) ([]minio.CompletePart, int64, error) {
	buf := make([]byte, s.partSize)
	var parts []minio.CompletePart
	var total int64
	for {
		n, rerr := io.ReadFull(r, buf)
		if rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
			return nil, total, fmt.Errorf("read body: %w", rerr)
		}
		if n > 0 {
			part, err := s.core.PutObjectPart(ctx, s.bucket, key, id, len(parts)+1,
				bytes.NewReader(buf[:n]), int64(n), minio.PutObjectPartOptions{})
			if err != nil {
				return nil, total, err
			}
			parts = append(parts, minio.CompletePart{PartNumber: part.PartNumber, ETag: part.ETag})
			total += int64(n)
		}
		if rerr != nil { // the body ended
			return parts, total, nil
		}
	}
}

// precheck fails a conditional upload before its parts are sent when the
// condition already fails. The server checks again on completion; this only
// saves uploading a large body for nothing.
func (s *Store) precheck(ctx context.Context, key string, opts archive.PutOptions) error {
	if opts.IfMatch == "" && !opts.IfNoneMatch {
		return nil
	}
	oi, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	missing := classify(err) == archive.ErrNotFound
	switch {
	case err != nil && !missing:
		return err
	case opts.IfNoneMatch && !missing:
		return fmt.Errorf("key exists: %w", archive.ErrPrecondition)
	case opts.IfMatch != "" && missing:
		return fmt.Errorf("if-match %q on a missing key: %w", opts.IfMatch, archive.ErrPrecondition)
	case opts.IfMatch != "" && strings.Trim(oi.ETag, `"`) != opts.IfMatch:
		return fmt.Errorf("if-match %q: current ETag is %q: %w", opts.IfMatch, oi.ETag, archive.ErrPrecondition)
	}
	return nil
}

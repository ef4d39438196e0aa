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

// smallObject is how much of an upload of unknown length is read ahead: a
// body that ends within it (a manifest, a subtitle track) goes up as one
// PUT instead of a three-request multipart upload.
const smallObject = 1 << 20

const defaultContentType = "application/octet-stream"

// Put stores r under key; see archive.Blobs. A body that fits in one part
// goes up as one PUT, a larger one as a multipart upload. Conditions are sent
// to the server as If-Match / If-None-Match: * (on the PUT, or on completing
// the multipart upload), which decides them atomically. The
// returned ModTime is the server's when it reports one, else the time the
// upload completed.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, opts archive.PutOptions) (archive.BlobInfo, error) {
	if err := archive.ValidKey(key); err != nil {
		return archive.BlobInfo{}, fmt.Errorf("s3: put: %w", err)
	}
	opts.IfMatch = strings.Trim(opts.IfMatch, `"`) // as an HTTP If-Match header carries it
	if opts.IfMatch != "" && opts.IfNoneMatch {
		return archive.BlobInfo{}, fmt.Errorf("s3: put %q: both IfMatch and IfNoneMatch: %w", key, archive.ErrInvalid)
	}
	if err := ctx.Err(); err != nil {
		return archive.BlobInfo{}, fmt.Errorf("s3: put %q: %w", key, err)
	}
	if size < 0 {
		var err error
		if r, size, err = readAhead(r); err != nil {
			return archive.BlobInfo{}, fmt.Errorf("s3: put %q: read body: %w", key, err)
		}
	}
	var up minio.UploadInfo
	var err error
	if size >= 0 && size <= int64(s.partSize) {
		up, err = s.putSingle(ctx, key, r, size, opts)
	} else {
		up, err = s.putMultipart(ctx, key, r, size, opts)
	}
	if err != nil {
		if opts.IfMatch != "" && classify(err) == archive.ErrNotFound {
			// S3 answers If-Match on a missing key with 404 NoSuchKey;
			// for the archive that is a failed precondition like any other.
			return archive.BlobInfo{}, fmt.Errorf("s3: put %q: if-match on a missing key: %w: %w", key, archive.ErrPrecondition, err)
		}
		return archive.BlobInfo{}, s.fail("put", key, err)
	}
	info := archive.BlobInfo{
		Key:         key,
		Size:        up.Size,
		ETag:        strings.Trim(up.ETag, `"`),
		ModTime:     up.LastModified,
		ContentType: s.putOptions(opts).ContentType,
	}
	if info.ModTime.IsZero() {
		info.ModTime = time.Now()
	}
	return info, nil
}

// putSingle sends a body of known length that fits in one part as one PUT,
// with its condition.
func (s *Store) putSingle(ctx context.Context, key string, r io.Reader, size int64, opts archive.PutOptions) (minio.UploadInfo, error) {
	popts := s.putOptions(opts)
	body := &exactReader{r: r, want: size}
	if size == 0 {
		// versitygw v1.8.0 leaves the closing chunk of an empty
		// aws-chunked body unread on the connection and then answers it
		// with a stray 400; an empty body needs no payload signing.
		popts.DisableContentSha256 = true
	}
	up, err := s.client.PutObject(ctx, s.bucket, key, body, size, popts)
	if body.short {
		// The body, not the store, failed: say so rather than let the
		// client's complaint about the length read as the store being down.
		return up, fmt.Errorf("body ended after %d bytes, announced %d: %w", body.got, size, archive.ErrInvalid)
	}
	return up, err
}

// exactReader notices a body that ends before its announced length.
type exactReader struct {
	r         io.Reader
	want, got int64
	short     bool
}

func (e *exactReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	e.got += int64(n)
	if err == io.EOF && e.got < e.want {
		e.short = true
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// putOptions always sets PartSize; see the package comment.
func (s *Store) putOptions(opts archive.PutOptions) minio.PutObjectOptions {
	p := minio.PutObjectOptions{ContentType: opts.ContentType, PartSize: s.partSize}
	if p.ContentType == "" {
		p.ContentType = defaultContentType
	}
	switch {
	case opts.IfNoneMatch:
		p.SetMatchETagExcept("*")
	case opts.IfMatch != "":
		p.SetMatchETag(opts.IfMatch)
	}
	return p
}

// readAhead reads up to smallObject bytes of r. If r ends there it returns
// them with their size; otherwise a reader of the whole body and -1.
func readAhead(r io.Reader) (io.Reader, int64, error) {
	var head bytes.Buffer
	n, err := io.CopyN(&head, r, smallObject+1)
	if err == io.EOF {
		return bytes.NewReader(head.Bytes()), n, nil
	}
	if err != nil {
		return nil, 0, err
	}
	return io.MultiReader(&head, r), -1, nil
}

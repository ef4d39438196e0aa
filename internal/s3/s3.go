// Package s3 implements archive.Blobs on an S3-compatible object store
// (versitygw, SeaweedFS, AWS S3, Ceph, MinIO) with minio-go.
//
// Addressing is path-style, which every S3-compatible server accepts.
// Every upload sets an explicit part size: minio-go otherwise sizes parts of
// an upload of unknown length for a 5 TiB object and allocates a buffer of
// about 528 MiB for it. With the part size set, an upload of unknown length
// holds at most one part in memory, whatever its length. A body of known
// length larger than a part (a media PUT) holds none: each part is read from
// the body while its UploadPart request is sent, with at most two requests
// open, the next streaming while the last waits for its answer
// (stream.go). Such parts cannot be sent again, so minio-go's retries do not
// apply to them; a failed part fails and aborts the upload.
//
// Conditional writes are the server's: If-Match / If-None-Match: * on the
// PUT, or on CompleteMultipartUpload for an upload larger than one part, as
// AWS S3 has supported since 2024. minio-go's PutObject drops those headers
// from CompleteMultipartUpload, so this package drives multipart uploads
// itself (multipart.go). The conformance suite races conditional creates of
// small and multipart bodies against versitygw v1.8.0, which decides them
// correctly; a server that ignored the headers would fail it.
//
// An upload of unknown length is read ahead by up to 1 MiB: if it ends
// there it goes up as one PUT, otherwise in parts.
package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// DefaultPartSize is the part size when Config.PartSize is zero.
const DefaultPartSize = 16 << 20

// minPartSize is the smallest part S3 accepts (but for the last).
const minPartSize = 5 << 20

// Config says where the bucket is and how to reach it.
type Config struct {
	Endpoint     string // host:port, without a scheme
	Bucket       string
	Region       string // empty: us-east-1
	AccessKey    string
	SecretKey    string
	Secure       bool   // https
	PartSize     uint64 // bytes per part of multipart uploads; zero: DefaultPartSize
	CreateBucket bool   // create the bucket on Open if it does not exist
	MaxRetries   int    // attempts per request on network errors and 5xx; zero: minio-go's 10
}

// Store is an archive.Blobs on one bucket. It is safe for concurrent use.
type Store struct {
	client   *minio.Client
	core     minio.Core
	bucket   string
	partSize uint64
	conns    *http.Transport // minio-go's default, kept for CloseIdleConnections
}

// Open returns a store for the bucket. It does no I/O unless
// cfg.CreateBucket is set, so that a server can start while its storage is
// still coming up; Ping tells when it is reachable.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("s3: open: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.PartSize == 0 {
		cfg.PartSize = DefaultPartSize
	}
	conns, err := minio.DefaultTransport(cfg.Secure)
	if err != nil {
		return nil, fmt.Errorf("s3: open: %w", err)
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Transport:    conns,
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       cfg.Secure,
		Region:       cfg.Region,
		BucketLookup: minio.BucketLookupPath,
		MaxRetries:   cfg.MaxRetries,
	})
	if err != nil {
		return nil, fmt.Errorf("s3: open: %w: %w", archive.ErrInvalid, err)
	}
	s := &Store{client: client, core: minio.Core{Client: client}, bucket: cfg.Bucket, partSize: cfg.PartSize, conns: conns}
	if cfg.CreateBucket {
		if err := s.createBucket(ctx, cfg.Region); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// CloseIdleConnections closes the kept-alive connections to the server
// that no call is using, as http.Transport's does; calls in progress keep
// theirs. Idle ones otherwise close after a minute unused.
func (s *Store) CloseIdleConnections() { s.conns.CloseIdleConnections() }

func (c Config) validate() error {
	switch {
	case c.Endpoint == "":
		return fmt.Errorf("no endpoint: %w", archive.ErrInvalid)
	case strings.Contains(c.Endpoint, "://"):
		return fmt.Errorf("endpoint %q must be host:port without a scheme (set Secure for https): %w", c.Endpoint, archive.ErrInvalid)
	case c.Bucket == "":
		return fmt.Errorf("no bucket: %w", archive.ErrInvalid)
	case c.PartSize != 0 && c.PartSize < minPartSize:
		return fmt.Errorf("part size %d is below the S3 minimum of 5 MiB: %w", c.PartSize, archive.ErrInvalid)
	}
	return nil
}

func (s *Store) createBucket(ctx context.Context, region string) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return s.fail("create bucket", s.bucket, err)
	}
	if exists {
		return nil
	}
	err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: region})
	if code := errorCode(err); code == "BucketAlreadyOwnedByYou" || code == "BucketAlreadyExists" {
		return nil // created meanwhile by another replica
	}
	if err != nil {
		return s.fail("create bucket", s.bucket, err)
	}
	return nil
}

// Ping reports whether the bucket is reachable.
func (s *Store) Ping(ctx context.Context) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return s.fail("ping", s.bucket, err)
	}
	if !exists {
		return fmt.Errorf("s3: ping: bucket %q does not exist: %w", s.bucket, archive.ErrUnavailable)
	}
	return nil
}

// maxPresign is the longest lifetime S3 allows a presigned URL.
const maxPresign = 7 * 24 * time.Hour

// PresignGet returns a URL that fetches the object without credentials
// until ttl has passed; see archive.Presigner. It does not check that the
// object exists.
func (s *Store) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := archive.ValidKey(key); err != nil {
		return "", fmt.Errorf("s3: presign: %w", err)
	}
	if ttl < time.Second || ttl > maxPresign {
		return "", fmt.Errorf("s3: presign %q: lifetime %s outside 1s..168h: %w", key, ttl, archive.ErrInvalid)
	}
	u, err := s.client.PresignedGetObject(ctx, s.bucket, key, ttl, nil)
	if err != nil {
		return "", s.fail("presign", key, err)
	}
	return u.String(), nil
}

// fail wraps err from an operation on key with the archive sentinel it
// stands for, so that callers can tell a missing object from a lost race or
// an unreachable server.
func (s *Store) fail(op, key string, err error) error {
	if sentinel := classify(err); sentinel != nil {
		return fmt.Errorf("s3: %s %q: %w: %w", op, key, sentinel, err)
	}
	return fmt.Errorf("s3: %s %q: %w", op, key, err)
}

func classify(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil // the caller's own doing, not the store's state
	}
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		return classifyResponse(resp)
	}
	var netErr net.Error
	var urlErr *url.Error
	if errors.As(err, &netErr) || errors.As(err, &urlErr) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) {
		return archive.ErrUnavailable
	}
	return nil
}

func classifyResponse(resp minio.ErrorResponse) error {
	switch resp.Code {
	case "NoSuchKey":
		return archive.ErrNotFound
	case "PreconditionFailed", "ConditionalRequestConflict":
		return archive.ErrPrecondition
	case "InvalidRange":
		return archive.ErrRangeNotSatisfy
	case "NoSuchBucket", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "SlowDown":
		return archive.ErrUnavailable
	}
	switch {
	case resp.StatusCode == 404:
		return archive.ErrNotFound
	case resp.StatusCode == 412:
		return archive.ErrPrecondition
	case resp.StatusCode == 416:
		return archive.ErrRangeNotSatisfy
	case resp.StatusCode == 403 || resp.StatusCode >= 500:
		return archive.ErrUnavailable
	}
	return nil
}

func errorCode(err error) string {
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		return resp.Code
	}
	return ""
}

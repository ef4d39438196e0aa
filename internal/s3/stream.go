package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/minio/minio-go/v7"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// partsInFlight bounds the UploadPart requests of one upload that are open
// at once: one sending its bytes, one waiting for the server's answer. No
// part is held in memory, so the bound is on requests, not on bytes.
const partsInFlight = 2

// streamParts sends a body of known length as parts read straight from r
// into each UploadPart request, without a part buffer: minio-go signs the
// bytes as they pass (aws-chunked, 64 KiB at a time; UNSIGNED-PAYLOAD over
// TLS), so nothing is read twice. Part n+1 starts as soon as part n's last
// byte has been read, while part n's answer is still on its way.
//
// A part streamed from a request body cannot be sent again, so minio-go
// does not retry it; a failed part fails the upload, which the caller
// aborts.
func (s *Store) streamParts(ctx context.Context, key, id string, r io.Reader, size int64) ([]minio.CompletePart, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	partSize := int64(s.partSize)
	count := int((size + partSize - 1) / partSize)
	parts := make([]minio.CompletePart, count)
	slots := make(chan struct{}, partsInFlight)
	var wg sync.WaitGroup
	var offset int64
send:
	for i := range count {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			break send
		}
		body := newPartReader(r, min(partSize, size-offset), offset, size)
		offset += body.left
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			part, err := s.core.PutObjectPart(ctx, s.bucket, key, id, i+1, body, body.want, minio.PutObjectPartOptions{})
			if err := body.finish(err); err != nil {
				cancel(err)
				return
			}
			parts[i] = minio.CompletePart{PartNumber: part.PartNumber, ETag: part.ETag}
		}()
		select {
		case <-body.drained:
		case <-ctx.Done():
			break send
		}
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	switch n, err := io.ReadFull(r, make([]byte, 1)); {
	case n > 0:
		return nil, fmt.Errorf("body longer than the announced %d bytes: %w", size, archive.ErrInvalid)
	case err != io.EOF:
		return nil, fmt.Errorf("read body: %w", err)
	}
	return parts, nil
}

// partReader hands one part's bytes of the shared body to one UploadPart
// request. After finish, or once its bytes are all read, it never touches
// the body again, so the next part may read it while this request waits for
// its answer, and nothing reads the body after Put returns (net/http may
// still call Read on a request body after the request has ended).
type partReader struct {
	mu       sync.Mutex
	r        io.Reader
	want     int64 // the part's length
	left     int64 // bytes of the part not yet read
	offset   int64 // of the part in the body
	size     int64 // of the whole body, as announced
	err      error // the body's own failure, if it failed
	done     bool
	drained  chan struct{} // closed when the body is no longer read here
	drainOne sync.Once
}

func newPartReader(r io.Reader, n, offset, size int64) *partReader {
	return &partReader{r: r, want: n, left: n, offset: offset, size: size, drained: make(chan struct{})}
}

var errPartEnded = errors.New("s3: part body read after its request ended")

func (p *partReader) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.done:
		return 0, errPartEnded
	case p.err != nil:
		return 0, p.err
	case p.left == 0:
		return 0, io.EOF
	}
	if int64(len(b)) > p.left {
		b = b[:p.left]
	}
	n, err := p.r.Read(b)
	p.left -= int64(n)
	switch {
	case err != nil && err != io.EOF:
		p.err = fmt.Errorf("read body: %w", err)
	case p.left == 0:
		err = nil // the part is whole; whether more follows is asked after the last part
	case err == io.EOF:
		got := p.offset + p.want - p.left
		p.err = fmt.Errorf("body ended after %d bytes, announced %d: %w", got, p.size, archive.ErrInvalid)
		err = io.ErrUnexpectedEOF
	}
	if p.left == 0 || p.err != nil {
		p.drain()
	}
	return n, err
}

func (p *partReader) drain() { p.drainOne.Do(func() { close(p.drained) }) }

// finish ends the part's use of the body, waiting for a Read in progress,
// and returns the error that ended the request: the body's own, if it
// failed (the client's complaint about the length would read as the store
// failing), else reqErr.
func (p *partReader) finish(reqErr error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = true
	p.drain()
	if p.err != nil {
		return p.err
	}
	if reqErr == nil && p.left > 0 {
		return fmt.Errorf("part at %d: the request ended with %d of %d bytes sent", p.offset, p.want-p.left, p.want)
	}
	return reqErr
}

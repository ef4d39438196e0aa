package archive

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/verbatim-archive/verbatim/internal/media"
)

// probeMedia describes the stored object key (size bytes) from its
// headers. Content that is not a recording Verbatim keeps is ErrUnsupported
// with what it was found to be.
func (s *Service) probeMedia(ctx context.Context, id, key string, size int64) (media.Info, error) {
	r := &blobReaderAt{ctx: ctx, s: s, key: key, size: size}
	info, err := media.Probe(ctx, r, size, media.Limits{})
	var nm *media.NotMediaError
	switch {
	case err == nil:
		return info, nil
	case errors.As(err, &nm):
		return media.Info{}, fmtErr("put media", id, ErrUnsupported, nm.Message())
	case ctx.Err() != nil:
		return media.Info{}, ctx.Err()
	case errors.Is(err, context.DeadlineExceeded):
		return media.Info{}, fmt.Errorf("archive: probe media of %s: the store is too slow: %w: %w", id, ErrUnavailable, err)
	case errors.Is(err, media.ErrTooCostly):
		return media.Info{}, fmtErr("put media", id, ErrUnsupported, err.Error())
	}
	return media.Info{}, fmt.Errorf("archive: probe media of %s: %w", id, err)
}

// blobReaderAt reads a stored object at offsets, a block at a time, and
// keeps the last few blocks: the probe's many small header reads become a
// handful of range requests to the store.
type blobReaderAt struct {
	ctx    context.Context
	s      *Service
	key    string
	size   int64
	blocks [4]struct {
		off  int64
		data []byte
	}
	next int
}

const probeBlock = 64 << 10

func (b *blobReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		at := off + int64(n)
		if at >= b.size {
			return n, io.EOF
		}
		blk, err := b.block(at / probeBlock * probeBlock)
		if err != nil {
			return n, err
		}
		n += copy(p[n:], blk[at%probeBlock:])
	}
	return n, nil
}

func (b *blobReaderAt) block(off int64) ([]byte, error) {
	for _, blk := range b.blocks {
		if blk.data != nil && blk.off == off {
			return blk.data, nil
		}
	}
	length := min(probeBlock, b.size-off)
	rc, err := b.s.openRange(b.ctx, b.key, off, length)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data := make([]byte, length)
	if _, err := io.ReadFull(rc, data); err != nil {
		return nil, fmt.Errorf("archive: read %s at %d: %w", b.key, off, err)
	}
	b.blocks[b.next].off, b.blocks[b.next].data = off, data
	b.next = (b.next + 1) % len(b.blocks)
	return data, nil
}

// openRange opens length bytes of key from offset, without the object's
// metadata when the store can.
func (s *Service) openRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if ro, ok := s.blobs.(rangeOpener); ok {
		return ro.OpenRange(ctx, key, offset, length)
	}
	rc, _, err := s.blobs.Get(ctx, key, offset, length)
	return rc, err
}

// mediaType is the type a probed file is served as, and the extension
// its object gets: from the content, never the name the editor gave.
func mediaType(info media.Info) (contentType, ext string) {
	kind := "video/"
	if !info.HasVideo() {
		kind = "audio/"
	}
	switch info.Container {
	case "webm":
		return kind + "webm", ".webm"
	case "matroska":
		return kind + "x-matroska", ".mkv"
	case "mov":
		return "video/quicktime", ".mov"
	}
	if !info.HasVideo() {
		return "audio/mp4", ".m4a"
	}
	return "video/mp4", ".mp4"
}

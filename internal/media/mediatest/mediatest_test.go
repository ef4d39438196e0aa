package mediatest_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/media"
	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
)

// The made files are what their specs say; TestProbeMade checks the rest.
func TestSizedAndHeader(t *testing.T) {
	for _, size := range []int{2048, 10000, 1 << 20} {
		b := mediatest.Sized(t, size)
		if len(b) != size {
			t.Fatalf("Sized(%d) = %d bytes", size, len(b))
		}
		info, err := media.Probe(t.Context(), bytes.NewReader(b), int64(len(b)), media.Limits{})
		if err != nil || !info.Faststart || info.DurationMS != 2000 {
			t.Errorf("Probe(Sized(%d)) = %+v, %v; want a 2s faststart MP4", size, info, err)
		}
	}
	// A 5 GiB file needs a 64-bit mdat size: only its header is real here.
	const big = 5 << 30
	h := mediatest.Header(t, big)
	r := &zerosAfter{head: h, size: big}
	info, err := media.Probe(t.Context(), r, big, media.Limits{})
	if err != nil || info.DurationMS != 2000 {
		t.Errorf("Probe(Header(5 GiB)) = %+v, %v", info, err)
	}
}

type zerosAfter struct {
	head []byte
	size int64
}

func (z *zerosAfter) ReadAt(p []byte, off int64) (int, error) {
	if off >= z.size {
		return 0, io.EOF
	}
	clear(p)
	if off < int64(len(z.head)) {
		copy(p, z.head[off:])
	}
	if n := z.size - off; n < int64(len(p)) {
		return int(n), io.EOF
	}
	return len(p), nil
}

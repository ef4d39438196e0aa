package blobtest

import (
	"bytes"
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Generator returns a reader of n deterministic pseudo-random bytes that
// allocates nothing per byte, for large uploads in tests and benchmarks.
func Generator(seed uint64, n int64) io.Reader {
	return io.LimitReader(rand.NewChaCha8(seedBytes(seed)), n)
}

func seedBytes(seed uint64) [32]byte {
	var s [32]byte
	for i := range 8 {
		s[i] = byte(seed >> (8 * i))
	}
	return s
}

// testLargeStream uploads 20 MiB of unknown length (several S3 parts at a
// small part size) and checks every byte by hash and a range across the
// middle.
func testLargeStream(t *testing.T, b archive.Blobs) {
	const key = "recordings/big/media/talk.mp4"
	const size = 20 << 20
	info, err := b.Put(t.Context(), key, onlyReader{Generator(1, size)}, -1, archive.PutOptions{ContentType: "video/mp4"})
	if err != nil {
		t.Fatalf("Put(%q, 20 MiB, size -1) = %v", key, err)
	}
	if info.Size != size {
		t.Errorf("Put(%q).Size = %d; want %d", key, info.Size, size)
	}
	want := sha256.New()
	io.Copy(want, Generator(1, size))

	rc, ginfo, err := b.Get(t.Context(), key, 0, -1)
	if err != nil {
		t.Fatalf("Get(%q) = %v", key, err)
	}
	got := sha256.New()
	n, err := io.Copy(got, rc)
	rc.Close()
	if err != nil || n != size || !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Errorf("Get(%q) = %d bytes, %v, sha256 %x; want %d bytes, sha256 %x", key, n, err, got.Sum(nil), size, want.Sum(nil))
	}
	if ginfo.ETag != info.ETag || ginfo.Size != size {
		t.Errorf("Get(%q) info = %+v; want the Put's %+v", key, ginfo, info)
	}

	const off, length = 16<<20 - 1000, 5000
	wantRange := make([]byte, length)
	src := Generator(1, size)
	io.CopyN(io.Discard, src, off)
	io.ReadFull(src, wantRange)
	gotRange, _ := get(t, b, key, off, length)
	if !bytes.Equal(gotRange, wantRange) {
		t.Errorf("Get(%q, %d, %d) differs from the bytes put", key, off, length)
	}
}

// sameBytes reports whether a and b read the same bytes, by hash.
func sameBytes(a, b io.Reader) bool {
	ha, hb := sha256.New(), sha256.New()
	_, errA := io.Copy(ha, a)
	_, errB := io.Copy(hb, b)
	return errA == nil && errB == nil && bytes.Equal(ha.Sum(nil), hb.Sum(nil))
}

package disk_test

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/blobtest"
	"github.com/verbatim-archive/verbatim/internal/disk"
)

// BenchmarkPut compares Store.Put with the least any atomic file write
// costs: copy to a temporary file, fsync, rename, fsync the directory. The
// store adds hashing, a sidecar and a lock on top. Both run in every
// iteration; it reports the throughput of each and store/plain.
//
//	go test -run '^$' -bench Put ./internal/disk
func BenchmarkPut(b *testing.B) {
	for _, size := range []int64{64 << 10, 64 << 20} {
		b.Run(fmt.Sprintf("size=%dKiB", size>>10), func(b *testing.B) {
			s, err := disk.Open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			plainDir := b.TempDir()
			var ours, plain time.Duration
			storePut := func(i int) {
				start := time.Now()
				_, err := s.Put(b.Context(), "bench/media.mp4", onlyReader{blobtest.Generator(uint64(i), size)}, -1, archive.PutOptions{})
				ours += time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
			}
			plainPut := func(i int) {
				start := time.Now()
				err := plainWrite(plainDir, onlyReader{blobtest.Generator(uint64(i), size)})
				plain += time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
			}
			for i := 0; b.Loop(); i++ {
				if i%2 == 0 { // alternate who goes first
					storePut(i)
					plainPut(i)
				} else {
					plainPut(i)
					storePut(i)
				}
			}
			mb := float64(size) * float64(b.N) / 1e6
			b.ReportMetric(mb/ours.Seconds(), "store-MB/s")
			b.ReportMetric(mb/plain.Seconds(), "plain-MB/s")
			b.ReportMetric(plain.Seconds()/ours.Seconds(), "store/plain")
		})
	}
}

// plainWrite is the peer: an atomic replace with nothing else. It hashes
// too, since any store that offers ETags must read the bytes once.
func plainWrite(dir string, r io.Reader) error {
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	h := sha256.New()
	if _, err := io.CopyBuffer(io.MultiWriter(f, h), r, make([]byte, 256<<10)); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, "media.mp4")); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

package s3_test

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/blobtest"
	"github.com/verbatim-archive/verbatim/internal/s3"
	"github.com/verbatim-archive/verbatim/internal/testenv"
)

// BenchmarkPut compares Store.Put with a direct minio-go PutObject of the
// same bytes to the same versitygw, running both in every iteration, in
// alternating order, so that both see the same machine state. It reports the throughput of each
// and store/minio, the wrapper's cost (or gain) as a ratio.
//
//	go test -run '^$' -bench Put ./internal/s3
func BenchmarkPut(b *testing.B) {
	srv := testenv.StartVersityGW(b)
	store, err := s3.Open(b.Context(), config(srv))
	if err != nil {
		b.Fatal(err)
	}
	client, err := srv.Client()
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []int64{256 << 10, 64 << 20} {
		for _, known := range []bool{true, false} {
			name := fmt.Sprintf("size=%dKiB/known=%t", size>>10, known)
			b.Run(name, func(b *testing.B) { benchPut(b, store, client, srv.Bucket, size, known) })
		}
	}
}

func benchPut(b *testing.B, store *s3.Store, client *minio.Client, bucket string, size int64, known bool) {
	n := int64(-1)
	if known {
		n = size
	}
	// Both sides send a plain reader (an HTTP request body) and the same
	// part size; without it minio-go would buffer 528 MiB per upload of
	// unknown length.
	opts := minio.PutObjectOptions{PartSize: s3.DefaultPartSize, ContentType: "video/mp4"}
	var ours, theirs time.Duration
	storePut := func(i int) {
		start := time.Now()
		_, err := store.Put(b.Context(), "bench/store", onlyReader{blobtest.Generator(uint64(i), size)}, n,
			archive.PutOptions{ContentType: "video/mp4"})
		ours += time.Since(start)
		if err != nil {
			b.Fatalf("Store.Put = %v", err)
		}
	}
	minioPut := func(i int) {
		start := time.Now()
		_, err := client.PutObject(b.Context(), bucket, "bench/minio", io.Reader(onlyReader{blobtest.Generator(uint64(i), size)}), n, opts)
		theirs += time.Since(start)
		if err != nil {
			b.Fatalf("minio PutObject = %v", err)
		}
	}
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 { // alternate who goes first
			storePut(i)
			minioPut(i)
		} else {
			minioPut(i)
			storePut(i)
		}
	}
	mb := float64(size) * float64(b.N) / 1e6
	b.ReportMetric(mb/ours.Seconds(), "store-MB/s")
	b.ReportMetric(mb/theirs.Seconds(), "minio-MB/s")
	b.ReportMetric(theirs.Seconds()/ours.Seconds(), "store/minio")
}

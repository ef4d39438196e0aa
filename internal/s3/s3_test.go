package s3_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/blobtest"
	"github.com/verbatim-archive/verbatim/internal/s3"
	"github.com/verbatim-archive/verbatim/internal/testenv"
)

// opener returns a function that opens a store on a new bucket of srv, so
// that every caller starts empty.
func opener(srv *testenv.S3Server, partSize uint64) func(t *testing.T) *s3.Store {
	var n atomic.Int64
	return func(t *testing.T) *s3.Store {
		t.Helper()
		s, err := s3.Open(t.Context(), s3.Config{
			Endpoint:     srv.Endpoint,
			Bucket:       fmt.Sprintf("test-%d", n.Add(1)),
			Region:       srv.Region,
			AccessKey:    srv.AccessKey,
			SecretKey:    srv.SecretKey,
			PartSize:     partSize,
			CreateBucket: true,
		})
		if err != nil {
			t.Fatalf("Open = %v", err)
		}
		return s
	}
}

func TestConformance(t *testing.T) {
	open := opener(testenv.StartVersityGW(t), 5<<20)
	blobtest.Run(t, func(t *testing.T) archive.Blobs { return open(t) })
}

// TestSeaweedFSConformance runs the whole blob suite against a distributed
// SeaweedFS (master, two volume servers, filer, S3 gateway) that the test
// starts: a second S3 implementation for conditional writes, multipart
// uploads and ranges.
func TestSeaweedFSConformance(t *testing.T) {
	open := opener(testenv.StartSeaweedFS(t), 5<<20)
	blobtest.Run(t, func(t *testing.T) archive.Blobs { return open(t) })
}

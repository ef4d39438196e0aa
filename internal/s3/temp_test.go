package s3_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/verbatim-archive/verbatim/internal/s3"
	"github.com/verbatim-archive/verbatim/internal/testenv"
)

// TestIncompleteUploadsListedAndAborted: a multipart upload its writer
// never finished (a process killed mid-upload) is what ListTemp reports,
// with the bytes of its parts, once it is older than the age asked for;
// CleanTemp aborts it and frees its parts.
func TestIncompleteUploadsListedAndAborted(t *testing.T) {
	srv := testenv.StartVersityGW(t)
	s := mustOpen(t, s3.Config{Endpoint: srv.Endpoint, Bucket: srv.Bucket, Region: srv.Region,
		AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, PartSize: testPart})
	client, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	core := minio.Core{Client: client}
	const key = "recordings/r/media/killed.mp4"
	id, err := core.NewMultipartUpload(t.Context(), srv.Bucket, key, minio.PutObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	part := bytes.Repeat([]byte("m"), 1000)
	if _, err := core.PutObjectPart(t.Context(), srv.Bucket, key, id, 1, bytes.NewReader(part), int64(len(part)), minio.PutObjectPartOptions{}); err != nil {
		t.Fatal(err)
	}

	if temps, err := s.ListTemp(t.Context(), time.Hour); err != nil || len(temps) != 0 {
		t.Errorf("ListTemp(1h) = %v, %v; want nothing (the upload is seconds old)", temps, err)
	}
	temps, err := s.ListTemp(t.Context(), 0)
	if err != nil || len(temps) != 1 || !strings.HasPrefix(temps[0].Key, key+"#upload=") || temps[0].Size != int64(len(part)) {
		t.Fatalf("ListTemp(0) = %+v, %v; want the one upload of %s with %d bytes", temps, err, key, len(part))
	}
	if n, err := s.CleanTemp(t.Context(), 0); err != nil || n != 1 {
		t.Errorf("CleanTemp(0) = %d, %v; want 1", n, err)
	}
	for up := range client.ListIncompleteUploads(t.Context(), srv.Bucket, "", true) {
		t.Errorf("after CleanTemp, upload %+v still open", up)
	}
}

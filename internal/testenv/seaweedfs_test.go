package testenv_test

import (
	"bytes"
	"io"
	"net"
	"os"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/verbatim-archive/verbatim/internal/testenv"
)

// The cluster keeps what it stored across a Stop (every process killed)
// and a Restart on the same ports and directories.
func TestSeaweedFSStopRestart(t *testing.T) {
	s := testenv.StartSeaweedFS(t)
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	body := []byte("survives a restart")
	if _, err := c.PutObject(ctx, s.Bucket, "a/b", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{}); err != nil {
		t.Fatalf("PutObject = %v", err)
	}
	if err := s.Stop(); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	if conn, err := net.Dial("tcp", s.Endpoint); err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after Stop", s.Endpoint)
	}
	if err := s.Restart(ctx); err != nil {
		t.Fatalf("Restart = %v", err)
	}
	obj, err := c.GetObject(ctx, s.Bucket, "a/b", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	got, err := io.ReadAll(obj)
	if err != nil || !bytes.Equal(got, body) {
		t.Errorf("object after Restart = %q, %v; want %q", got, err, body)
	}
}

func TestSeaweedFSBinaryIsCached(t *testing.T) {
	if os.Getenv("VERBATIM_TEST_SKIP_S3") == "1" {
		t.Skip("VERBATIM_TEST_SKIP_S3=1")
	}
	first, err := testenv.SeaweedFSBinary(t.Context(), t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	second, err := testenv.SeaweedFSBinary(t.Context(), t.Logf)
	if err != nil || second != first {
		t.Errorf("SeaweedFSBinary again = %q, %v; want %q", second, err, first)
	}
}

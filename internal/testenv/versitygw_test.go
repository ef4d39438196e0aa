package testenv_test

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/verbatim-archive/verbatim/internal/testenv"
)

func TestVersityGWStopRestart(t *testing.T) {
	s := testenv.StartVersityGW(t)
	c, err := s.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	body := []byte("survives a restart")
	if _, err := c.PutObject(ctx, s.Bucket, "a/b", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{}); err != nil {
		t.Fatalf("PutObject = %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.BucketDir(), "a", "b")); err != nil {
		t.Errorf("object not in BucketDir: %v", err)
	}

	if err := s.Stop(); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	if conn, err := net.Dial("tcp", s.Endpoint); err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after Stop", s.Endpoint)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop = %v; want nil", err)
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
	if err := s.Restart(ctx); err != nil {
		t.Errorf("Restart of a running server = %v", err)
	}
}

func TestBinaryIsCached(t *testing.T) {
	if os.Getenv("VERBATIM_TEST_SKIP_S3") == "1" {
		t.Skip("VERBATIM_TEST_SKIP_S3=1")
	}
	first, err := testenv.Binary(t.Context(), t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	second, err := testenv.Binary(t.Context(), t.Logf)
	if err != nil || second != first {
		t.Errorf("Binary again = %q, %v; want %q", second, err, first)
	}
	fi, err := os.Stat(first)
	if err != nil {
		t.Fatalf("Binary = %q: %v", first, err)
	}
	if fi.Mode()&0o111 == 0 {
		t.Errorf("Binary = %q with mode %v; want an executable", first, fi.Mode())
	}
}

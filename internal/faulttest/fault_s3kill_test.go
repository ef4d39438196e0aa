package faulttest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/check"
	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
	"github.com/verbatim-archive/verbatim/internal/s3"
	"github.com/verbatim-archive/verbatim/internal/testenv"
)

const partSize = 5 << 20 // S3's minimum: the smallest upload that is multipart

func s3Env(endpoint string, srv *testenv.S3Server) []string {
	return []string{
		"VERBATIM_S3_ENDPOINT=" + endpoint,
		"VERBATIM_S3_BUCKET=" + srv.Bucket,
		"VERBATIM_S3_REGION=" + srv.Region,
		"VERBATIM_S3_ACCESS_KEY=" + srv.AccessKey,
		"VERBATIM_S3_SECRET_KEY=" + srv.SecretKey,
		fmt.Sprintf("VERBATIM_S3_PART_SIZE=%d", partSize),
	}
}

func openS3(t *testing.T, srv *testenv.S3Server) *s3.Store {
	t.Helper()
	store, err := s3.Open(context.Background(), s3.Config{
		Endpoint: srv.Endpoint, Bucket: srv.Bucket, Region: srv.Region,
		AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, PartSize: partSize,
	})
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// mustCheck runs check on store and fails the test unless it is
// consistent; it returns the report.
func mustCheck(t *testing.T, store archive.Blobs, opts check.Options) check.Report {
	t.Helper()
	rep, err := check.Run(context.Background(), store, opts)
	if err != nil {
		t.Fatalf("check.Run = %v", err)
	}
	if !rep.OK() {
		var b bytes.Buffer
		rep.WriteText(&b)
		t.Fatalf("storage is inconsistent:\n%s", b.String())
	}
	return rep
}

// TestS3KilledDuringUpload: the S3 server (versitygw) dies after the first part of a
// multipart media upload has landed. The upload answers a clear error,
// the recording does not point at half-written media, and after a restart
// of the S3 server the same upload succeeds.
func TestS3KilledDuringUpload(t *testing.T) { testS3KilledDuringUpload(t, testenv.StartVersityGW) }

// TestSeaweedFSKilledDuringUpload is TestS3KilledDuringUpload against a distributed SeaweedFS.
func TestSeaweedFSKilledDuringUpload(t *testing.T) {
	testS3KilledDuringUpload(t, testenv.StartSeaweedFS)
}

func testS3KilledDuringUpload(t *testing.T, start func(testing.TB) *testenv.S3Server) {
	srv := start(t)
	watch, err := NewHoldProxy(srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	s := startServer(t, t.TempDir(), s3Env(watch.Addr(), srv)...)
	s.editor()
	s.create("s3-killed", "published")

	// Hold the second part: by then the first has landed, and the server is
	// waiting on S3 mid-upload.
	watch.Hold(func(r *http.Request) bool {
		return r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/media/") && r.URL.Query().Get("partNumber") == "2"
	})
	media := mediatest.Sized(t, (2*partSize+partSize/2)/8*8)
	done := make(chan struct{})
	var resp *http.Response
	var msg []byte
	var upErr error
	go func() {
		defer close(done)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		resp, msg, upErr = s.do(ctx, http.MethodPut, "/api/v1/recordings/s3-killed/media", bytes.NewReader(media), int64(len(media)), map[string]string{"Content-Type": "video/mp4"})
	}()
	select {
	case <-watch.Held():
	case <-done:
		t.Fatalf("upload finished before part 2 was sent: %v %v %s", upErr, resp, msg)
	case <-time.After(30 * time.Second):
		t.Fatal("the server never sent part 2 of the upload")
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("stop the S3 server: %v", err)
	}
	stopped := time.Now()
	watch.Release()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the upload did not end after S3 died")
	}
	if upErr != nil {
		t.Fatalf("upload with S3 dead: transport error %v; want an HTTP error answer", upErr)
	}
	if resp.StatusCode < 500 || !bytes.Contains(msg, []byte(`"error"`)) {
		t.Errorf("upload with S3 dead = %s %s; want a 5xx JSON error", resp.Status, msg)
	}
	t.Logf("upload with S3 dead answered after %s: %s %s", time.Since(stopped).Round(time.Millisecond), resp.Status, bytes.TrimSpace(msg))

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := srv.Restart(ctx); err != nil {
		t.Fatalf("restart the S3 server: %v", err)
	}
	t.Logf("the S3 server restarted %s after the stop", time.Since(stopped).Round(time.Millisecond))
	mustCheck(t, openS3(t, srv), check.Options{})
	if rec, _ := s.get("s3-killed"); rec.Media != nil {
		t.Fatalf("after the failed upload the recording points at media of %d bytes", rec.Media.Size)
	}
	s.must(http.MethodPut, "/api/v1/recordings/s3-killed/media", media, http.StatusCreated, map[string]string{"Content-Type": "video/mp4"})
	t.Logf("retried %s after the stop", time.Since(stopped).Round(time.Millisecond))
	_, got := s.must(http.MethodGet, "/media/s3-killed", nil, http.StatusOK, nil)
	if !bytes.Equal(got, media) {
		t.Errorf("GET /media/s3-killed after the retry: %d bytes, not the %d uploaded", len(got), len(media))
	}
}

// TestSIGKILLBeforeManifestOnS3 kills the server at the worst moment of an
// upload: the media object is complete in S3 and the manifest that would
// point at it is being written. The write is held by a proxy, so the crash
// lands exactly there. Storage stays consistent, the media object is an
// orphan, check reports it and Clean removes it; a restarted server takes
// the upload again.
func TestSIGKILLBeforeManifestOnS3(t *testing.T) {
	testSIGKILLBeforeManifestOnS3(t, testenv.StartVersityGW)
}

// TestSeaweedFSSIGKILLBeforeManifestOnS3 is TestSIGKILLBeforeManifestOnS3 against a distributed SeaweedFS.
func TestSeaweedFSSIGKILLBeforeManifestOnS3(t *testing.T) {
	testSIGKILLBeforeManifestOnS3(t, testenv.StartSeaweedFS)
}

func testSIGKILLBeforeManifestOnS3(t *testing.T, start func(testing.TB) *testenv.S3Server) {
	srv := start(t)
	hold, err := NewHoldProxy(srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	s := startServer(t, t.TempDir(), s3Env(hold.Addr(), srv)...)
	s.editor()
	s.create("crash", "published")

	hold.Hold(func(r *http.Request) bool {
		return r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/recordings/crash/manifest.json")
	})
	media := mediatest.Sized(t, 1<<20)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		_, _, _ = s.do(ctx, http.MethodPut, "/api/v1/recordings/crash/media", bytes.NewReader(media), int64(len(media)), map[string]string{"Content-Type": "video/mp4"})
	}()
	select {
	case <-hold.Held():
	case <-time.After(30 * time.Second):
		t.Fatal("the server never wrote the manifest after the media")
	}
	s.kill()
	// The manifest write dies with the process; see HoldProxy.Drop.
	hold.Drop()

	store := openS3(t, srv)
	rep := mustCheck(t, store, check.Options{})
	if len(rep.Orphans) != 1 || !strings.HasPrefix(rep.Orphans[0].Key, "recordings/crash/media/") || rep.Orphans[0].Size != int64(len(media)) {
		t.Fatalf("check orphans = %+v; want the one media object of %d bytes", rep.Orphans, len(media))
	}
	// The operator's view: `verbatim check` reports the orphan, and with
	// --clean removes it (it is a few hundred milliseconds old, hence the
	// tiny --min-age).
	out, err := s.cli("check")
	if err != nil || !strings.Contains(out, "orphan: "+rep.Orphans[0].Key) {
		t.Errorf("verbatim check = %q, %v; want it to report orphan %s", out, err, rep.Orphans[0].Key)
	}
	out, err = s.cli("check", "--clean", "--min-age", "1ms")
	if err != nil || !strings.Contains(out, "removed: "+rep.Orphans[0].Key) {
		t.Errorf("verbatim check --clean = %q, %v; want it to remove %s", out, err, rep.Orphans[0].Key)
	}
	if _, err := store.Stat(context.Background(), rep.Orphans[0].Key); err == nil {
		t.Errorf("orphan %s still exists after clean", rep.Orphans[0].Key)
	}
	if again := mustCheck(t, store, check.Options{}); len(again.Orphans) != 0 {
		t.Errorf("orphans after clean: %+v", again.Orphans)
	}

	s2 := startServer(t, t.TempDir(), s3Env(srv.Endpoint, srv)...)
	s2.token = s.token
	if rec, _ := s2.get("crash"); rec.Media != nil {
		t.Fatalf("after the crash the recording points at media of %d bytes; want none", rec.Media.Size)
	}
	s2.must(http.MethodPut, "/api/v1/recordings/crash/media", media, http.StatusCreated, map[string]string{"Content-Type": "video/mp4"})
	resp, got := s2.must(http.MethodGet, "/media/crash", nil, http.StatusOK, nil)
	if !bytes.Equal(got, media) {
		t.Errorf("GET /media/crash = %s, %d bytes; want the %d uploaded", resp.Status, len(got), len(media))
	}
}

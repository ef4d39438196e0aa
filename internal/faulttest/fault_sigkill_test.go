package faulttest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/check"
	"github.com/verbatim-archive/verbatim/internal/disk"
	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
)

// stalledBody sends head, then blocks until the test ends: an upload in
// progress that the server is reading when it dies.
type stalledBody struct {
	head *bytes.Reader
	sent chan struct{}
	stop <-chan struct{}
}

func (b *stalledBody) Read(p []byte) (int, error) {
	if b.head.Len() > 0 {
		return b.head.Read(p)
	}
	select {
	case <-b.sent:
	default:
		close(b.sent)
	}
	<-b.stop
	return 0, io.ErrUnexpectedEOF
}

// TestSIGKILLDuringUploadOnDisk kills the server with SIGKILL while it
// streams a media upload into the data directory, and restarts it. The
// recording does not point at the half-written media; check finds the
// store consistent and, with Clean, removes what the crash left behind; a
// new upload then succeeds.
func TestSIGKILLDuringUploadOnDisk(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data)
	s.editor()
	s.create("killed", "published")

	stop := make(chan struct{})
	body := &stalledBody{head: bytes.NewReader(bytes.Repeat([]byte("v"), 8<<20)), sent: make(chan struct{}), stop: stop}
	failed := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		resp, msg, err := s.do(ctx, http.MethodPut, "/api/v1/recordings/killed/media", body, 64<<20, map[string]string{"Content-Type": "video/mp4"})
		if err == nil {
			t.Errorf("upload cut by SIGKILL answered %s %s", resp.Status, msg)
		}
		failed <- err
	}()
	select {
	case <-body.sent:
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not read the first 8 MiB of the upload")
	}
	time.Sleep(100 * time.Millisecond) // let the server write what it read
	s.kill()
	close(stop) // the client finishes its write and sees the dead connection
	if err := <-failed; err == nil {
		t.Fatal("the client saw no error")
	}

	store, err := disk.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	rep, err := check.Run(ctx, store, check.Options{})
	if err != nil {
		t.Fatalf("check.Run = %v", err)
	}
	if !rep.OK() {
		var b bytes.Buffer
		rep.WriteText(&b)
		t.Fatalf("after SIGKILL the store is inconsistent:\n%s", b.String())
	}
	cleaned, err := check.Run(ctx, store, check.Options{Clean: true, MinAge: -1})
	if err != nil {
		t.Fatalf("check.Run(clean) = %v", err)
	}
	t.Logf("after SIGKILL: %d objects, %d orphans, %d removed, %d temporary files removed", cleaned.Objects, len(cleaned.Orphans), len(cleaned.Removed), cleaned.TempFiles)
	if cleaned.TempFiles+len(cleaned.Removed) == 0 {
		t.Errorf("check.Run(clean) removed nothing; the killed upload left %d MiB somewhere", 8)
	}
	again, err := check.Run(ctx, store, check.Options{})
	if err != nil || !again.OK() || len(again.Orphans) != 0 {
		t.Errorf("check after clean = %+v, %v; want consistent with no orphans", again, err)
	}

	s2 := startServer(t, data)
	s2.token = s.token
	if rec, _ := s2.get("killed"); rec.Media != nil {
		t.Fatalf("after the crash the recording points at media of %d bytes; want none", rec.Media.Size)
	}
	s2.must(http.MethodGet, "/media/killed", nil, http.StatusNotFound, nil)
	media := mediatest.Sized(t, 1<<20)
	s2.must(http.MethodPut, "/api/v1/recordings/killed/media", media, http.StatusCreated, map[string]string{"Content-Type": "video/mp4"})
	_, got := s2.must(http.MethodGet, "/media/killed", nil, http.StatusOK, nil)
	if !bytes.Equal(got, media) {
		t.Errorf("GET /media/killed after the retry returned %d bytes, not the %d uploaded", len(got), len(media))
	}
}

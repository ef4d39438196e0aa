package check_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/check"
	"github.com/verbatim-archive/verbatim/internal/disk"
)

// TestCleanExpiredUploads: an unfinished upload is reported, kept while it
// can still be resumed and removed by Clean once it expired; the Service
// no longer resumes it either.
func TestCleanExpiredUploads(t *testing.T) {
	ctx := context.Background()
	store, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	now := time.Now()
	svc, err := archive.NewService(archive.Options{Blobs: store, UploadExpiry: time.Hour, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ed := archive.Principal{Name: "ana", Role: archive.RoleEditor}
	if _, _, err := svc.Create(ctx, ed, archive.RecordingInput{ID: "r", Title: "R"}); err != nil {
		t.Fatal(err)
	}
	up, err := svc.NewUpload(ctx, ed, archive.Upload{RecordingID: "r", Filename: "v.webm", Size: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := svc.WriteUpload(ctx, up, 0, strings.NewReader(strings.Repeat("x", 400))); err != nil || n != 400 {
		t.Fatalf("WriteUpload = %d, %v; want 400", n, err)
	}
	rep, err := check.Run(ctx, store, check.Options{Clean: true, UploadExpiry: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Uploads) != 1 || rep.Uploads[0].Expired || rep.Uploads[0].Bytes < 400 || len(rep.Removed) != 0 {
		t.Fatalf("fresh upload: %+v, removed %v; want one resumable upload kept", rep.Uploads, rep.Removed)
	}
	later := func() time.Time { return time.Now().Add(2 * time.Hour) }
	now = later()
	if _, err := svc.GetUpload(ctx, up.ID); err == nil {
		t.Errorf("GetUpload of an expired upload succeeded")
	}
	rep, err = check.Run(ctx, store, check.Options{Clean: true, UploadExpiry: time.Hour, Now: later})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Uploads) != 1 || !rep.Uploads[0].Expired || len(rep.Removed) != 2 {
		t.Errorf("expired upload: %+v, removed %v; want it reported expired and its 2 objects removed", rep.Uploads, rep.Removed)
	}
	if left, _ := store.List(ctx, archive.UploadsPrefix); len(left) != 0 {
		t.Errorf("clean left %d upload objects", len(left))
	}
}

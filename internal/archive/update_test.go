package archive_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/disk"
)

// TestParallelTrackUploadsWithoutCondition: twenty uploads of one track at
// once, none with If-Match, all succeed: a writer that loses the race for
// the manifest reloads and tries again rather than failing a condition
// nobody set.
func TestParallelTrackUploadsWithoutCondition(t *testing.T) {
	e := trackEnv(t)
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			vtt := fmt.Sprintf("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Alice>take %d\n", i)
			_, errs[i] = e.svc.PutTrack(context.Background(), editor, "r", archive.TrackUpload{Lang: "en", Name: "en.vtt", Data: []byte(vtt)})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("upload %d: %v; want every upload to succeed", i, err)
		}
	}
	rec, _, err := e.svc.Get(context.Background(), editor, "r")
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Tracks) != 1 || rec.Tracks[0].Version != n {
		t.Errorf("tracks %+v; want one track at version %d", rec.Tracks, n)
	}
}

// alwaysRaced is a store on which every conditional replace of a manifest
// finds that someone else wrote first.
type alwaysRaced struct {
	archive.Blobs
	tries atomic.Int64
}

func (a *alwaysRaced) Put(ctx context.Context, key string, r io.Reader, size int64, opts archive.PutOptions) (archive.BlobInfo, error) {
	if strings.HasSuffix(key, "/manifest.json") && opts.IfMatch != "" {
		a.tries.Add(1)
		io.Copy(io.Discard, r)
		return archive.BlobInfo{}, fmt.Errorf("test: put %q: someone came first: %w", key, archive.ErrPrecondition)
	}
	return a.Blobs.Put(ctx, key, r, size, opts)
}

// TestUpdateThatKeepsLosingIsAConflict: without If-Match a write that loses
// every bounded retry is a conflict that says so, never a precondition
// failure; with If-Match a lost race is the client's precondition failing.
func TestUpdateThatKeepsLosingIsAConflict(t *testing.T) {
	store, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	blobs := &alwaysRaced{Blobs: store}
	svc, err := archive.NewService(archive.Options{Blobs: blobs, Index: newRecordingIndex()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, _, err := svc.Create(ctx, editor, archive.RecordingInput{ID: "r", Title: "R"}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.PutTrack(ctx, editor, "r", archive.TrackUpload{Lang: "en", Data: []byte("WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n")})
	var ae *archive.Error
	if !errors.Is(err, archive.ErrConflict) || errors.Is(err, archive.ErrPrecondition) || !errors.As(err, &ae) || !strings.Contains(ae.ClientMessage(), "try again") {
		t.Errorf("PutTrack that always loses = %v; want ErrConflict (not ErrPrecondition) saying to try again", err)
	}
	if got := blobs.tries.Load(); got != 20 {
		t.Errorf("%d manifest writes tried; want the bound, 20", got)
	}

	_, etag, err := svc.Get(ctx, editor, "r")
	if err != nil {
		t.Fatal(err)
	}
	title := "New"
	if _, _, err := svc.Patch(ctx, editor, "r", etag, archive.Patch{Title: &title}); !errors.Is(err, archive.ErrPrecondition) {
		t.Errorf("Patch with If-Match that loses = %v; want ErrPrecondition", err)
	}
}

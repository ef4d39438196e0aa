package archive_test

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
)

// keyLog records every read of a key; it keeps the store's Version and
// ranged open.
type keyLog struct {
	archive.Blobs
	mu    sync.Mutex
	reads map[string]int
}

func (k *keyLog) note(key string) {
	k.mu.Lock()
	k.reads[key]++
	k.mu.Unlock()
}

func (k *keyLog) take(key string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := k.reads[key]
	k.reads = map[string]int{}
	return n
}

func (k *keyLog) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, archive.BlobInfo, error) {
	k.note(key)
	return k.Blobs.Get(ctx, key, off, n)
}

func (k *keyLog) OpenRange(ctx context.Context, key string, off, n int64) (io.ReadCloser, error) {
	k.note(key)
	return k.Blobs.(interface {
		OpenRange(context.Context, string, int64, int64) (io.ReadCloser, error)
	}).OpenRange(ctx, key, off, n)
}

func (k *keyLog) Version(ctx context.Context, key string) (string, error) {
	return k.Blobs.(archive.Versioner).Version(ctx, key)
}

// A range after the first reads no manifest (the cached description is
// checked against the manifest's version); a change made through another
// Service on the store — unpublish, new media — applies to the next one.
func TestMediaDescriptionCachedByVersion(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.create(t, archive.RecordingInput{ID: "r", Title: "T", Status: archive.StatusPublished})
	putMedia(t, e, "r", mediatest.Sized(t, 5000))
	log := &keyLog{Blobs: e.store, reads: map[string]int{}}
	svc, err := archive.NewService(archive.Options{Blobs: log, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	const manifest = "recordings/r/manifest.json"
	open := func() (archive.Media, error) {
		rc, m, err := svc.OpenMedia(ctx, viewer, "r", 100, 10)
		if err == nil {
			rc.Close()
		}
		return m, err
	}
	if _, err := open(); err != nil {
		t.Fatal(err)
	}
	if n := log.take(manifest); n != 1 {
		t.Errorf("first range read the manifest %d times; want 1", n)
	}
	for range 3 {
		if _, err := open(); err != nil {
			t.Fatal(err)
		}
	}
	if n := log.take(manifest); n != 0 {
		t.Errorf("three more ranges read the manifest %d times; want 0", n)
	}

	second := putMedia(t, e, "r", mediatest.Sized(t, 3000)) // through the other Service
	if m, err := open(); err != nil || m.Key != second.Key || m.Size != 3000 {
		t.Errorf("after new media the next range has %+v, %v; want key %s of 3000 bytes", m, err, second.Key)
	}
	draft := archive.StatusDraft
	_, etag, _ := e.svc.Get(ctx, editor, "r")
	if _, _, err := e.svc.Patch(ctx, editor, "r", etag, archive.Patch{Status: &draft}); err != nil {
		t.Fatal(err)
	}
	if _, err := open(); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("after unpublishing the next range = %v; want ErrNotFound", err)
	}
	if err := e.svc.Delete(ctx, editor, "r"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.OpenMedia(ctx, editor, "r", 0, 10); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("after deleting the next range = %v; want ErrNotFound", err)
	}
}

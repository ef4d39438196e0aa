package archive_test

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/disk"
)

// stallBlobs is the real store that, once stalled, answers no call: each
// blocks until its context ends, as on a store that stopped answering
// without closing its connections. It notes the calls made without a
// deadline and how often each prefix was listed.
type stallBlobs struct {
	archive.Blobs

	mu          sync.Mutex
	stalled     bool
	undeadlined []string
	lists       map[string]int
}

func (b *stallBlobs) stall(op, key string, ctx context.Context) bool {
	b.mu.Lock()
	stalled := b.stalled
	if stalled {
		if _, ok := ctx.Deadline(); !ok {
			b.undeadlined = append(b.undeadlined, op+" "+key)
		}
		if op == "list" {
			b.lists[key]++
		}
	}
	b.mu.Unlock()
	if stalled {
		<-ctx.Done()
	}
	return stalled
}

func (b *stallBlobs) listed(prefix string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lists[prefix]
}

func (b *stallBlobs) Get(ctx context.Context, key string, offset, length int64) (io.ReadCloser, archive.BlobInfo, error) {
	if b.stall("get", key, ctx) {
		return nil, archive.BlobInfo{}, ctx.Err()
	}
	return b.Blobs.Get(ctx, key, offset, length)
}

func (b *stallBlobs) Stat(ctx context.Context, key string) (archive.BlobInfo, error) {
	if b.stall("stat", key, ctx) {
		return archive.BlobInfo{}, ctx.Err()
	}
	return b.Blobs.Stat(ctx, key)
}

func (b *stallBlobs) Put(ctx context.Context, key string, r io.Reader, size int64, opts archive.PutOptions) (archive.BlobInfo, error) {
	if b.stall("put", key, ctx) {
		return archive.BlobInfo{}, ctx.Err()
	}
	return b.Blobs.Put(ctx, key, r, size, opts)
}

func (b *stallBlobs) Delete(ctx context.Context, key string) error {
	if b.stall("delete", key, ctx) {
		return ctx.Err()
	}
	return b.Blobs.Delete(ctx, key)
}

func (b *stallBlobs) List(ctx context.Context, prefix string) ([]archive.BlobInfo, error) {
	if b.stall("list", prefix, ctx) {
		return nil, ctx.Err()
	}
	return b.Blobs.List(ctx, prefix)
}

// TestRunOnStalledStore: with the store answering nothing, every call Run
// makes has a deadline, each pass gives up at it and the next one starts,
// and Run returns once cancelled.
func TestRunOnStalledStore(t *testing.T) {
	store, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	blobs := &stallBlobs{Blobs: store, lists: map[string]int{}}
	svc, err := archive.NewService(archive.Options{
		Blobs: blobs, Index: newRecordingIndex(), RetryEvery: 10 * time.Millisecond,
		PassTimeout: 50 * time.Millisecond, CatalogFresh: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	blobs.mu.Lock()
	blobs.stalled = true
	blobs.mu.Unlock()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); svc.Run(ctx) }()
	// Three passes listed each prefix: the first two gave up.
	for _, prefix := range []string{archive.EmbargoPrefix, archive.PendingPrefix} {
		for wait := time.Now().Add(30 * time.Second); blobs.listed(prefix) < 3; {
			if time.Now().After(wait) {
				t.Fatalf("Run listed %s %d times in 30s on a stalled store; its passes do not give up", prefix, blobs.listed(prefix))
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return within 30s of its context ending on a stalled store")
	}
	blobs.mu.Lock()
	defer blobs.mu.Unlock()
	if len(blobs.undeadlined) > 0 {
		t.Errorf("Run called the store without a deadline: %q", blobs.undeadlined)
	}
}

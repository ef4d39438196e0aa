package faulttest

import (
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/s3"
	"github.com/verbatim-archive/verbatim/internal/testenv"
)

// slowS3 starts the S3 server behind a fault proxy and opens a store through
// the proxy.
func slowS3(t *testing.T, start func(testing.TB) *testenv.S3Server) (*Proxy, *s3.Store, *testenv.S3Server) {
	t.Helper()
	srv := start(t)
	p, err := NewProxy(srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	store, err := s3.Open(context.Background(), s3.Config{
		Endpoint: p.Addr(), Bucket: srv.Bucket, Region: srv.Region,
		AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, PartSize: 5 << 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, store, srv
}

func putString(ctx context.Context, b archive.Blobs, key, body string) error {
	_, err := b.Put(ctx, key, strings.NewReader(body), int64(len(body)), archive.PutOptions{})
	return err
}

func getString(ctx context.Context, b archive.Blobs, key string) (string, error) {
	rc, _, err := b.Get(ctx, key, 0, -1)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	return string(data), err
}

// TestS3Blackholed: an S3 server that accepts connections and never
// answers. Every call gives up when its context ends, with an error that
// says where it failed and why; the goroutines of the stuck calls go away;
// the store works again when the server does.
func TestS3Blackholed(t *testing.T) { testS3Blackholed(t, testenv.StartVersityGW) }

// TestSeaweedFSBlackholed is TestS3Blackholed against a distributed SeaweedFS.
func TestSeaweedFSBlackholed(t *testing.T) { testS3Blackholed(t, testenv.StartSeaweedFS) }

func testS3Blackholed(t *testing.T, start func(testing.TB) *testenv.S3Server) {
	p, store, _ := slowS3(t, start)
	ctx := context.Background()
	if err := putString(ctx, store, "recordings/slow/manifest.json", "{}"); err != nil {
		t.Fatalf("Put before the fault = %v", err)
	}
	if _, err := getString(ctx, store, "recordings/slow/manifest.json"); err != nil {
		t.Fatalf("Get before the fault = %v", err)
	}
	base := runtime.NumGoroutine()

	p.Set(Blackhole, 0)
	const rounds, calls, timeout = 3, 20, 300 * time.Millisecond
	for round := range rounds {
		errs := make([]error, calls)
		var wg sync.WaitGroup
		for i := range calls {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(ctx, timeout)
				defer cancel()
				switch i % 3 {
				case 0:
					_, errs[i] = getString(ctx, store, "recordings/slow/manifest.json")
				case 1:
					_, errs[i] = store.Stat(ctx, "recordings/slow/manifest.json")
				default:
					errs[i] = putString(ctx, store, "recordings/slow/media/x.bin", "bytes")
				}
			})
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(timeout + 10*time.Second):
			t.Fatalf("round %d: calls to a blackholed S3 did not give up when their context ended", round)
		}
		for i, err := range errs {
			if err == nil {
				t.Fatalf("round %d call %d: no error from a blackholed S3", round, i)
			}
			if !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "s3: ") {
				t.Errorf("round %d call %d: error %q; want an s3: error wrapping context.DeadlineExceeded", round, i, err)
			}
		}
	}

	p.Set(Pass, 0)
	if got, err := getString(ctx, store, "recordings/slow/manifest.json"); err != nil || got != "{}" {
		t.Fatalf("Get after the fault = %q, %v; want {}", got, err)
	}
	// A few goroutines of fresh keep-alive connections are fine; one per
	// stuck call (60 here) is a pile-up.
	if after := settleGoroutines(base+4, 10*time.Second); after > base+4 {
		t.Errorf("goroutines: %d before %d blackholed calls, %d after; they pile up", base, rounds*calls, after)
	}
}

// TestS3Slow: an S3 server that answers, slowly. Calls within their
// deadline succeed; those whose deadline is shorter than the delay fail
// cleanly.
func TestS3Slow(t *testing.T) { testS3Slow(t, testenv.StartVersityGW) }

// TestSeaweedFSSlow is TestS3Slow against a distributed SeaweedFS.
func TestSeaweedFSSlow(t *testing.T) { testS3Slow(t, testenv.StartSeaweedFS) }

func testS3Slow(t *testing.T, start func(testing.TB) *testenv.S3Server) {
	p, store, _ := slowS3(t, start)
	ctx := context.Background()
	if err := putString(ctx, store, "recordings/slow/manifest.json", "{}"); err != nil {
		t.Fatalf("Put = %v", err)
	}
	p.Set(Delay, 200*time.Millisecond)

	long, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if got, err := getString(long, store, "recordings/slow/manifest.json"); err != nil || got != "{}" {
		t.Errorf("Get with a generous deadline through a slow S3 = %q, %v; want {}", got, err)
	}
	short, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel2()
	if _, err := getString(short, store, "recordings/slow/manifest.json"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Get with a deadline shorter than the delay = %v; want context.DeadlineExceeded", err)
	}
}

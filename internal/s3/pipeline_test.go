package s3_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/blobtest"
	"github.com/verbatim-archive/verbatim/internal/s3"
	"github.com/verbatim-archive/verbatim/internal/testenv"
)

const testPart = 5 << 20 // the smallest part S3 accepts: several parts in flight cheaply

// failAfter reads r and, once it has passed n bytes, calls then (if set)
// and fails every later read with err (if set).
type failAfter struct {
	r    io.Reader
	n    int64
	err  error
	then func()
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.n <= 0 {
		if f.then != nil {
			f.then()
			f.then = nil
		}
		if f.err != nil {
			return 0, f.err
		}
	}
	if int64(len(p)) > f.n && f.n > 0 {
		p = p[:f.n]
	}
	m, err := f.r.Read(p)
	f.n -= int64(m)
	return m, err
}

// assertNothingLeft checks that key does not exist and that no multipart
// upload is left open in the bucket.
func assertNothingLeft(t *testing.T, srv *testenv.S3Server, s *s3.Store, key string) {
	t.Helper()
	if _, err := s.Stat(t.Context(), key); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("Stat(%q) after a failed upload = %v; want ErrNotFound", key, err)
	}
	client, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	for up := range client.ListIncompleteUploads(t.Context(), srv.Bucket, "", true) {
		if up.Err != nil {
			t.Fatalf("ListIncompleteUploads = %v", up.Err)
		}
		t.Errorf("multipart upload of %q (id %s) left open", up.Key, up.UploadID)
	}
}

func TestMultipartAbortsOnError(t *testing.T) {
	srv := testenv.StartVersityGW(t)
	s := mustOpen(t, s3.Config{Endpoint: srv.Endpoint, Bucket: srv.Bucket, Region: srv.Region,
		AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, PartSize: testPart})
	errBody := errors.New("client went away")
	tests := []struct {
		name    string
		body    int64 // bytes the body yields before it ends or fails
		fail    bool  // the body fails with errBody instead of ending
		size    int64 // announced
		wantErr error
	}{
		{"read error, unknown size", 12 << 20, true, -1, errBody},
		{"read error, known size", 12 << 20, true, 30 << 20, errBody},
		{"read error on a part boundary", 10 << 20, true, -1, errBody},
		{"shorter than announced", 12 << 20, false, 30 << 20, archive.ErrInvalid},
		{"longer than announced", 30 << 20, false, 12 << 20, archive.ErrInvalid},
		{"shorter, ending on a part boundary", 10 << 20, false, 30 << 20, archive.ErrInvalid},
		{"one byte longer than whole parts", 10<<20 + 1, false, 10 << 20, archive.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &failAfter{r: io.LimitReader(blobtest.Generator(1, 1<<40), tt.body), n: tt.body}
			if tt.fail {
				r.err = errBody
			}
			_, err := s.Put(t.Context(), "media/failed.mp4", r, tt.size, archive.PutOptions{})
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Put(%s) = %v; want %v", tt.name, err, tt.wantErr)
			}
			assertNothingLeft(t, srv, s, "media/failed.mp4")
		})
	}
}

// TestMultipartCancel cancels an upload while parts are in flight and checks
// that Put returns the cancellation, leaves nothing behind and leaves no
// goroutine running.
func TestMultipartCancel(t *testing.T) {
	srv := testenv.StartVersityGW(t)
	s := mustOpen(t, s3.Config{Endpoint: srv.Endpoint, Bucket: srv.Bucket, Region: srv.Region,
		AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, PartSize: testPart})
	// Open the client's connections first so that they do not count.
	if _, err := s.Put(t.Context(), "media/warm.mp4", blobtest.Generator(2, 30<<20), -1, archive.PutOptions{}); err != nil {
		t.Fatalf("Put(warm-up) = %v", err)
	}
	for _, size := range []int64{-1, 40 << 20} {
		before, _ := ownGoroutines()
		ctx, cancel := context.WithCancel(t.Context())
		r := &failAfter{r: blobtest.Generator(3, 40<<20), n: 17 << 20, then: cancel}
		_, err := s.Put(ctx, "media/cancelled.mp4", r, size, archive.PutOptions{})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Put(size %d) cancelled after 17 MiB = %v; want context.Canceled", size, err)
		}
		assertNothingLeft(t, srv, s, "media/cancelled.mp4")
		after, stacks := ownGoroutines()
		for deadline := time.Now().Add(5 * time.Second); after > before && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond) // cancelled requests end asynchronously
			after, stacks = ownGoroutines()
		}
		if after > before {
			t.Errorf("Put(size %d) cancelled: %d goroutines before, %d after:\n%s", size, before, after, stacks)
		}
	}
}

// ownGoroutines counts the goroutines but those of idle HTTP client
// connections, which the transport keeps or drops as it likes, and returns
// all stacks.
func ownGoroutines() (int, string) {
	buf := make([]byte, 4<<20)
	all := string(buf[:runtime.Stack(buf, true)])
	n := 0
	for g := range strings.SplitSeq(all, "\n\n") {
		if !strings.Contains(g, "net/http.(*persistConn)") {
			n++
		}
	}
	return n, all
}

// TestMultipartOrder uploads a body of many parts, which finish in whatever
// order, and reads it back byte for byte.
func TestMultipartOrder(t *testing.T) {
	srv := testenv.StartVersityGW(t)
	s := mustOpen(t, s3.Config{Endpoint: srv.Endpoint, Bucket: srv.Bucket, Region: srv.Region,
		AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, PartSize: testPart})
	const size = 7*testPart + 12345
	for _, n := range []int64{-1, size} {
		info, err := s.Put(t.Context(), "media/order.mp4", onlyReader{blobtest.Generator(4, size)}, n, archive.PutOptions{})
		if err != nil || info.Size != size {
			t.Fatalf("Put(%d bytes, size %d) = %+v, %v; want size %d", size, n, info, err, size)
		}
		rc, _, err := s.Get(t.Context(), "media/order.mp4", 0, -1)
		if err != nil {
			t.Fatalf("Get = %v", err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		want, _ := io.ReadAll(blobtest.Generator(4, size))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Get after Put(size %d) = %d bytes, %v; want the %d bytes put", n, len(got), err, len(want))
		}
	}
}

// TestStreamHoldsNoPart checks that a body of known length goes up without
// a part buffer: with every allocation profiled, none during the upload is
// anywhere near a part's size. (minio-go's signing makes garbage in
// proportion to the bytes sent, so the total allocated says nothing.)
func TestStreamHoldsNoPart(t *testing.T) {
	srv := testenv.StartVersityGW(t)
	s := mustOpen(t, s3.Config{Endpoint: srv.Endpoint, Bucket: srv.Bucket, Region: srv.Region,
		AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, PartSize: testPart})
	defer func(rate int) { runtime.MemProfileRate = rate }(runtime.MemProfileRate)
	runtime.MemProfileRate = 1
	for _, size := range []int64{-1, 8*testPart + 1} {
		before := largeAllocs(testPart / 2)
		_, err := s.Put(t.Context(), "media/streamed.mp4", onlyReader{blobtest.Generator(5, 8*testPart+1)}, size, archive.PutOptions{})
		if err != nil {
			t.Fatalf("Put(size %d) = %v", size, err)
		}
		held := largeAllocs(testPart/2) > before
		if want := size < 0; held != want { // a body of unknown length is read a part at a time
			t.Errorf("Put(size %d) in parts of %d allocated an object of half a part or more: %t; want %t", size, testPart, held, want)
		}
	}
}

// largeAllocs counts the objects of at least n bytes allocated so far, as
// the memory profile has them.
func largeAllocs(n int64) int64 {
	runtime.GC() // the profile is published by a completed cycle
	runtime.GC()
	recs := make([]runtime.MemProfileRecord, 1024)
	for {
		got, ok := runtime.MemProfile(recs, true)
		if ok {
			recs = recs[:got]
			break
		}
		recs = make([]runtime.MemProfileRecord, got+256)
	}
	var count int64
	for _, r := range recs {
		if r.AllocObjects > 0 && r.AllocBytes/r.AllocObjects >= n {
			count += r.AllocObjects
		}
	}
	return count
}

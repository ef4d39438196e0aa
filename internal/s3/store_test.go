package s3_test

import (
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/blobtest"
	"github.com/verbatim-archive/verbatim/internal/s3"
	"github.com/verbatim-archive/verbatim/internal/testenv"
)

func config(srv *testenv.S3Server) s3.Config {
	return s3.Config{
		Endpoint:  srv.Endpoint,
		Bucket:    srv.Bucket,
		Region:    srv.Region,
		AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey,
	}
}

func mustOpen(t *testing.T, cfg s3.Config) *s3.Store {
	t.Helper()
	s, err := s3.Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Open(%+v) = %v", cfg, err)
	}
	return s
}

func TestOpenRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  s3.Config
	}{
		{"no endpoint", s3.Config{Bucket: "b"}},
		{"scheme", s3.Config{Endpoint: "http://127.0.0.1:7070", Bucket: "b"}},
		{"no bucket", s3.Config{Endpoint: "127.0.0.1:7070"}},
		{"tiny parts", s3.Config{Endpoint: "127.0.0.1:7070", Bucket: "b", PartSize: 1 << 20}},
	}
	for _, tt := range tests {
		if _, err := s3.Open(t.Context(), tt.cfg); !errors.Is(err, archive.ErrInvalid) {
			t.Errorf("Open(%s: %+v) = %v; want ErrInvalid", tt.name, tt.cfg, err)
		}
	}
}

// TestStreamedPutMemory uploads 64 MiB of unknown length and checks that the
// upload allocated about one part, not the whole body nor minio-go's
// default 528 MiB part for an unknown length.
func TestStreamedPutMemory(t *testing.T) {
	srv := testenv.StartVersityGW(t)
	s := mustOpen(t, config(srv)) // the default 16 MiB part size
	const size = 64 << 20
	for _, known := range []bool{false, true} {
		n := int64(-1)
		if known {
			n = size
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		stop := samplePeak(before.HeapAlloc)
		info, err := s.Put(t.Context(), "media/big.mp4", onlyReader{blobtest.Generator(7, size)}, n, archive.PutOptions{})
		peak := stop()
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatalf("Put(64 MiB, size %d) = %v", n, err)
		}
		if info.Size != size {
			t.Errorf("Put(64 MiB, size %d).Size = %d", n, info.Size)
		}
		allocated := after.TotalAlloc - before.TotalAlloc
		t.Logf("size %d: allocated %d MiB, peak heap growth %d MiB", n, allocated>>20, peak>>20)
		if allocated > 64<<20 || peak > 64<<20 {
			t.Errorf("Put(64 MiB, size %d) allocated %d MiB, heap grew by %d MiB at peak; want under 64 MiB",
				n, allocated>>20, peak>>20)
		}
	}
}

// samplePeak watches the heap until the returned function is called, which
// returns the largest growth over base it saw.
func samplePeak(base uint64) func() uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > base && m.HeapAlloc-base > peak.Load() {
				peak.Store(m.HeapAlloc - base)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}

type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestPresignGet(t *testing.T) {
	srv := testenv.StartVersityGW(t)
	s := mustOpen(t, config(srv))
	var _ archive.Presigner = s
	body := "WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n"
	if _, err := s.Put(t.Context(), "tracks/en.vtt", strings.NewReader(body), int64(len(body)), archive.PutOptions{ContentType: "text/vtt"}); err != nil {
		t.Fatal(err)
	}
	u, err := s.PresignGet(t.Context(), "tracks/en.vtt", time.Minute)
	if err != nil {
		t.Fatalf("PresignGet = %v", err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(got) != body {
		t.Errorf("GET presigned URL = %d %q; want 200 %q", resp.StatusCode, got, body)
	}
	for _, ttl := range []time.Duration{0, -time.Minute, 8 * 24 * time.Hour} {
		if _, err := s.PresignGet(t.Context(), "tracks/en.vtt", ttl); !errors.Is(err, archive.ErrInvalid) {
			t.Errorf("PresignGet(ttl %s) = %v; want ErrInvalid", ttl, err)
		}
	}
	if _, err := s.PresignGet(t.Context(), "../x", time.Minute); !errors.Is(err, archive.ErrInvalid) {
		t.Errorf("PresignGet(../x) = %v; want ErrInvalid", err)
	}
}

func TestPing(t *testing.T) {
	srv := testenv.StartVersityGW(t)
	cfg := config(srv)
	cfg.MaxRetries = 1
	if err := mustOpen(t, cfg).Ping(t.Context()); err != nil {
		t.Errorf("Ping = %v; want nil", err)
	}
	cfg.Bucket = "no-such-bucket"
	if err := mustOpen(t, cfg).Ping(t.Context()); !errors.Is(err, archive.ErrUnavailable) {
		t.Errorf("Ping(missing bucket) = %v; want ErrUnavailable", err)
	}
}

// TestServerDown stops the server: every operation reports the store
// unavailable, and works again once the server is back.
func TestServerDown(t *testing.T) {
	srv := testenv.StartVersityGW(t)
	cfg := config(srv)
	cfg.MaxRetries = 1
	s := mustOpen(t, cfg)
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	_, err := s.Put(ctx, "k", strings.NewReader("v"), 1, archive.PutOptions{})
	wantUnavailable(t, "Put", err)
	_, err = s.Stat(ctx, "k")
	wantUnavailable(t, "Stat", err)
	_, _, err = s.Get(ctx, "k", 0, -1)
	wantUnavailable(t, "Get", err)
	_, err = s.List(ctx, "")
	wantUnavailable(t, "List", err)
	wantUnavailable(t, "Delete", s.Delete(ctx, "k"))
	wantUnavailable(t, "Ping", s.Ping(ctx))

	if err := srv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "k", strings.NewReader("v"), 1, archive.PutOptions{}); err != nil {
		t.Errorf("Put after restart = %v", err)
	}
}

func wantUnavailable(t *testing.T, op string, err error) {
	t.Helper()
	if !errors.Is(err, archive.ErrUnavailable) {
		t.Errorf("%s with the server down = %v; want ErrUnavailable", op, err)
	}
}

// TestListSizesAndETags checks what an S3 listing carries (no content
// type: the one documented difference from the disk store).
func TestListSizesAndETags(t *testing.T) {
	srv := testenv.StartVersityGW(t)
	s := mustOpen(t, config(srv))
	info, err := s.Put(t.Context(), "a/b", strings.NewReader("12345"), 5, archive.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.List(t.Context(), "a/")
	if err != nil || len(got) != 1 || got[0].Size != 5 || got[0].ETag != info.ETag || got[0].ModTime.IsZero() {
		t.Errorf("List(a/) = %+v, %v; want a/b with size 5, ETag %q and a time", got, err, info.ETag)
	}
}

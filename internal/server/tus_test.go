package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/disk"
	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
)

// tusClient speaks tus 1.0 as tus-js-client does, with a Bearer token.
type tusClient struct {
	base, token string
}

func (c tusClient) do(tb testing.TB, method, url string, body io.Reader, header ...string) *http.Response {
	tb.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Authorization", "Bearer "+c.token)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return &http.Response{StatusCode: -1, Status: err.Error(), Body: io.NopCloser(strings.NewReader(err.Error()))}
	}
	return resp
}

func tusMetadata(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, kv[i]+" "+base64.StdEncoding.EncodeToString([]byte(kv[i+1])))
	}
	return strings.Join(parts, ",")
}

// create begins an upload and returns its URL.
func (c tusClient) create(tb testing.TB, size int64, meta string) (string, *http.Response) {
	tb.Helper()
	resp := c.do(tb, "POST", c.base+"/api/v1/uploads/", nil, "Upload-Length", strconv.FormatInt(size, 10), "Upload-Metadata", meta)
	resp.Body.Close()
	return resp.Header.Get("Location"), resp
}

func (c tusClient) offset(tb testing.TB, url string) int64 {
	tb.Helper()
	resp := c.do(tb, "HEAD", url, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("HEAD %s = %d", url, resp.StatusCode)
	}
	n, err := strconv.ParseInt(resp.Header.Get("Upload-Offset"), 10, 64)
	if err != nil {
		tb.Fatalf("HEAD Upload-Offset %q", resp.Header.Get("Upload-Offset"))
	}
	return n
}

func (c tusClient) patch(tb testing.TB, url string, offset int64, body io.Reader, n int64) *http.Response {
	tb.Helper()
	req, _ := http.NewRequest("PATCH", url, body)
	req.ContentLength = n
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	req.Header.Set("Upload-Offset", strconv.FormatInt(offset, 10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return &http.Response{StatusCode: -1, Status: err.Error(), Body: io.NopCloser(strings.NewReader(err.Error()))}
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// stream yields the bytes [from, size) of a deterministic pseudo-random
// file, and fails after cut bytes (a dropped connection) when cut > 0.
type stream struct {
	head      []byte // a media file's headers, over the first bytes
	rng       *rand.ChaCha8
	pos, size int64
	cut       int64
}

var errDropped = errors.New("connection dropped")

func newStream(head []byte, from, size, cut int64) *stream {
	s := &stream{head: head, rng: rand.NewChaCha8([32]byte{37}), size: size, cut: cut}
	buf := make([]byte, 1<<20)
	for s.pos < from {
		n := min(int64(len(buf)), from-s.pos)
		s.rng.Read(buf[:n])
		s.pos += n
	}
	return s
}

func (s *stream) Read(p []byte) (int, error) {
	if s.cut > 0 && s.pos >= s.cut {
		return 0, errDropped
	}
	left := s.size - s.pos
	if s.cut > 0 {
		left = s.cut - s.pos
	}
	if left <= 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), left)]
	s.rng.Read(p)
	if s.pos < int64(len(s.head)) {
		copy(p, s.head[s.pos:])
	}
	s.pos += int64(len(p))
	return len(p), nil
}

func streamSum(head []byte, size int64) [32]byte {
	h := sha256.New()
	io.Copy(h, newStream(head, 0, size, 0))
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

// heapPeak samples the live heap until stopped.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// The heap marked live by the last GC, not heap objects: those count
		// garbage not yet swept, up to GOGC's worth of the live heap, which
		// made the bound depend on when the collector last ran.
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}

// TestTusResume: a 200 MiB upload is cut at 37%, resumed with HEAD and
// PATCH from the offset the server reports, and the stored media is
// byte-identical; on disk and on S3; the heap stays bounded as for PUT.
func TestTusResume(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 200 MiB twice")
	}
	const size = 200 << 20
	head := mediatest.Header(t, size) // the archive keeps only what its probe accepts
	want := streamSum(head, size)
	t.Run("disk", func(t *testing.T) {
		store, err := disk.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		tusResume(t, store, head, size, want)
	})
	t.Run("s3", func(t *testing.T) {
		tusResume(t, versityStore(t), head, size, want)
	})
}

func tusResume(t *testing.T, store archive.Blobs, head []byte, size int64, want [32]byte) {
	ctx := context.Background()
	ts := newTestServerOn(t, store, nil)
	svc, token := ts.svc, ts.token
	ed := archive.Principal{Name: "editor", Role: archive.RoleEditor}
	if _, _, err := svc.Create(ctx, ed, archive.RecordingInput{ID: "big", Title: "Big", Status: archive.StatusPublished}); err != nil {
		t.Fatal(err)
	}
	hs := ts.Server
	c := tusClient{base: hs.URL, token: token}
	stop := heapPeak()
	url, resp := c.create(t, size, tusMetadata("recording", "big", "filename", "big.mp4"))
	if resp.StatusCode != http.StatusCreated || !strings.Contains(url, "/api/v1/uploads/") {
		t.Fatalf("create = %d, Location %q; want 201 and an upload URL", resp.StatusCode, url)
	}
	cut := size * 37 / 100
	if resp := c.patch(t, url, 0, newStream(head, 0, size, cut), size); resp.StatusCode == http.StatusNoContent {
		t.Fatalf("the cut PATCH succeeded")
	}
	// Resume as tus-js-client does: HEAD for the offset, PATCH from there;
	// a 409 means the dropped request was still storing what reached the
	// server (tusd hands a store the bytes that arrived), so ask again.
	var off int64
	for attempt := 0; ; attempt++ {
		off = c.offset(t, url)
		if off <= 0 || off > cut {
			t.Fatalf("offset after the cut at %d = %d; want some of what was sent, no more", cut, off)
		}
		if attempt == 0 {
			if rec, _, _ := svc.Get(ctx, ed, "big"); rec.Media != nil {
				t.Fatalf("the recording has media before the upload finished")
			}
		}
		resp = c.patch(t, url, off, newStream(head, off, size, 0), size-off)
		if resp.StatusCode != http.StatusConflict || attempt == 5 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Upload-Offset") != strconv.Itoa(int(size)) {
		t.Fatalf("resuming PATCH from %d = %d, Upload-Offset %q; want 204 at %d", off, resp.StatusCode, resp.Header.Get("Upload-Offset"), size)
	}
	peak := stop()
	t.Logf("cut at %d, resumed from %d; live heap peak %.1f MiB", cut, off, float64(peak)/(1<<20))
	if peak > 100<<20 {
		t.Errorf("live heap peaked at %.1f MiB; want under 100 MiB (streamed, as PUT)", float64(peak)/(1<<20))
	}

	rec, _, err := svc.Get(ctx, ed, "big")
	if err != nil || rec.Media == nil || rec.Media.Size != size {
		t.Fatalf("recording after the upload: %+v, %v; want %d bytes of media", rec.Media, err, size)
	}
	mresp, err := http.Get(hs.URL + "/media/big")
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n, _ := io.Copy(h, mresp.Body)
	mresp.Body.Close()
	if got := h.Sum(nil); n != size || !bytes.Equal(got, want[:]) {
		t.Errorf("stored media: %d bytes, sha256 %x; want %d bytes, %x", n, got, size, want)
	}
	if left, _ := store.List(ctx, archive.UploadsPrefix); len(left) != 0 {
		t.Errorf("finished upload left %d objects under %s", len(left), archive.UploadsPrefix)
	}
	if resp := c.do(t, "HEAD", url, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("HEAD of a finished upload = %d; want 404", resp.StatusCode)
	}
}

// TestTusRefusals: a non-video, an unknown recording, a viewer and a
// terminated upload are refused, and the recording stays as it was.
func TestTusRefusals(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "r")
	before, etag, _ := ts.svc.Get(context.Background(), archive.Principal{Name: "editor", Role: archive.RoleEditor}, "r")
	c := tusClient{base: ts.URL, token: ts.token}
	for _, tt := range []struct {
		name, meta string
		want       int
	}{
		{"html named .html", tusMetadata("recording", "r", "filename", "x.html"), http.StatusUnsupportedMediaType},
		{"text with a video name but a text type", tusMetadata("recording", "r", "filename", "x.mp4", "filetype", "text/html"), http.StatusUnsupportedMediaType},
		{"no such recording", tusMetadata("recording", "nope", "filename", "x.mp4"), http.StatusNotFound},
		{"no recording named", tusMetadata("filename", "x.mp4"), http.StatusBadRequest},
	} {
		if _, resp := c.create(t, 100, tt.meta); resp.StatusCode != tt.want {
			t.Errorf("%s: create = %d; want %d", tt.name, resp.StatusCode, tt.want)
		}
	}
	anon := tusClient{base: ts.URL, token: ""}
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/uploads/", nil)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Length", "100")
	req.Header.Set("Upload-Metadata", tusMetadata("recording", "r", "filename", "x.mp4"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous create = %d; want 401", resp.StatusCode)
	}
	_ = anon

	url, resp := c.create(t, 100, tusMetadata("recording", "r", "filename", "x.webm"))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create = %d", resp.StatusCode)
	}
	if resp := c.patch(t, url, 0, bytes.NewReader(make([]byte, 40)), 40); resp.StatusCode != http.StatusNoContent {
		h := c.do(t, "HEAD", url, nil)
		t.Fatalf("PATCH 40 bytes to %s = %d %v; HEAD %d", url, resp.StatusCode, resp.Header, h.StatusCode)
	}
	if resp := c.patch(t, url, 10, bytes.NewReader(make([]byte, 10)), 10); resp.StatusCode != http.StatusConflict {
		t.Errorf("PATCH at a wrong offset = %d; want 409", resp.StatusCode)
	}
	if resp := c.do(t, "DELETE", url, nil); resp.StatusCode != http.StatusNoContent {
		t.Errorf("DELETE (termination) = %d; want 204", resp.StatusCode)
	}
	if resp := c.do(t, "HEAD", url, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("HEAD after termination = %d; want 404", resp.StatusCode)
	}
	after, etag2, _ := ts.svc.Get(context.Background(), archive.Principal{Name: "editor", Role: archive.RoleEditor}, "r")
	if etag2 != etag || after.Media != nil || before.Version != after.Version {
		t.Errorf("the recording changed: version %d → %d, media %v", before.Version, after.Version, after.Media)
	}
	if left, _ := ts.store.List(context.Background(), archive.UploadsPrefix); len(left) != 0 {
		t.Errorf("refused and terminated uploads left %d objects", len(left))
	}
	_ = fmt.Sprint
}

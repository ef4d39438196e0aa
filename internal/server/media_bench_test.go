package server_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkMediaRange64K measures the fixed cost of serving a small range:
// 64 KiB ranges of a 16 MiB media file on the disk store, one keep-alive
// connection, through the whole middleware chain. The peer in the same run
// is http.ServeContent of the same bytes from a plain file (what a static
// file server does), so the figure to read is the ratio of the two.
func BenchmarkMediaRange64K(b *testing.B) {
	const size, chunk = 16 << 20, 64 << 10
	data := sample(b, size)
	ts := newTestServer(b, nil)
	ts.published(b, "r")
	uploadMedia(b, ts, "r", data)

	path := filepath.Join(b.TempDir(), "talk.webm")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	static := newStaticServer(b, path)

	for _, tc := range []struct{ name, url string }{
		{"verbatim", ts.URL + "/media/r"},
		{"servecontent", static},
	} {
		b.Run(tc.name, func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			defer client.CloseIdleConnections()
			buf := make([]byte, chunk)
			b.SetBytes(chunk)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				off := (i * 7919 % (size / chunk)) * chunk
				i++
				getRange(b, client, tc.url, off, buf)
				if !bytes.Equal(buf, data[off:off+chunk]) {
					b.Fatalf("GET %s bytes=%d-: wrong bytes", tc.url, off)
				}
			}
		})
	}
}

func getRange(b *testing.B, client *http.Client, url string, off int, buf []byte) {
	b.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+len(buf)-1))
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent {
		b.Fatalf("GET %s bytes=%d-: status %d; want 206", url, off, resp.StatusCode)
	}
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		b.Fatalf("GET %s bytes=%d-: %v", url, off, err)
	}
}

// newStaticServer serves one file with http.ServeContent on loopback.
func newStaticServer(b *testing.B, path string) string {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "video/webm")
		http.ServeContent(w, r, "", fi.ModTime(), f)
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

// TestMediaFollowsManifest guards what the fast path of /media must keep:
// every request reads the current manifest, so unpublishing hides the media
// from viewers at once and a new upload is served from the next request.
func TestMediaFollowsManifest(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "r")
	first, second := sample(t, 5000), sample(t, 6000)
	uploadMedia(t, ts, "r", first)

	get := func(token string, want int, body []byte) {
		t.Helper()
		resp := ts.do(t, "GET", "/media/r", token, nil, "Range", "bytes=100-199")
		got := readAll(t, resp)
		if resp.StatusCode != want {
			t.Fatalf("GET /media/r = %d; want %d", resp.StatusCode, want)
		}
		if body != nil && !bytes.Equal(got, body[100:200]) {
			t.Errorf("GET /media/r bytes=100-199 = %q; want %q", got, body[100:200])
		}
	}
	patch := func(status string) {
		t.Helper()
		cur := ts.do(t, "GET", "/api/v1/recordings/r", ts.token, nil)
		cur.Body.Close()
		etag := cur.Header.Get("ETag")
		resp := ts.do(t, "PATCH", "/api/v1/recordings/r", ts.token, map[string]string{"status": status}, "If-Match", etag)
		wantStatus(t, resp, http.StatusOK)
		resp.Body.Close()
	}

	get("", http.StatusPartialContent, first)
	patch("draft")
	get("", http.StatusNotFound, nil)
	get(ts.token, http.StatusPartialContent, first)
	patch("published")
	get("", http.StatusPartialContent, first)
	uploadMedia(t, ts, "r", second)
	get("", http.StatusPartialContent, second)
}

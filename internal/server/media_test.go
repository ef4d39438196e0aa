package server_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
)

// sample is a valid MP4 of n bytes (at least 848): the archive keeps only
// what its probe accepts.
func sample(tb testing.TB, n int) []byte {
	tb.Helper()
	return mediatest.Sized(tb, n)
}

func uploadMedia(tb testing.TB, ts *testServer, id string, data []byte) {
	tb.Helper()
	resp := ts.do(tb, "PUT", "/api/v1/recordings/"+id+"/media?name=talk.webm", ts.token, data)
	wantStatus(tb, resp, http.StatusCreated)
}

func TestMediaRanges(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "r")
	data := sample(t, 10000)
	uploadMedia(t, ts, "r", data)

	full := ts.do(t, "GET", "/media/r", "", nil)
	wantStatus(t, full, http.StatusOK)
	etag, lastMod := full.Header.Get("ETag"), full.Header.Get("Last-Modified")
	if etag == "" || lastMod == "" {
		t.Fatalf("media response lacks ETag (%q) or Last-Modified (%q)", etag, lastMod)
	}
	if got := readAll(t, full); !bytes.Equal(got, data) {
		t.Errorf("GET /media/r returned %d bytes; want the 10000 uploaded", len(got))
	}

	tests := []struct {
		name         string
		header       []string
		status       int
		start, end   int // inclusive; for 206 and 200
		contentRange string
	}{
		{"middle", []string{"Range", "bytes=1000-1999"}, 206, 1000, 1999, "bytes 1000-1999/10000"},
		{"open end", []string{"Range", "bytes=9990-"}, 206, 9990, 9999, "bytes 9990-9999/10000"},
		{"suffix", []string{"Range", "bytes=-500"}, 206, 9500, 9999, "bytes 9500-9999/10000"},
		{"end past size", []string{"Range", "bytes=9000-20000"}, 206, 9000, 9999, "bytes 9000-9999/10000"},
		{"first byte", []string{"Range", "bytes=0-0"}, 206, 0, 0, "bytes 0-0/10000"},
		{"start at size", []string{"Range", "bytes=10000-"}, 416, 0, -1, "bytes */10000"},
		{"start past size", []string{"Range", "bytes=20000-20010"}, 416, 0, -1, "bytes */10000"},
		{"empty suffix", []string{"Range", "bytes=-0"}, 416, 0, -1, "bytes */10000"},
		{"multiple ranges ignored", []string{"Range", "bytes=0-1,5-6"}, 200, 0, 9999, ""},
		{"malformed ignored", []string{"Range", "lines=1-2"}, 200, 0, 9999, ""},
		{"if-range etag matches", []string{"Range", "bytes=1000-1999", "If-Range", etag}, 206, 1000, 1999, "bytes 1000-1999/10000"},
		{"if-range etag stale", []string{"Range", "bytes=1000-1999", "If-Range", `"stale"`}, 200, 0, 9999, ""},
		{"if-range date matches", []string{"Range", "bytes=1000-1999", "If-Range", lastMod}, 206, 1000, 1999, "bytes 1000-1999/10000"},
		{"if-range date old", []string{"Range", "bytes=1000-1999", "If-Range", time.Unix(0, 0).UTC().Format(http.TimeFormat)}, 200, 0, 9999, ""},
		{"gzip never", []string{"Range", "bytes=1000-1999", "Accept-Encoding", "gzip"}, 206, 1000, 1999, "bytes 1000-1999/10000"},
	}
	for _, tt := range tests {
		resp := ts.do(t, "GET", "/media/r", "", nil, tt.header...)
		body := readAll(t, resp)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d; want %d", tt.name, resp.StatusCode, tt.status)
			continue
		}
		if got := resp.Header.Get("Content-Range"); got != tt.contentRange {
			t.Errorf("%s: Content-Range %q; want %q", tt.name, got, tt.contentRange)
		}
		if ce := resp.Header.Get("Content-Encoding"); ce != "" {
			t.Errorf("%s: Content-Encoding %q; media is never compressed", tt.name, ce)
		}
		if tt.status == 416 {
			continue
		}
		want := data[tt.start : tt.end+1]
		if !bytes.Equal(body, want) {
			t.Errorf("%s: body is %d bytes; want bytes %d-%d (%d bytes)", tt.name, len(body), tt.start, tt.end, len(want))
		}
		if cl := resp.Header.Get("Content-Length"); cl != strconv.Itoa(len(want)) {
			t.Errorf("%s: Content-Length %s; want %d", tt.name, cl, len(want))
		}
		if resp.Header.Get("Accept-Ranges") != "bytes" || resp.Header.Get("Content-Type") != "video/mp4" || resp.Header.Get("ETag") != etag {
			t.Errorf("%s: headers %v; want Accept-Ranges bytes, Content-Type video/webm, ETag %s", tt.name, resp.Header, etag)
		}
	}
}

func TestMediaHeadAndConditional(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "r")
	uploadMedia(t, ts, "r", sample(t, 4096))
	head := ts.do(t, "HEAD", "/media/r", "", nil)
	wantStatus(t, head, http.StatusOK)
	if n, _ := io.Copy(io.Discard, head.Body); n != 0 || head.Header.Get("Content-Length") != "4096" || head.Header.Get("Accept-Ranges") != "bytes" {
		t.Errorf("HEAD: %d body bytes, Content-Length %q, Accept-Ranges %q; want 0, 4096, bytes", n, head.Header.Get("Content-Length"), head.Header.Get("Accept-Ranges"))
	}
	headRange := ts.do(t, "HEAD", "/media/r", "", nil, "Range", "bytes=0-99")
	wantStatus(t, headRange, http.StatusPartialContent)
	if headRange.Header.Get("Content-Length") != "100" {
		t.Errorf("HEAD with range: Content-Length %q; want 100", headRange.Header.Get("Content-Length"))
	}
	wantStatus(t, ts.do(t, "GET", "/media/r", "", nil, "If-None-Match", head.Header.Get("ETag")), http.StatusNotModified)
	wantStatus(t, ts.do(t, "GET", "/media/r", "", nil, "If-Modified-Since", head.Header.Get("Last-Modified")), http.StatusNotModified)
	wantStatus(t, ts.do(t, "GET", "/media/nope", "", nil), http.StatusNotFound)
}

func TestMediaOfDraftHidden(t *testing.T) {
	ts := newTestServer(t, nil)
	wantStatus(t, ts.do(t, "POST", "/api/v1/recordings", ts.token, map[string]string{"id": "d", "title": "D"}), http.StatusCreated)
	uploadMedia(t, ts, "d", sample(t, 2000))
	wantStatus(t, ts.do(t, "GET", "/media/d", "", nil), http.StatusNotFound)
	wantStatus(t, ts.do(t, "GET", "/media/d", ts.token, nil), http.StatusOK)
}

// The media description is cached per recording, but a change of
// publication applies to the very next range request: unpublished, it is
// 404 at once; published again, 206.
func TestMediaUnpublishAppliesToNextRange(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "r")
	uploadMedia(t, ts, "r", sample(t, 4096))
	for range 3 { // cached after the first
		wantStatus(t, ts.do(t, "GET", "/media/r", "", nil, "Range", "bytes=0-99"), http.StatusPartialContent)
	}
	for _, step := range []struct {
		status string
		want   int
	}{{"draft", http.StatusNotFound}, {"published", http.StatusPartialContent}} {
		get := ts.do(t, "GET", "/api/v1/recordings/r", ts.token, nil)
		wantStatus(t, get, http.StatusOK)
		wantStatus(t, ts.do(t, "PATCH", "/api/v1/recordings/r", ts.token, map[string]string{"status": step.status}, "If-Match", get.Header.Get("ETag")), http.StatusOK)
		wantStatus(t, ts.do(t, "GET", "/media/r", "", nil, "Range", "bytes=0-99"), step.want)
	}
}

// chunked hides the length so the server must count.
type chunked struct{ r io.Reader }

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p) }

func TestMediaTooLarge(t *testing.T) {
	ts := newTestServer(t, func(o *serverOptions) { o.MaxUpload = 1000 })
	ts.published(t, "r")
	for _, body := range []any{sample(t, 2000), chunked{bytes.NewReader(sample(t, 2000))}} {
		resp := ts.do(t, "PUT", "/api/v1/recordings/r/media?name=a.webm", ts.token, body)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("PUT 2000 bytes (%T) with limit 1000 = %d; want 413", body, resp.StatusCode)
		}
	}
	objs, err := ts.store.List(t.Context(), "recordings/r/media/")
	if err != nil || len(objs) != 0 {
		t.Errorf("objects after refused uploads: %v (err %v); want none", objs, err)
	}
	uploadMedia(t, ts, "r", sample(t, 1000))
}

func TestPresignFallsBackOnDisk(t *testing.T) {
	ts := newTestServer(t, func(o *serverOptions) { o.PresignTTL = time.Minute })
	ts.published(t, "r")
	uploadMedia(t, ts, "r", sample(t, 2000))
	resp := ts.do(t, "GET", "/media/r", "", nil)
	wantStatus(t, resp, http.StatusOK) // the disk store cannot presign: served directly
	if got := fmt.Sprint(len(readAll(t, resp))); got != "2000" {
		t.Errorf("body %s bytes; want 2000", got)
	}
}

func TestMediaUploadContentType(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "r")
	// What a file is served as comes from its content; the name and the
	// declared type do not count.
	webm := mediatest.WebM(t, mediatest.Spec{})
	m4a := mediatest.MP4(t, mediatest.Spec{AudioOnly: true})
	tests := []struct {
		name, path, ct string
		body           []byte
		status         int
		want           string
	}{
		{"declared type ignored", "?name=a.bin", "audio/ogg", sample(t, 2000), 201, "video/mp4"},
		{"name ignored", "?name=talk.webm", "", sample(t, 2000), 201, "video/mp4"},
		{"sniffed", "", "application/octet-stream", webm, 201, "video/webm"},
		{"audio only", "?name=voice.m4a", "audio/mp4", m4a, 201, "audio/mp4"},
		{"html refused", "?name=x.html", "text/html", []byte("<script>alert(1)</script>"), 415, ""},
		{"html declared as video refused", "?name=x.mp4", "video/mp4", []byte("<!DOCTYPE html><script>alert(1)</script>"), 415, ""},
		{"unknown refused", "", "", []byte("plain words"), 415, ""},
		{"ebml magic alone refused", "", "video/webm", append([]byte{0x1a, 0x45, 0xdf, 0xa3}, make([]byte, 100)...), 415, ""},
	}
	for _, tt := range tests {
		header := []string{}
		if tt.ct != "" {
			header = []string{"Content-Type", tt.ct}
		}
		resp := ts.do(t, "PUT", "/api/v1/recordings/r/media"+tt.path, ts.token, tt.body, header...)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: PUT = %d; want %d", tt.name, resp.StatusCode, tt.status)
			continue
		}
		if tt.status != 201 {
			continue
		}
		if got := ts.do(t, "HEAD", "/media/r", "", nil).Header.Get("Content-Type"); got != tt.want {
			t.Errorf("%s: served as %q; want %q", tt.name, got, tt.want)
		}
	}
}

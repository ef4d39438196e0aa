package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
	"github.com/verbatim-archive/verbatim/internal/server"
)

// countingServer is the real server behind a handler that counts the body
// bytes the server reads (net/http's own discard of an unread body after
// the answer is not counted: it does not go through the wrapper).
func countingServer(t *testing.T, mod func(*server.Options)) (*testServer, *httptest.Server, *atomic.Int64) {
	t.Helper()
	var opts server.Options
	ts := newTestServer(t, func(o *server.Options) {
		if mod != nil {
			mod(o)
		}
		opts = *o
	})
	srv, err := server.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	cs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = &countingBody{ReadCloser: r.Body, n: &n}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(cs.Close)
	return ts, cs, &n
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// TestUploadsRefusedBeforeTheBody: a write without an editor's token is
// answered 401 having read (almost) nothing of its body: 50 token-less
// 16 MiB track uploads cost no memory.
func TestUploadsRefusedBeforeTheBody(t *testing.T) {
	ts, cs, read := countingServer(t, nil)
	ts.published(t, "r")
	body := bytes.Repeat([]byte("WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n\n"), 16<<20/40)
	tests := []struct{ method, path, auth, ct string }{
		{"PUT", "/api/v1/recordings/r/tracks/en", "", "text/vtt"},
		{"PUT", "/api/v1/recordings/r/tracks/en", "Bearer vbt_wrong", "text/vtt"},
		{"PUT", "/api/v1/recordings/r/tracks/en", "", "multipart/form-data; boundary=x"},
		{"PUT", "/api/v1/recordings/r/media", "", "video/mp4"},
		{"POST", "/api/v1/recordings", "", "application/json"},
		{"PATCH", "/api/v1/recordings/r", "", "application/json"},
		{"POST", "/api/v1/recordings/r/tracks/en/shift", "", "application/json"},
	}
	for _, tt := range tests {
		read.Store(0)
		// A raw connection: the head announces 16 MiB, the body follows
		// in the background while the answer is read (a server that
		// answers early and closes may reset the sender, which an
		// http.Client reports as an error instead of the answer).
		conn, err := net.Dial("tcp", strings.TrimPrefix(cs.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		head := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n", tt.method, tt.path, tt.ct, len(body))
		if tt.auth != "" {
			head += "Authorization: " + tt.auth + "\r\n"
		}
		io.WriteString(conn, head+"\r\n")
		go conn.Write(body) // fails once the server hangs up; that is fine
		status := answer(t, conn)
		conn.Close()
		if status != http.StatusUnauthorized || read.Load() > 0 {
			t.Errorf("%s %s (auth %q) = %d after reading %d body bytes; want 401 after none", tt.method, tt.path, tt.auth, status, read.Load())
		}
	}
	// With the token the same server reads the body.
	req, _ := http.NewRequest("PUT", cs.URL+"/api/v1/recordings/r/tracks/en", strings.NewReader("WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n"))
	req.Header.Set("Authorization", "Bearer "+ts.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || read.Load() == 0 {
		t.Errorf("editor's upload = %d after reading %d bytes; want 201", resp.StatusCode, read.Load())
	}
}

// rawRequest writes a request's head on a fresh connection and returns it.
func rawRequest(t *testing.T, url, method, path, token string, length int, header string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n%s\r\n", method, path, token, length, header)
	return conn
}

// answer reads the status of the response on conn, waiting at most 10s.
func answer(t *testing.T, conn net.Conn) int {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestBodyDeadlines: a body that stalls is cut by the idle timeout (408);
// one that keeps coming at a steady rate runs past it; a small body (a
// subtitle file, JSON) must also arrive whole within its overall deadline,
// a media upload need not.
func TestBodyDeadlines(t *testing.T) {
	ts := newTestServer(t, func(o *server.Options) {
		o.BodyIdleTimeout = time.Second
		o.SmallBodyTimeout = 2 * time.Second
	})
	ts.published(t, "r")
	vtt := "WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n"
	tests := []struct {
		name, path, header string
		body               string
		every              time.Duration // one byte per tick
		stallAfter         int           // stop sending after this many bytes (0: send all)
		want               int
	}{
		{"track stalls", "/api/v1/recordings/r/tracks/en", "", vtt, 10 * time.Millisecond, 8, http.StatusRequestTimeout},
		{"media stalls", "/api/v1/recordings/r/media?name=a.mp4", "Content-Type: video/mp4\r\n", strings.Repeat("m", 40), 10 * time.Millisecond, 8, http.StatusRequestTimeout},
		{"JSON stalls", "/api/v1/recordings", "Content-Type: application/json\r\n", `{"id":"j","title":"J"}`, 10 * time.Millisecond, 5, http.StatusRequestTimeout},
		// 40 bytes at 100ms: 4s in all, never idle for 1s.
		// The whole body arrives (no 408); 40 bytes are no video, so the
		// probe's 415 is the answer.
		{"media trickles steadily", "/api/v1/recordings/r/media?name=a.mp4", "Content-Type: video/mp4\r\n", strings.Repeat("m", 40), 100 * time.Millisecond, 0, http.StatusUnsupportedMediaType},
		{"track trickles past its deadline", "/api/v1/recordings/r/tracks/en", "", vtt, 100 * time.Millisecond, 0, http.StatusRequestTimeout},
		{"track in time", "/api/v1/recordings/r/tracks/en", "", vtt, 0, 0, http.StatusCreated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			conn := rawRequest(t, ts.URL, map[bool]string{true: "POST", false: "PUT"}[tt.path == "/api/v1/recordings"], tt.path, ts.token, len(tt.body), tt.header)
			start := time.Now()
			go func() {
				for i := 0; i < len(tt.body); i++ {
					if tt.stallAfter > 0 && i == tt.stallAfter {
						return // the connection stays open, silent
					}
					if _, err := conn.Write([]byte{tt.body[i]}); err != nil {
						return
					}
					time.Sleep(tt.every)
				}
			}()
			if got := answer(t, conn); got != tt.want {
				t.Errorf("status %d after %s; want %d", got, time.Since(start).Round(time.Millisecond), tt.want)
			}
		})
	}
}

// TestUploadSlots: uploads beyond the cap are refused at once with 503
// busy and Retry-After instead of queueing; a token-less one is still a
// 401 (it never takes a slot); once a slot frees, uploads go through.
func TestUploadSlots(t *testing.T) {
	var opts server.Options
	ts := newTestServer(t, func(o *server.Options) {
		o.MaxConcurrentUploads, o.BodyIdleTimeout = 1, 5*time.Second
		opts = *o
	})
	srv, err := server.New(opts) // the same service, a server the test can look into
	if err != nil {
		t.Fatal(err)
	}
	ts.Server = httptest.NewServer(srv)
	t.Cleanup(ts.Server.Close)
	ts.published(t, "r")
	media := string(mediatest.Sized(t, 2000))
	held := rawRequest(t, ts.URL, "PUT", "/api/v1/recordings/r/media?name=a.mp4", ts.token, len(media), "Content-Type: video/mp4\r\n")
	io.WriteString(held, media[:10])
	vtt := "WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n"
	for deadline := time.Now().Add(5 * time.Second); server.UploadsInUse(srv) != 1; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the held upload never took its slot")
		}
	}
	resp := ts.do(t, "PUT", "/api/v1/recordings/r/tracks/en", ts.token, vtt)
	if e := decode[apiError](t, resp); resp.StatusCode != http.StatusServiceUnavailable || e.Error.Code != "busy" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("upload over the cap = %d %+v, Retry-After %q; want 503 busy with Retry-After", resp.StatusCode, e, resp.Header.Get("Retry-After"))
	}
	if resp := ts.do(t, "PUT", "/api/v1/recordings/r/tracks/en", "", vtt); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("token-less upload while full = %d; want 401", resp.StatusCode)
	}
	wantStatus(t, ts.do(t, "GET", "/api/v1/recordings/r", "", nil), http.StatusOK) // reads are not uploads
	io.WriteString(held, media[10:])
	if got := answer(t, held); got != http.StatusCreated {
		t.Fatalf("held upload = %d; want 201", got)
	}
	wantStatus(t, ts.do(t, "PUT", "/api/v1/recordings/r/tracks/en", ts.token, vtt), http.StatusCreated)
}

// TestBodyTimeoutMessage: the 408 names the idle timeout and its code.
func TestBodyTimeoutMessage(t *testing.T) {
	ts := newTestServer(t, func(o *server.Options) { o.BodyIdleTimeout = 200 * time.Millisecond })
	ts.published(t, "r")
	conn := rawRequest(t, ts.URL, "PUT", "/api/v1/recordings/r/tracks/en", ts.token, 100, "")
	io.WriteString(conn, "WEBVTT\n")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e apiError
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusRequestTimeout || e.Error.Code != "request_timeout" || e.Error.Message != "the body stalled: no data for 200ms" {
		t.Errorf("stalled track = %d %+v; want 408 request_timeout naming 200ms", resp.StatusCode, e)
	}
}

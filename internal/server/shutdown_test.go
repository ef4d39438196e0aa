package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/server"
	"github.com/verbatim-archive/verbatim/internal/testenv"
)

// pausedBody sends head, says so on sent, then blocks until release is
// closed and sends tail.
type pausedBody struct {
	head, tail *bytes.Reader
	sent       chan struct{}
	release    <-chan struct{}
	once       sync.Once
}

func (b *pausedBody) Read(p []byte) (int, error) {
	if b.head.Len() > 0 {
		return b.head.Read(p)
	}
	b.once.Do(func() { close(b.sent) })
	<-b.release
	return b.tail.Read(p)
}

// waitLog waits until the log holds want.
func waitLog(t *testing.T, log *testenv.SyncBuffer, want string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(log.String(), want); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("log never said %q:\n%s", want, log)
		}
	}
}

// TestClientDisconnectIsNotAnError: a client that goes away in the middle
// of a media upload or a track upload is logged at INFO as a cancelled
// request with status 499, never at ERROR or as a 500.
func TestClientDisconnectIsNotAnError(t *testing.T) {
	for _, path := range []string{"/api/v1/recordings/r/media?name=x.webm", "/api/v1/recordings/r/tracks/en"} {
		t.Run(path, func(t *testing.T) {
			log := &testenv.SyncBuffer{}
			ts := newTestServer(t, func(o *server.Options) {
				o.Logger = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
			})
			ts.published(t, "r")
			ctx, cancel := context.WithCancel(context.Background())
			body := &pausedBody{head: bytes.NewReader([]byte("WEBVTT\n\n" + strings.Repeat("00:00:01.000 --> 00:00:02.000\nwords\n\n", 20000))),
				tail: bytes.NewReader(nil), sent: make(chan struct{}), release: ctx.Done()}
			req, _ := http.NewRequestWithContext(ctx, "PUT", ts.URL+path, body)
			req.ContentLength = 8 << 20
			req.Header.Set("Authorization", "Bearer "+ts.token)
			errc := make(chan error, 1)
			go func() {
				resp, err := http.DefaultClient.Do(req)
				if err == nil {
					resp.Body.Close()
				}
				errc <- err
			}()
			<-body.sent
			time.Sleep(50 * time.Millisecond) // the server is reading the body
			cancel()
			if err := <-errc; err == nil {
				t.Fatal("the cancelled request succeeded")
			}
			waitLog(t, log, "status=499")
			got := log.String()
			if !strings.Contains(got, "level=INFO msg=\"request cancelled by the client\"") {
				t.Errorf("log lacks the INFO line for the cancelled request:\n%s", got)
			}
			for _, bad := range []string{"level=ERROR", "status=500"} {
				if strings.Contains(got, bad) {
					t.Errorf("a client disconnect logged %q:\n%s", bad, got)
				}
			}
		})
	}
}

// TestReadyzDrainingAtShutdown: once Serve's context ends, /readyz answers
// 503 "draining" while a request in flight goes on to finish with 201, and
// Serve returns nil.
func TestReadyzDrainingAtShutdown(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "r")
	log := &testenv.SyncBuffer{}
	defer func() {
		if t.Failed() {
			t.Logf("server log:\n%s", log)
		}
	}()
	srv, err := server.New(server.Options{Service: ts.svc, ShutdownGrace: 10 * time.Second,
		Logger: slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	ready := func() (int, string) {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		var r struct{ Status string }
		json.Unmarshal(rec.Body.Bytes(), &r)
		return rec.Code, r.Status
	}
	if code, status := ready(); code != 200 || status != "ok" {
		t.Fatalf("/readyz before shutdown = %d %q; want 200 ok", code, status)
	}

	release := make(chan struct{})
	data := sample(t, 1<<20)
	body := &pausedBody{head: bytes.NewReader(data[:512<<10]), tail: bytes.NewReader(data[512<<10:]), sent: make(chan struct{}), release: release}
	req, _ := http.NewRequest("PUT", "http://"+ln.Addr().String()+"/api/v1/recordings/r/media?name=x.webm", body)
	req.ContentLength = int64(len(data))
	req.Header.Set("Authorization", "Bearer "+ts.token)
	status := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("upload during shutdown: %v", err)
			status <- 0
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	<-body.sent
	time.Sleep(200 * time.Millisecond) // the handler is reading the body
	stop()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if code, s := ready(); code == http.StatusServiceUnavailable && s == "draining" {
			break
		}
		if time.Now().After(deadline) {
			code, s := ready()
			t.Fatalf("/readyz while draining = %d %q; want 503 draining", code, s)
		}
	}
	close(release)
	if got := <-status; got != http.StatusCreated {
		t.Errorf("upload in flight at shutdown = %d; want 201", got)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve after a clean drain = %v; want nil", err)
	}
}

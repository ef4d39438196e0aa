package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/bleveindex"
	"github.com/verbatim-archive/verbatim/internal/disk"
	"github.com/verbatim-archive/verbatim/internal/faulttest"
	"github.com/verbatim-archive/verbatim/internal/server"
)

type serverOptions = server.Options

// testServer is the real server on a real store (a directory unless
// newTestServerOn was given another) and an
// in-memory bleve index that can be taken down.
type testServer struct {
	*httptest.Server
	svc   *archive.Service
	store archive.Blobs
	index *faulttest.FlakyIndex
	token string // an editor's API token
	srv   *server.Server
}

func newTestServer(tb testing.TB, mod func(*server.Options)) *testServer {
	tb.Helper()
	store, err := disk.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	return newTestServerOn(tb, store, mod)
}

// newTestServerOn is newTestServer on the given store (a real S3 server's,
// say): an in-memory index, an editor account, mod applied to the options.
func newTestServerOn(tb testing.TB, store archive.Blobs, mod func(*server.Options)) *testServer {
	tb.Helper()
	return newTestServerWith(tb, store, nil, mod)
}

// newTestServerWith is newTestServerOn with amod applied to the
// archive's options too (media tools, say).
func newTestServerWith(tb testing.TB, store archive.Blobs, amod func(*archive.Options), mod func(*server.Options)) *testServer {
	tb.Helper()
	bi, err := bleveindex.OpenMem()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { bi.Close() })
	idx := &faulttest.FlakyIndex{Index: bi}
	aopts := archive.Options{Blobs: store, Index: idx, RetryEvery: 20 * time.Millisecond}
	if amod != nil {
		amod(&aopts)
	}
	svc, err := archive.NewService(aopts)
	if err != nil {
		tb.Fatal(err)
	}
	token, err := svc.AddAccount(context.Background(), "editor", archive.RoleEditor, nil)
	if err != nil {
		tb.Fatal(err)
	}
	opts := server.Options{Service: svc}
	if mod != nil {
		mod(&opts)
	}
	srv, err := server.New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	tb.Cleanup(ts.Close)
	return &testServer{Server: ts, svc: svc, store: store, index: idx, token: token, srv: srv}
}

// do sends a request; token "" is anonymous. body may be nil, []byte,
// string or anything JSON-encodable.
func (ts *testServer) do(tb testing.TB, method, path, token string, body any, header ...string) *http.Response {
	tb.Helper()
	var r io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = strings.NewReader(b)
	case io.Reader:
		r = b
	default:
		data, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		r, ct = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequest(method, ts.URL+path, r)
	if err != nil {
		tb.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req) // no transparent gzip, no redirects
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { resp.Body.Close() })
	return resp
}

func readAll(tb testing.TB, resp *http.Response) []byte {
	tb.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func decode[T any](tb testing.TB, resp *http.Response) T {
	tb.Helper()
	var v T
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		tb.Fatalf("decode %s response: %v", resp.Request.URL.Path, err)
	}
	return v
}

func wantStatus(tb testing.TB, resp *http.Response, want int) {
	tb.Helper()
	if resp.StatusCode != want {
		body, _ := io.ReadAll(resp.Body)
		tb.Fatalf("%s %s = %d; want %d\n%s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, body)
	}
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Line    int    `json:"line"`
		Reason  string `json:"reason"`
	} `json:"error"`
}

// published creates a published recording through the API.
func (ts *testServer) published(tb testing.TB, id string) {
	tb.Helper()
	resp := ts.do(tb, "POST", "/api/v1/recordings", ts.token, map[string]any{"id": id, "title": "Title of " + id, "status": "published", "date": "2021-01-25"})
	wantStatus(tb, resp, http.StatusCreated)
}

func contextWithCancel(tb testing.TB) (context.Context, context.CancelFunc) {
	tb.Helper()
	return context.WithCancel(context.Background())
}

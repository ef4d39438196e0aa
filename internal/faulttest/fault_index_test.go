package faulttest

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
	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
	"github.com/verbatim-archive/verbatim/internal/server"
)

// inProcess is a Service and server on a temp dir with a FlakyIndex in
// front of a real in-memory bleve index.
type inProcess struct {
	t     *testing.T
	url   string
	token string
	index *FlakyIndex
	svc   *archive.Service
	store archive.Blobs
}

func startInProcess(t *testing.T) *inProcess {
	t.Helper()
	store, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return startInProcessOn(t, store, 10*time.Second)
}

// startInProcessOn runs the Service and server on store, with requests
// (but media streaming) bounded by timeout.
func startInProcessOn(t *testing.T, store archive.Blobs, timeout time.Duration) *inProcess {
	t.Helper()
	mem, err := bleveindex.OpenMem()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mem.Close() })
	idx := &FlakyIndex{Index: mem}
	svc, err := archive.NewService(archive.Options{Blobs: store, Index: idx, RetryEvery: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); svc.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	srv, err := server.New(server.Options{Service: svc, RequestTimeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	token, err := svc.AddAccount(ctx, "editor", archive.RoleEditor, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &inProcess{t: t, url: ts.URL, token: token, index: idx, svc: svc, store: store}
}

func (p *inProcess) req(method, path string, body []byte, hdr map[string]string) (int, []byte) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, p.url+path, bytes.NewReader(body))
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+p.token)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		p.t.Fatalf("%s %s: read: %v", method, path, err)
	}
	return resp.StatusCode, data
}

func (p *inProcess) must(method, path string, body []byte, want int, hdr map[string]string) []byte {
	p.t.Helper()
	code, data := p.req(method, path, body, hdr)
	if code != want {
		p.t.Fatalf("%s %s = %d %s; want %d", method, path, code, data, want)
	}
	return data
}

// hits returns the search total for q, or the status when it is not 200.
func (p *inProcess) hits(q string) (int, int) {
	p.t.Helper()
	code, data := p.req(http.MethodGet, "/api/v1/search?q="+q, nil, nil)
	if code != http.StatusOK {
		return -1, code
	}
	var res struct {
		Total int `json:"total"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		p.t.Fatalf("decode search: %v: %s", err, data)
	}
	return res.Total, code
}

type readyz struct {
	Status string `json:"status"`
	Checks map[string]struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	} `json:"checks"`
	Pending int `json:"pending_reindex"`
}

func (p *inProcess) ready() (int, readyz) {
	p.t.Helper()
	code, data := p.req(http.MethodGet, "/readyz", nil, nil)
	var r readyz
	if err := json.Unmarshal(data, &r); err != nil {
		p.t.Fatalf("decode /readyz: %v: %s", err, data)
	}
	return code, r
}

func srt(text string) []byte {
	return []byte("1\n00:00:01,000 --> 00:00:03,000\n" + text + "\n\n2\n00:00:04,000 --> 00:00:06,000\nand more words\n")
}

// TestIndexUnreachable: with the search index down, editors still upload
// tracks and media and viewers still watch; search answers 503 with a
// clear message and /readyz names the index. When the index comes back,
// the background retry catches up: what was uploaded meanwhile is found.
func TestIndexUnreachable(t *testing.T) {
	p := startInProcess(t)
	js := map[string]string{"Content-Type": "application/json"}
	p.must(http.MethodPost, "/api/v1/recordings", []byte(`{"id":"idx","title":"Index fault","status":"published","date":"2026-01-01"}`), http.StatusCreated, js)
	p.must(http.MethodPut, "/api/v1/recordings/idx/tracks/en", srt("the zanzibar declaration"), http.StatusCreated, map[string]string{"Content-Type": "application/x-subrip"})
	if n, code := p.hits("zanzibar"); n != 1 {
		t.Fatalf("search zanzibar with the index up = %d hits (status %d); want 1", n, code)
	}

	// The watch page is checked under the fault only if it answers without it.
	watchCode, _ := p.req(http.MethodGet, "/watch/idx?lang=en", nil, nil)

	p.index.SetDown(true)
	code, body := p.req(http.MethodGet, "/api/v1/search?q=zanzibar", nil, nil)
	if code != http.StatusServiceUnavailable || !strings.Contains(string(body), `"error"`) {
		t.Errorf("search with the index down = %d %s; want 503 with a JSON error", code, body)
	}
	rcode, r := p.ready()
	if r.Checks["index"].OK || r.Checks["index"].Error == "" || !r.Checks["storage"].OK {
		t.Errorf("/readyz with the index down = %d %+v; want the index reported down with its error, storage up", rcode, r)
	}

	// Editors keep working.
	p.must(http.MethodPut, "/api/v1/recordings/idx/tracks/de", srt("die quokka erklärung"), http.StatusCreated, map[string]string{"Content-Type": "application/x-subrip"})
	media := mediatest.Sized(t, 8*64<<10)
	p.must(http.MethodPut, "/api/v1/recordings/idx/media", media, http.StatusCreated, map[string]string{"Content-Type": "video/mp4"})
	// Viewers keep watching.
	got := p.must(http.MethodGet, "/media/idx", nil, http.StatusPartialContent, map[string]string{"Range": "bytes=1000-1999"})
	if !bytes.Equal(got, media[1000:2000]) {
		t.Errorf("GET /media/idx range with the index down returned other bytes")
	}
	p.must(http.MethodGet, "/api/v1/recordings/idx/tracks/de", nil, http.StatusOK, nil)
	if watchCode == http.StatusOK {
		p.must(http.MethodGet, "/watch/idx?lang=de", nil, http.StatusOK, nil)
	} else {
		t.Logf("GET /watch/idx answers %d even with the index up: watch page not checked", watchCode)
	}
	if _, r := p.ready(); r.Pending == 0 {
		t.Errorf("/readyz pending_reindex = 0 after writes with the index down; want the recording waiting")
	}
	if p.index.Fails() == 0 {
		t.Fatal("the index was never called while down: the test proves nothing")
	}

	p.index.SetDown(false)
	// Catch-up is eventual: the retry indexes, then clears the marks.
	deadline := time.Now().Add(15 * time.Second)
	for {
		n, _ := p.hits("quokka")
		code, r := p.ready()
		if n == 1 && code == http.StatusOK && r.Pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("15s after the index came back: search quokka = %d hits, /readyz = %d %+v; want 1 hit, 200, nothing pending", n, code, r)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n, _ := p.hits("zanzibar"); n != 1 {
		t.Errorf("search zanzibar after catch-up = %d hits; want 1", n)
	}
	// The markers are the server's own: removed as soon as applied.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		list, err := archive.ListPending(context.Background(), p.store)
		if err == nil && len(list) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pending index work in storage 5s after catch-up = %v (err %v); want none", list, err)
		}
	}
}

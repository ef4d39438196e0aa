package archive_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/disk"
)

var (
	editor = archive.Principal{Name: "ed", Role: archive.RoleEditor}
	viewer = archive.Principal{}
)

// env is a Service on a real directory store and a recording index.
type env struct {
	svc   *archive.Service
	store *disk.Store
	blobs *faultyBlobs
	index *recordingIndex
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	store, err := disk.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	e := &env{store: store, blobs: &faultyBlobs{Blobs: store}, index: newRecordingIndex()}
	e.svc, err = archive.NewService(archive.Options{
		Blobs: e.blobs, Index: e.index, RetryEvery: 10 * time.Millisecond, PasswordCost: bcrypt.MinCost,
		Now: func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func (e *env) create(tb testing.TB, in archive.RecordingInput) archive.Recording {
	tb.Helper()
	rec, _, err := e.svc.Create(context.Background(), editor, in)
	if err != nil {
		tb.Fatalf("Create(%q): %v", in.ID, err)
	}
	return rec
}

// faultyBlobs is the real store with failures injected on chosen keys, to
// prove what a failure between two writes leaves behind.
type faultyBlobs struct {
	archive.Blobs
	mu      sync.Mutex
	failPut func(key string) bool
}

func (f *faultyBlobs) setFailPut(fn func(key string) bool) {
	f.mu.Lock()
	f.failPut = fn
	f.mu.Unlock()
}

func (f *faultyBlobs) Put(ctx context.Context, key string, r io.Reader, size int64, opts archive.PutOptions) (archive.BlobInfo, error) {
	f.mu.Lock()
	fail := f.failPut != nil && f.failPut(key)
	f.mu.Unlock()
	if fail {
		io.Copy(io.Discard, r)
		return archive.BlobInfo{}, errors.New("injected failure writing " + key)
	}
	return f.Blobs.Put(ctx, key, r, size, opts)
}

// recordingIndex keeps what the Service hands to the index so tests can
// check that only viewer-visible documents arrive; it can be switched off
// to act as an unreachable index. Search is a plain substring match.
type recordingIndex struct {
	mu   sync.Mutex
	docs map[string][]archive.CueDoc
	down bool
}

func newRecordingIndex() *recordingIndex {
	return &recordingIndex{docs: map[string][]archive.CueDoc{}}
}

func (x *recordingIndex) setDown(down bool) {
	x.mu.Lock()
	x.down = down
	x.mu.Unlock()
}

func (x *recordingIndex) get(id string) ([]archive.CueDoc, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	d, ok := x.docs[id]
	return d, ok
}

var errDown = errors.New("index: connection refused")

func (x *recordingIndex) Put(ctx context.Context, id string, docs []archive.CueDoc) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.down {
		return errDown
	}
	x.docs[id] = docs
	return nil
}

func (x *recordingIndex) Delete(ctx context.Context, id string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.down {
		return errDown
	}
	delete(x.docs, id)
	return nil
}

func (x *recordingIndex) Search(ctx context.Context, q archive.SearchQuery) (archive.SearchResult, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.down {
		return archive.SearchResult{}, errDown
	}
	res := archive.SearchResult{Page: q.Page, PerPage: q.PerPage}
	for _, docs := range x.docs {
		for _, d := range docs {
			if strings.Contains(strings.ToLower(d.Text), strings.ToLower(q.Text)) {
				res.Hits = append(res.Hits, archive.Hit{RecordingID: d.RecordingID, Lang: d.Lang, StartMS: d.StartMS, EndMS: d.EndMS, Speaker: d.Speaker, Text: d.Text})
			}
		}
	}
	res.Total = len(res.Hits)
	return res, nil
}

func (x *recordingIndex) Ping(ctx context.Context) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.down {
		return errDown
	}
	return nil
}

func copyAll(w io.Writer, rc io.ReadCloser) (int64, error) {
	defer rc.Close()
	return io.Copy(w, rc)
}

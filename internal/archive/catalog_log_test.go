package archive_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// countingBlobs counts the reads a Service makes, by operation and the
// first two segments of the key ("get catalog/entries", "list
// catalog/changes").
type countingBlobs struct {
	archive.Blobs
	mu sync.Mutex
	n  map[string]int
}

func newCounting(b archive.Blobs) *countingBlobs {
	return &countingBlobs{Blobs: b, n: map[string]int{}}
}

func (c *countingBlobs) note(op, key string) {
	parts := strings.SplitN(key, "/", 3)
	if len(parts) > 2 {
		parts = parts[:2]
	}
	c.mu.Lock()
	c.n[op+" "+strings.Join(parts, "/")]++
	c.mu.Unlock()
}

func (c *countingBlobs) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.n
	c.n = map[string]int{}
	return out
}

func (c *countingBlobs) Get(ctx context.Context, key string, offset, length int64) (io.ReadCloser, archive.BlobInfo, error) {
	c.note("get", key)
	return c.Blobs.Get(ctx, key, offset, length)
}

func (c *countingBlobs) Stat(ctx context.Context, key string) (archive.BlobInfo, error) {
	c.note("stat", key)
	return c.Blobs.Stat(ctx, key)
}

func (c *countingBlobs) List(ctx context.Context, prefix string) ([]archive.BlobInfo, error) {
	c.note("list", prefix)
	return c.Blobs.List(ctx, prefix)
}

func (c *countingBlobs) ListAfter(ctx context.Context, prefix, after string) ([]archive.BlobInfo, error) {
	c.note("list", prefix)
	return c.Blobs.(archive.AfterLister).ListAfter(ctx, prefix, after)
}

// A second Service on the store loads the catalog from the snapshot in a
// listing and one read, whatever the number of recordings, and then
// catches up with another's create, rename, unpublish and delete by
// reading the change log and the changed entries only.
func TestCatalogRefreshCostsTheChanges(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const n = 50
	for i := range n {
		e.create(t, archive.RecordingInput{ID: fmt.Sprintf("r%03d", i), Title: fmt.Sprintf("T%d", i), Date: fmt.Sprintf("2024-01-%02d", 1+i%28),
			Status: archive.StatusPublished})
	}
	if err := e.svc.CompactCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	counted := newCounting(e.store)
	other, err := archive.NewService(archive.Options{Blobs: counted, PasswordCost: bcrypt.MinCost, CatalogFresh: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, total := pageIDs(t, other, viewer, archive.CatalogQuery{PerPage: 5}); total != n {
		t.Fatalf("the other lists %d recordings; want %d", total, n)
	}
	want := map[string]int{"list catalog/snapshots": 1, "get catalog/snapshots": 1, "list catalog/changes": 1}
	if diff := cmp.Diff(want, counted.take()); diff != "" {
		t.Errorf("first page after a start read (-want +got):\n%s", diff)
	}

	title, pub := "Renamed", archive.StatusDraft
	_, etag, _ := e.svc.Get(ctx, editor, "r005")
	if _, _, err := e.svc.Patch(ctx, editor, "r005", etag, archive.Patch{Title: &title}); err != nil {
		t.Fatal(err)
	}
	_, etag, _ = e.svc.Get(ctx, editor, "r006")
	if _, _, err := e.svc.Patch(ctx, editor, "r006", etag, archive.Patch{Status: &pub}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Delete(ctx, editor, "r007"); err != nil {
		t.Fatal(err)
	}
	e.create(t, archive.RecordingInput{ID: "new", Title: "New", Date: "2030-01-01", Status: archive.StatusPublished})
	time.Sleep(20 * time.Millisecond) // past the other's CatalogFresh
	p, err := other.ListPage(ctx, viewer, archive.CatalogQuery{PerPage: n + 5})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range p.Recordings {
		got[r.ID] = r.Title
	}
	if got["r005"] != "Renamed" || got["r006"] != "" || got["r007"] != "" || got["new"] != "New" || p.Total != n-1 {
		t.Errorf("after rename, unpublish, delete and create the other lists r005=%q r006=%q r007=%q new=%q, total %d; want Renamed, -, -, New, %d",
			got["r005"], got["r006"], got["r007"], got["new"], p.Total, n-1)
	}
	// Four changes: four entries read (the deleted one is not found), one
	// listing of the change log, nothing else.
	want = map[string]int{"list catalog/changes": 1, "get catalog/entries": 4}
	if diff := cmp.Diff(want, counted.take()); diff != "" {
		t.Errorf("catching up with 4 changes read (-want +got):\n%s", diff)
	}
	time.Sleep(20 * time.Millisecond)
	if _, err := other.ListPage(ctx, viewer, archive.CatalogQuery{PerPage: 5}); err != nil {
		t.Fatal(err)
	}
	want = map[string]int{"list catalog/changes": 1}
	if diff := cmp.Diff(want, counted.take()); diff != "" {
		t.Errorf("catching up with no change read (-want +got):\n%s", diff)
	}
}

// With Run going, a listing never waits for storage: the background
// refresh keeps the view, and another process's change shows within
// CatalogFresh plus a refresh.
func TestCatalogBackgroundRefresh(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.create(t, archive.RecordingInput{ID: "a", Title: "A", Status: archive.StatusPublished})
	counted := newCounting(e.store)
	other, err := archive.NewService(archive.Options{Blobs: counted, PasswordCost: bcrypt.MinCost, CatalogFresh: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { other.Run(runCtx); close(done) }()
	defer func() { cancel(); <-done }()
	if got, _ := pageIDs(t, other, viewer, archive.CatalogQuery{PerPage: 5}); got != "a" {
		t.Fatalf("first page = %q; want a", got)
	}
	e.create(t, archive.RecordingInput{ID: "b", Title: "B", Date: "2030-01-01", Status: archive.StatusPublished})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if got, _ := pageIDs(t, other, viewer, archive.CatalogQuery{PerPage: 5}); got == "b,a" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the background refresh never listed b")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Requests alone, the refresh stopped: no storage read on the way.
	cancel()
	<-done
	counted.take()
	time.Sleep(30 * time.Millisecond) // the view is now older than CatalogFresh
	for range 5 {
		pageIDs(t, other, viewer, archive.CatalogQuery{PerPage: 5})
	}
	if got := counted.take(); len(got) != 1 || got["list catalog/changes"] != 1 {
		// Run ended, so the view falls back to catching up on the request
		// path: one listing of the changes, then fresh again.
		t.Errorf("five listings without the background refresh read %v; want one listing of catalog/changes", got)
	}
}

// A reindex writes a snapshot from every entry; it holds what the
// incremental view holds.
func TestReindexSnapshotEqualsIncremental(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i := range 9 {
		st := archive.StatusPublished
		if i%3 == 0 {
			st = archive.StatusDraft
		}
		e.create(t, archive.RecordingInput{ID: fmt.Sprintf("r%d", i), Title: fmt.Sprintf("T%d", i), Date: fmt.Sprintf("2024-%02d-01", 1+i), Status: st})
	}
	if err := e.svc.Delete(ctx, editor, "r4"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.CompactCatalog(ctx); err != nil {
		t.Fatal(err)
	}
	incremental := snapshotEntries(t, e)
	if err := e.svc.Reindex(ctx, newRecordingIndex(), nil); err != nil {
		t.Fatal(err)
	}
	rebuilt := snapshotEntries(t, e)
	if diff := cmp.Diff(incremental, rebuilt); diff != "" {
		t.Errorf("snapshot after reindex differs from the incremental one (-incremental +rebuilt):\n%s", diff)
	}
	if len(rebuilt) != 8 {
		t.Errorf("snapshot holds %d entries; want 8", len(rebuilt))
	}
}

// snapshotEntries reads the newest snapshot's entries.
func snapshotEntries(tb testing.TB, e *env) []json.RawMessage {
	tb.Helper()
	infos, err := e.store.List(context.Background(), archive.CatalogSnapshotPrefix)
	if err != nil || len(infos) == 0 {
		tb.Fatalf("no snapshot: %v", err)
	}
	var snap struct {
		Entries []json.RawMessage `json:"entries"`
	}
	if err := json.Unmarshal(readBlob(tb, e.store, infos[len(infos)-1].Key), &snap); err != nil {
		tb.Fatal(err)
	}
	return snap.Entries
}

// The editors' list comes from the catalog: drafts first, then by last
// change, with what each recording has, and no manifest read.
func TestWorkspaceFromCatalog(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	counted := newCounting(e.store)
	svc, err := archive.NewService(archive.Options{Blobs: counted, Index: e.index, PasswordCost: bcrypt.MinCost,
		Now: func() time.Time { clock = clock.Add(time.Minute); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []archive.RecordingInput{
		{ID: "p1", Title: "P1", Status: archive.StatusPublished},
		{ID: "d1", Title: "D1"},
		{ID: "p2", Title: "P2", Status: archive.StatusPublished, Speakers: []archive.Speaker{{ID: "s", Name: "S", Visibility: archive.VisibilityHidden}}},
		{ID: "d2", Title: "D2"},
	} {
		if _, _, err := svc.Create(ctx, editor, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.PutTrack(ctx, editor, "p2", archive.TrackUpload{Lang: "fr", Name: "fr.srt", Data: []byte("1\n00:00:01,000 --> 00:00:02,000\nBonjour.\n")}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Workspace(ctx, viewer, 1, 10); !errors.Is(err, archive.ErrUnauthorized) {
		t.Errorf("Workspace for a viewer = %v; want ErrUnauthorized", err)
	}
	counted.take()
	var ids []string
	for page := 1; page <= 2; page++ {
		p, err := svc.Workspace(ctx, editor, page, 3)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 4 {
			t.Errorf("Workspace total = %d; want 4", p.Total)
		}
		for _, it := range p.Items {
			ids = append(ids, it.ID)
			if it.ID == "p2" && (it.Work == nil || it.Work.Held != 1 || strings.Join(it.Work.Tracks, ",") != "fr" || it.Work.MediaKey != "") {
				t.Errorf("p2's work = %+v; want one held speaker, track fr, no media", it.Work)
			}
		}
	}
	if got := strings.Join(ids, ","); got != "d2,d1,p2,p1" {
		t.Errorf("Workspace order = %s; want d2,d1,p2,p1 (drafts first, newest change first)", got)
	}
	for op := range counted.take() {
		if strings.Contains(op, "recordings") {
			t.Errorf("Workspace read %s", op)
		}
	}
}

package faulttest

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/bleveindex"
	"github.com/verbatim-archive/verbatim/internal/check"
	"github.com/verbatim-archive/verbatim/internal/disk"
)

var editor = archive.Principal{Name: "ed", Role: archive.RoleEditor}

// TestDeleteSurvivesCrash: a recording deleted while the index fails, then
// the process dies (its Service is abandoned, never run again). The index
// still finds the deleted words; `check` reports the pending work; a new
// Service on the same store (the restarted server) applies it at start,
// after which the words are no longer found and nothing is pending.
func TestDeleteSurvivesCrash(t *testing.T) {
	ctx := context.Background()
	store, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	mem, err := bleveindex.OpenMem()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mem.Close() })
	idx := &FlakyIndex{Index: mem}

	first, err := archive.NewService(archive.Options{Blobs: store, Index: idx})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := first.Create(ctx, editor, archive.RecordingInput{ID: "gone", Title: "Deleted", Status: archive.StatusPublished}); err != nil {
		t.Fatal(err)
	}
	if _, err := first.PutTrack(ctx, editor, "gone", archive.TrackUpload{Lang: "en", Name: "en.srt", Data: srt("the zanzibar declaration")}); err != nil {
		t.Fatal(err)
	}
	if n := searchTotal(t, first, "zanzibar"); n != 1 {
		t.Fatalf("before the delete: %d hits; want 1", n)
	}

	idx.SetDown(true)
	if err := first.Delete(ctx, editor, "gone"); err != nil {
		t.Fatalf("Delete with the index down = %v; want it to succeed (storage is the record)", err)
	}
	if idx.Fails() == 0 {
		t.Fatal("the index was never called while down: the test proves nothing")
	}
	// kill -9: the first Service is never used again; what it owed the
	// index must be in storage.
	idx.SetDown(false)
	if n := searchTotal(t, first, "zanzibar"); n != 1 {
		t.Fatalf("after the failed delete the index holds %d hits; the test needs the stale one", n)
	}

	rep, err := check.Run(ctx, store, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := rep.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"pending index update: recording gone (1 since ", "pending: 1 recordings wait for an index update: start the server"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check before the restart = %q; want it to contain %q", out.String(), want)
		}
	}

	// The restart: a new Service on the same store and index.
	second, err := archive.NewService(archive.Options{Blobs: store, Index: idx, RetryEvery: 20 * time.Millisecond, PendingGrace: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- second.Run(runCtx) }()
	defer func() { stop(); <-done }()
	waitFor(t, 5*time.Second, "the deleted recording's words to leave search", func() bool { return searchTotal(t, second, "zanzibar") == 0 })
	waitFor(t, 5*time.Second, "the applied marker to be removed after the grace", func() bool {
		rep, err := check.Run(ctx, store, check.Options{})
		return err == nil && len(rep.PendingIndex) == 0
	})
	if n := second.Pending(); n != 0 {
		t.Errorf("Pending() after the repair = %d; want 0", n)
	}
}

// TestPendingAcrossProcesses: two Services share one store; one writes
// with the index down and is killed, the other (its own index up)
// repairs it, and the writer's own marker is never removed by the other
// before the grace.
func TestPendingAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	store, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	mem, err := bleveindex.OpenMem()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mem.Close() })
	down := &FlakyIndex{Index: mem}
	down.SetDown(true)
	writer, err := archive.NewService(archive.Options{Blobs: store, Index: down})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := writer.Create(ctx, editor, archive.RecordingInput{ID: "shared", Title: "Shared", Status: archive.StatusPublished}); err != nil {
		t.Fatal(err)
	}
	if _, err := writer.PutTrack(ctx, editor, "shared", archive.TrackUpload{Lang: "en", Name: "en.srt", Data: srt("the quokka protocol")}); err != nil {
		t.Fatal(err)
	}
	if writer.Pending() != 1 {
		t.Errorf("writer Pending() = %d after a failed update; want 1", writer.Pending())
	}
	other, err := archive.NewService(archive.Options{Blobs: store, Index: mem, RetryEvery: 20 * time.Millisecond, PendingGrace: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- other.Run(runCtx) }()
	defer func() { stop(); <-done }()
	waitFor(t, 5*time.Second, "the other process to index the write", func() bool { return searchTotal(t, other, "quokka") == 1 })
	waitFor(t, 5*time.Second, "the other process to count nothing pending", func() bool { return other.Pending() == 0 })
	if list, _ := archive.ListPending(ctx, store); len(list) != 1 {
		t.Errorf("markers after the repair, within the grace = %v; want the writer's marker kept", list)
	}
}

func searchTotal(t *testing.T, svc *archive.Service, q string) int {
	t.Helper()
	res, err := svc.Search(context.Background(), archive.Principal{}, archive.SearchQuery{Text: q})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	return res.Total
}

func waitFor(t *testing.T, within time.Duration, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", within, what)
		}
	}
}

package archive_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// listLog records the keys every listing of a prefix returned.
type listLog struct {
	archive.Blobs
	mu     sync.Mutex
	most   int  // the most keys one listing of an audit prefix returned
	whole  bool // an audit prefix was listed whole (List)
	listed int  // audit keys listed in all
}

func (l *listLog) note(prefix string, n int, whole bool) {
	if !strings.Contains(prefix, "/audit/") {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.most, l.listed = max(l.most, n), l.listed+n
	l.whole = l.whole || whole
}

func (l *listLog) List(ctx context.Context, prefix string) ([]archive.BlobInfo, error) {
	infos, err := l.Blobs.List(ctx, prefix)
	l.note(prefix, len(infos), true)
	return infos, err
}

func (l *listLog) ListPage(ctx context.Context, prefix, after string, limit int) ([]archive.BlobInfo, error) {
	infos, err := l.Blobs.(archive.PageLister).ListPage(ctx, prefix, after, limit)
	l.note(prefix, len(infos), false)
	return infos, err
}

func (l *listLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.most, l.whole, l.listed = 0, false, 0
}

// A page of the audit trail lists at most a page of keys (plus one, to
// know there is more), never the whole trail: newest first, every entry
// once across the pages.
func TestAuditPageIsBounded(t *testing.T) {
	e := newEnv(t)
	log := &listLog{Blobs: e.store}
	clock := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	svc, err := archive.NewService(archive.Options{Blobs: log, Index: e.index, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, _, err := svc.Create(ctx, editor, archive.RecordingInput{ID: "r", Title: "T0"}); err != nil {
		t.Fatal(err)
	}
	const edits = 60
	for i := 1; i <= edits; i++ {
		_, etag, err := svc.Get(ctx, editor, "r")
		if err != nil {
			t.Fatal(err)
		}
		title := fmt.Sprintf("T%d", i)
		if _, _, err := svc.Patch(ctx, editor, "r", etag, archive.Patch{Title: &title}); err != nil {
			t.Fatal(err)
		}
	}
	var titles []string
	cursor, pages := "", 0
	for {
		log.reset()
		page, err := svc.Audit(ctx, editor, "r", 7, cursor)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if log.whole || log.most > 8 {
			t.Fatalf("page %d listed %d audit keys in one listing (whole: %v); want at most 8", pages, log.most, log.whole)
		}
		for _, x := range page.Entries {
			if x.Action == archive.AuditCreate {
				titles = append(titles, "T0")
				continue
			}
			titles = append(titles, x.Changes[0].After)
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	var want []string
	for i := edits; i >= 0; i-- {
		want = append(want, fmt.Sprintf("T%d", i))
	}
	if !slices.Equal(titles, want) || pages != 9 {
		t.Errorf("%d pages of titles %v; want 9 pages of %v", pages, titles, want)
	}
}

// Entries written before the newest-first names are listed after the new
// ones, newest first, and paged across the boundary.
func TestAuditLegacyEntries(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.create(t, archive.RecordingInput{ID: "r", Title: "T"}) // one new-style entry: create
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		at := base.Add(time.Duration(i) * time.Hour)
		name := fmt.Sprintf("%020d-%s", at.UnixNano(), "abcdef")
		data, _ := json.Marshal(archive.AuditEntry{ID: name, At: at, Who: "old", Action: archive.AuditMetadata, Target: fmt.Sprint(i)})
		if _, err := e.store.Put(ctx, archive.AuditPrefix("r")+name+".json", bytes.NewReader(data), int64(len(data)), archive.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	cursor := ""
	for range 10 {
		page, err := e.svc.Audit(ctx, editor, "r", 2, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range page.Entries {
			got = append(got, x.Action+x.Target)
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	if want := []string{"create", "metadata2", "metadata1", "metadata0"}; !slices.Equal(got, want) {
		t.Errorf("entries %v; want %v", got, want)
	}
}

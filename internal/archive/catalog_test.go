package archive_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

func pageIDs(tb testing.TB, svc *archive.Service, who archive.Principal, q archive.CatalogQuery) (string, int) {
	tb.Helper()
	p, err := svc.ListPage(context.Background(), who, q)
	if err != nil {
		tb.Fatalf("ListPage(%+v): %v", q, err)
	}
	ids := make([]string, len(p.Recordings))
	for i, r := range p.Recordings {
		ids[i] = r.ID
	}
	return strings.Join(ids, ","), p.Total
}

func TestListPagePagesFiltersNewestFirst(t *testing.T) {
	e := newEnv(t)
	pub := archive.StatusPublished
	e.create(t, archive.RecordingInput{ID: "a", Title: "A", Event: "HRC 57", Date: "2024-09-10", Status: pub})
	e.create(t, archive.RecordingInput{ID: "b", Title: "B", Event: "HRC 57", Date: "2024-09-12", Status: pub})
	e.create(t, archive.RecordingInput{ID: "c", Title: "C", Event: "ISTAC", Date: "2025-01-20", Status: pub})
	e.create(t, archive.RecordingInput{ID: "d", Title: "D", Event: "ISTAC", Date: "2025-03-01"}) // draft
	e.create(t, archive.RecordingInput{ID: "u", Title: "Undated", Status: pub})

	tests := []struct {
		name  string
		who   archive.Principal
		q     archive.CatalogQuery
		want  string
		total int
	}{
		{"viewer first page", viewer, archive.CatalogQuery{PerPage: 2}, "c,b", 4},
		{"viewer second page", viewer, archive.CatalogQuery{Page: 2, PerPage: 2}, "a,u", 4},
		{"past the end", viewer, archive.CatalogQuery{Page: 9, PerPage: 2}, "", 4},
		{"editor sees drafts", editor, archive.CatalogQuery{PerPage: 10}, "d,c,b,a,u", 5},
		{"editor drafts only", editor, archive.CatalogQuery{PerPage: 10, Status: archive.StatusDraft}, "d", 1},
		{"viewer ignores status", viewer, archive.CatalogQuery{PerPage: 10, Status: archive.StatusDraft}, "c,b,a,u", 4},
		{"event", viewer, archive.CatalogQuery{PerPage: 10, Event: "hrc 57"}, "b,a", 2},
		{"event slug", viewer, archive.CatalogQuery{PerPage: 1, Page: 2, Event: "hrc-57"}, "a", 2},
		{"editor event slug", editor, archive.CatalogQuery{PerPage: 10, Event: "istac"}, "d,c", 2},
		{"event slug and year", viewer, archive.CatalogQuery{PerPage: 10, Event: "istac", Year: "2024"}, "", 0},
		{"year", viewer, archive.CatalogQuery{PerPage: 10, Year: "2025"}, "c", 1},
		{"editor year", editor, archive.CatalogQuery{PerPage: 10, Year: "2025"}, "d,c", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total := pageIDs(t, e.svc, tt.who, tt.q)
			if got != tt.want || total != tt.total {
				t.Errorf("ListPage = %q (total %d); want %q (total %d)", got, total, tt.want, tt.total)
			}
		})
	}
	for _, q := range []archive.CatalogQuery{{PerPage: 0}, {PerPage: 5, Lang: "not a tag!"}, {PerPage: 5, Status: "live"}} {
		if _, err := e.svc.ListPage(context.Background(), editor, q); !errors.Is(err, archive.ErrInvalid) {
			t.Errorf("ListPage(%+v) = %v; want ErrInvalid", q, err)
		}
	}
}

func TestCatalogSpeakersAsViewersSeeThem(t *testing.T) {
	e := newEnv(t)
	e.create(t, archive.RecordingInput{ID: "r", Title: "T", Status: archive.StatusPublished, Speakers: []archive.Speaker{
		{ID: "chair", Name: "Ana Chair", Visibility: archive.VisibilityNamed},
		{ID: "s1", Name: "Secret Survivor", Visibility: archive.VisibilityHidden},
		{ID: "s2", Name: "Real Name", Visibility: archive.VisibilityAnonymised, Pseudonym: "Witness A"},
	}})
	for _, who := range []archive.Principal{viewer, editor} {
		p, err := e.svc.ListPage(context.Background(), who, archive.CatalogQuery{PerPage: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Recordings) != 1 {
			t.Fatalf("ListPage = %+v; want one recording", p)
		}
		if diff := cmp.Diff([]string{"Ana Chair", "Witness A"}, p.Recordings[0].Speakers); diff != "" {
			t.Errorf("speaker names for %q (-want +got):\n%s", who.Role, diff)
		}
	}
	for _, name := range []string{"Secret Survivor", "Real Name"} {
		if got, _ := pageIDs(t, e.svc, viewer, archive.CatalogQuery{PerPage: 5, Speaker: name}); got != "" {
			t.Errorf("browsing by withheld name %q lists %q", name, got)
		}
	}
	if got, _ := pageIDs(t, e.svc, viewer, archive.CatalogQuery{PerPage: 5, Speaker: "witness a"}); got != "r" {
		t.Errorf("browsing by pseudonym lists %q; want r", got)
	}
}

// Changes through one Service are listed by another on the same store
// within the freshness bound; a catalog entry lost to a crash between
// the manifest and the entry is repaired from the pending marker.
func TestCatalogSharedStoreAndRepair(t *testing.T) {
	e := newEnv(t)
	other, err := archive.NewService(archive.Options{Blobs: e.store, PasswordCost: bcrypt.MinCost, CatalogFresh: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	listed := func() string {
		time.Sleep(30 * time.Millisecond)
		got, _ := pageIDs(t, other, viewer, archive.CatalogQuery{PerPage: 10})
		return got
	}
	e.create(t, archive.RecordingInput{ID: "x", Title: "X", Date: "2024-01-01"})
	if got := listed(); got != "" {
		t.Errorf("draft listed for viewers: %q", got)
	}
	pub, title := archive.StatusPublished, "Renamed"
	_, etag, err := e.svc.Get(ctx, editor, "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Patch(ctx, editor, "x", etag, archive.Patch{Status: &pub, Title: &title}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond) // past the other's freshness bound
	p, err := other.ListPage(ctx, viewer, archive.CatalogQuery{PerPage: 10})
	if err != nil || len(p.Recordings) != 1 || p.Recordings[0].Title != "Renamed" {
		t.Errorf("after publish+rename the other lists %+v (%v); want x titled Renamed", p, err)
	}

	// A crash after the manifest: the entry write fails, the marker stays.
	e.blobs.setFailPut(func(key string) bool { return strings.HasPrefix(key, archive.CatalogPrefix) })
	title = "After crash"
	_, etag, _ = e.svc.Get(ctx, editor, "x")
	if _, _, err := e.svc.Patch(ctx, editor, "x", etag, archive.Patch{Title: &title}); err != nil {
		t.Fatal(err)
	}
	e.blobs.setFailPut(nil)
	time.Sleep(30 * time.Millisecond)
	if p, _ := other.ListPage(ctx, viewer, archive.CatalogQuery{PerPage: 10}); len(p.Recordings) == 1 && p.Recordings[0].Title == "After crash" {
		t.Fatal("the injected failure did not keep the entry stale; the test proves nothing")
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { e.svc.Run(runCtx); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		p, _ := other.ListPage(ctx, viewer, archive.CatalogQuery{PerPage: 10})
		if len(p.Recordings) == 1 && p.Recordings[0].Title == "After crash" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the repair loop did not re-derive the stale entry: %+v", p)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done

	if err := e.svc.Delete(ctx, editor, "x"); err != nil {
		t.Fatal(err)
	}
	if got := listed(); got != "" {
		t.Errorf("after delete the other lists %q", got)
	}
}

// A catalog rebuilt by Reindex from the manifests equals the one kept by
// the writes themselves, and a stray entry (its manifest gone) is dropped.
func TestReindexRebuildsTheSameCatalog(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i := range 12 {
		st := archive.StatusPublished
		if i%3 == 0 {
			st = archive.StatusDraft
		}
		e.create(t, archive.RecordingInput{ID: fmt.Sprintf("r%02d", i), Title: fmt.Sprintf("T%d", i), Event: []string{"A", "B"}[i%2],
			Date: fmt.Sprintf("2024-%02d-01", 1+i%12), Status: st,
			Speakers: []archive.Speaker{{ID: "s", Name: "Speaker", Visibility: archive.VisibilityNamed}}})
	}
	incremental := readCatalog(t, e)
	for k := range incremental {
		if err := e.store.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	stray := archive.CatalogPrefix + "gone.json"
	if _, err := e.store.Put(ctx, stray, strings.NewReader(`{}`), 2, archive.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Reindex(ctx, newRecordingIndex(), nil); err != nil {
		t.Fatal(err)
	}
	rebuilt := readCatalog(t, e)
	if diff := cmp.Diff(incremental, rebuilt); diff != "" {
		t.Errorf("rebuilt catalog differs from the incremental one (-incremental +rebuilt):\n%s", diff)
	}
	if len(rebuilt) != 12 {
		t.Errorf("catalog has %d entries; want 12", len(rebuilt))
	}
}

func readCatalog(tb testing.TB, e *env) map[string]string {
	tb.Helper()
	ctx := context.Background()
	infos, err := e.store.List(ctx, archive.CatalogPrefix)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]string{}
	for _, in := range infos {
		out[in.Key] = string(readBlob(tb, e.store, in.Key))
	}
	return out
}

func readBlob(tb testing.TB, blobs archive.Blobs, key string) []byte {
	tb.Helper()
	rc, _, err := blobs.Get(context.Background(), key, 0, -1)
	if err != nil {
		tb.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

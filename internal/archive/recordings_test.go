package archive_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
)

func ptr[T any](v T) *T { return &v }

func TestCreateValidates(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.create(t, archive.RecordingInput{ID: "taken", Title: "T"})
	tests := []struct {
		name string
		who  archive.Principal
		in   archive.RecordingInput
		want error
	}{
		{"anonymous", viewer, archive.RecordingInput{ID: "a", Title: "T"}, archive.ErrUnauthorized},
		{"no role", archive.Principal{Name: "x"}, archive.RecordingInput{ID: "a", Title: "T"}, archive.ErrForbidden},
		{"existing id", editor, archive.RecordingInput{ID: "taken", Title: "T"}, archive.ErrConflict},
		{"upper case id", editor, archive.RecordingInput{ID: "Bad", Title: "T"}, archive.ErrInvalid},
		{"id too long", editor, archive.RecordingInput{ID: string(make([]byte, 81)), Title: "T"}, archive.ErrInvalid},
		{"no title", editor, archive.RecordingInput{ID: "b"}, archive.ErrInvalid},
		{"bad date", editor, archive.RecordingInput{ID: "b", Title: "T", Date: "22.6.2021"}, archive.ErrInvalid},
		{"bad status", editor, archive.RecordingInput{ID: "b", Title: "T", Status: "live"}, archive.ErrInvalid},
		{"bad metadata language", editor, archive.RecordingInput{ID: "b", Title: "T", MetadataLang: "not a tag"}, archive.ErrInvalid},
		{"bad visibility", editor, archive.RecordingInput{ID: "b", Title: "T", Speakers: []archive.Speaker{{Name: "A", Visibility: "secret"}}}, archive.ErrInvalid},
	}
	for _, tt := range tests {
		_, _, err := e.svc.Create(ctx, tt.who, tt.in)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: Create(%q) error = %v; want %v", tt.name, tt.in.ID, err, tt.want)
		}
	}
}

// The metadata language is stored as a canonical BCP 47 tag.
func TestCreateMetadataLang(t *testing.T) {
	e := newEnv(t)
	rec, _, err := e.svc.Create(context.Background(), editor, archive.RecordingInput{ID: "m", Title: "T", MetadataLang: "EN-gb"})
	if err != nil || rec.MetadataLang != "en-GB" {
		t.Errorf("Create with metadata_lang EN-gb = %q, %v; want en-GB", rec.MetadataLang, err)
	}
}

func TestCreateDerivesID(t *testing.T) {
	e := newEnv(t)
	a := e.create(t, archive.RecordingInput{Title: "Launch of ISTAC, Österreich"})
	b := e.create(t, archive.RecordingInput{Title: "Launch of ISTAC, Österreich"})
	if a.ID != "launch-of-istac-oesterreich" || b.ID != "launch-of-istac-oesterreich-2" {
		t.Errorf("derived ids = %q, %q; want launch-of-istac-oesterreich and …-2", a.ID, b.ID)
	}
}

func TestDraftsInvisibleToViewers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.create(t, archive.RecordingInput{ID: "draft", Title: "D"})
	e.create(t, archive.RecordingInput{ID: "pub", Title: "P", Status: archive.StatusPublished, Speakers: []archive.Speaker{
		{ID: "a", Name: "Alice", Visibility: archive.VisibilityNamed},
		{ID: "s", Name: "Survivor S", Visibility: archive.VisibilityAnonymised, Pseudonym: "Speaker 1"},
		{ID: "h", Name: "Hidden H", Visibility: archive.VisibilityHidden},
	}})

	ids := func(who archive.Principal) []string {
		recs, err := e.svc.List(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range recs {
			out = append(out, r.ID)
		}
		return out
	}
	if got, want := ids(viewer), []string{"pub"}; !cmp.Equal(got, want) {
		t.Errorf("List(viewer) = %v; want %v", got, want)
	}
	if got, want := ids(editor), []string{"draft", "pub"}; !cmp.Equal(got, want) {
		t.Errorf("List(editor) = %v; want %v", got, want)
	}
	if _, _, err := e.svc.Get(ctx, viewer, "draft"); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("Get(viewer, draft) error = %v; want ErrNotFound", err)
	}
	rec, _, err := e.svc.Get(ctx, viewer, "pub")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, sp := range rec.Speakers {
		names = append(names, sp.Name)
	}
	if want := []string{"Alice", "Speaker 1"}; !cmp.Equal(names, want) {
		t.Errorf("viewer speakers = %v; want %v (hidden gone, anonymised by pseudonym)", names, want)
	}
}

func TestPatchSameETag(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.create(t, archive.RecordingInput{ID: "r", Title: "Original"})
	_, etag, err := e.svc.Get(ctx, editor, "r")
	if err != nil {
		t.Fatal(err)
	}
	first, etag1, err := e.svc.Patch(ctx, editor, "r", etag, archive.Patch{Title: ptr("First")})
	if err != nil {
		t.Fatalf("first Patch: %v", err)
	}
	if etag1 == etag || first.Version != 2 {
		t.Errorf("first Patch: etag %q (was %q), version %d; want a new etag and version 2", etag1, etag, first.Version)
	}
	if _, _, err := e.svc.Patch(ctx, editor, "r", etag, archive.Patch{Title: ptr("Second")}); !errors.Is(err, archive.ErrPrecondition) {
		t.Errorf("second Patch with the same ETag: error = %v; want ErrPrecondition", err)
	}
	if _, _, err := e.svc.Patch(ctx, editor, "r", "", archive.Patch{Title: ptr("Blind")}); !errors.Is(err, archive.ErrPrecondition) {
		t.Errorf("Patch without ETag: error = %v; want ErrPrecondition", err)
	}
	got, _, _ := e.svc.Get(ctx, editor, "r")
	if got.Title != "First" {
		t.Errorf("after both patches Title = %q; want First", got.Title)
	}
}

// TestPatchRace fires many patches carrying the same ETag at once: the
// conditional write lets exactly one through.
func TestPatchRace(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.create(t, archive.RecordingInput{ID: "r", Title: "Original"})
	_, etag, _ := e.svc.Get(ctx, editor, "r")
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = e.svc.Patch(ctx, editor, "r", etag, archive.Patch{Description: ptr(string(rune('a' + i)))})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, archive.ErrPrecondition):
			t.Errorf("concurrent Patch error = %v; want nil or ErrPrecondition", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d concurrent patches with one ETag succeeded; want exactly 1", ok)
	}
	got, _, _ := e.svc.Get(ctx, editor, "r")
	if got.Version != 2 {
		t.Errorf("Version = %d; want 2", got.Version)
	}
}

func TestDeleteRemovesEverything(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.create(t, archive.RecordingInput{ID: "r", Title: "T", Status: archive.StatusPublished})
	e.create(t, archive.RecordingInput{ID: "r2", Title: "Other"})
	putMedia(t, e, "r", mediatest.Sized(t, 5000))
	e.index.Put(ctx, "r", []archive.CueDoc{{RecordingID: "r", Text: "x"}})
	if err := e.svc.Delete(ctx, viewer, "r"); !errors.Is(err, archive.ErrUnauthorized) {
		t.Errorf("Delete(viewer) error = %v; want ErrUnauthorized", err)
	}
	if err := e.svc.Delete(ctx, editor, "r"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	left, err := e.store.List(ctx, "recordings/r/")
	if err != nil || len(left) != 0 {
		t.Errorf("after Delete, objects under recordings/r/: %v (err %v); want none", left, err)
	}
	if _, ok := e.index.get("r"); ok {
		t.Errorf("after Delete the index still holds documents of r")
	}
	if _, _, err := e.svc.Get(ctx, editor, "r2"); err != nil {
		t.Errorf("Delete(r) touched r2: %v", err)
	}
	if err := e.svc.Delete(ctx, editor, "r"); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("second Delete error = %v; want ErrNotFound", err)
	}
}

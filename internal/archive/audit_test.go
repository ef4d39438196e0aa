package archive_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

func TestAuditTrail(t *testing.T) {
	e := trackEnv(t)
	ctx := context.Background()
	putTrack(t, e, "en", "en.vtt", enVTT)
	if _, err := e.svc.ShiftTrack(ctx, editor, "r", "en", 1500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	_, etag, err := e.svc.Get(ctx, editor, "r")
	if err != nil {
		t.Fatal(err)
	}
	title := "Panel, revised"
	speakers := []archive.Speaker{{ID: "alice", Name: "Alice", Visibility: archive.VisibilityNamed},
		{ID: "s", Name: "Survivor S", Visibility: archive.VisibilityHidden}, {ID: "h", Name: "Hidden H", Visibility: archive.VisibilityHidden}}
	if _, _, err := e.svc.Patch(ctx, archive.Principal{Name: "bo", Role: archive.RoleEditor}, "r", etag, archive.Patch{Title: &title, Speakers: &speakers}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteTrack(ctx, editor, "r", "en"); err != nil {
		t.Fatal(err)
	}

	page, err := e.svc.Audit(ctx, editor, "r", 50, "")
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, x := range page.Entries {
		actions = append(actions, x.Action)
	}
	want := []string{archive.AuditTrackDelete, archive.AuditMetadata, archive.AuditTrackShift, archive.AuditTrackPut, archive.AuditCreate}
	if strings.Join(actions, " ") != strings.Join(want, " ") || page.Next != "" {
		t.Fatalf("audit actions = %v, next %q; want %v, no next page", actions, page.Next, want)
	}
	meta := page.Entries[1]
	has := func(x archive.AuditEntry, field, before, after string) bool {
		for _, c := range x.Changes {
			if c.Field == field && strings.Contains(c.Before, before) && strings.Contains(c.After, after) {
				return true
			}
		}
		return false
	}
	if meta.Who != "bo" || !has(meta, "title", "Panel", title) || !has(meta, "speaker s", "anonymised", "hidden") || len(meta.Changes) != 2 {
		t.Errorf("metadata entry = %+v; want bo changing the title and speaker s from anonymised to hidden, nothing else", meta)
	}
	shift := page.Entries[2]
	if shift.Target != "en" || !has(shift, "offset_ms", "", "1500") || !has(shift, "version", "1", "2") || !has(shift, "first_cue_ms", "1000", "2500") {
		t.Errorf("shift entry = %+v; want en, offset 1500, version 1 → 2, first cue 1000 → 2500", shift)
	}
	if put := page.Entries[3]; !has(put, "version", "", "1") || !has(put, "cue_count", "0", "4") {
		t.Errorf("track put entry = %+v; want version → 1, 4 cues", put)
	}

	// Paged, newest first, with a cursor.
	first, err := e.svc.Audit(ctx, editor, "r", 2, "")
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.svc.Audit(ctx, editor, "r", 2, first.Next)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Entries) != 2 || first.Next == "" || len(second.Entries) != 2 || second.Entries[0].ID != page.Entries[2].ID {
		t.Errorf("pages of 2: %d entries next %q, then %d starting %v; want 2, a cursor, then 2 starting with the shift", len(first.Entries), first.Next, len(second.Entries), second.Entries)
	}

	if _, err := e.svc.Audit(ctx, viewer, "r", 10, ""); !errors.Is(err, archive.ErrUnauthorized) && !errors.Is(err, archive.ErrForbidden) {
		t.Errorf("viewer Audit: %v; want refused", err)
	}
	if _, err := e.svc.Audit(ctx, editor, "r", archive.MaxAuditPage+1, ""); !errors.Is(err, archive.ErrInvalid) {
		t.Errorf("Audit over the page limit: %v; want invalid", err)
	}
	if err := e.svc.Delete(ctx, editor, "r"); err != nil {
		t.Fatal(err)
	}
	if left, err := e.store.List(ctx, archive.AuditPrefix("r")); err != nil || len(left) != 0 {
		t.Errorf("after Delete the audit holds %d objects (%v); want none", len(left), err)
	}
	if _, err := e.svc.Audit(ctx, editor, "r", 10, ""); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("Audit of a deleted recording: %v; want not found", err)
	}
}

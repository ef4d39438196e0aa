package archive_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// voicesVTT is a track with one cue per voice name.
func voicesVTT(names []string) string {
	var b strings.Builder
	b.WriteString("WEBVTT\n\n")
	for i, n := range names {
		fmt.Fprintf(&b, "00:%02d:%02d.000 --> 00:%02d:%02d.500\n<v %s>words %d\n\n", i/60, i%60, i/60, i%60, n, i)
	}
	return b.String()
}

func names(n int, prefix string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s %d", prefix, i)
	}
	return out
}

// TestTrackSpeakerBudget: a track naming more new speakers than the
// recording may hold (3 on it + 198 new = 201 > 200) is refused before
// anything is stored; 197 new fit exactly.
func TestTrackSpeakerBudget(t *testing.T) {
	e := trackEnv(t)
	ctx := context.Background()
	_, err := e.svc.PutTrack(ctx, editor, "r", archive.TrackUpload{Lang: "en", Name: "en.vtt", Data: []byte(voicesVTT(names(198, "Voice")))})
	if !errors.Is(err, archive.ErrTooLarge) || !strings.Contains(err.Error(), "the track names 198 new speakers, which would give the recording 201; the limit is 200 per recording (VERBATIM_MAX_SPEAKERS)") {
		t.Fatalf("PutTrack with 198 new voices = %v; want ErrTooLarge naming 198, 201 and the limit 200", err)
	}
	if objs, _ := e.store.List(ctx, "recordings/r/tracks/"); len(objs) != 0 {
		t.Errorf("a refused track left objects: %v", objs)
	}
	rec, _, _ := e.svc.Get(ctx, editor, "r")
	if len(rec.Speakers) != 3 || len(rec.Tracks) != 0 {
		t.Errorf("after the refusal the recording has %d speakers, %d tracks; want 3, 0", len(rec.Speakers), len(rec.Tracks))
	}
	res := putTrack(t, e, "en", "en.vtt", voicesVTT(names(197, "Voice")))
	rec, _, _ = e.svc.Get(ctx, editor, "r")
	if res.Track.CueCount != 197 || len(rec.Speakers) != 200 {
		t.Errorf("197 new voices: %d cues, %d speakers; want 197, 200", res.Track.CueCount, len(rec.Speakers))
	}
}

// TestSpeakerNameBudget: a voice name or a speaker field longer than 200
// characters is refused with the length and the limit.
func TestSpeakerNameBudget(t *testing.T) {
	e := trackEnv(t)
	ctx := context.Background()
	long := strings.Repeat("é", 201)
	_, err := e.svc.PutTrack(ctx, editor, "r", archive.TrackUpload{Lang: "en", Name: "en.vtt", Data: []byte(voicesVTT([]string{long}))})
	if !errors.Is(err, archive.ErrInvalid) || !strings.Contains(err.Error(), "is 201 characters, the limit is 200 (VERBATIM_MAX_SPEAKER_NAME)") {
		t.Errorf("PutTrack with a 201-character voice = %v; want ErrInvalid naming 201 and 200", err)
	}
	_, etag, _ := e.svc.Get(ctx, editor, "r")
	sp := []archive.Speaker{{Name: "Ana", Role: strings.Repeat("r", 201)}}
	_, _, err = e.svc.Patch(ctx, editor, "r", etag, archive.Patch{Speakers: &sp})
	if !errors.Is(err, archive.ErrInvalid) || !strings.Contains(err.Error(), "speaker 1 role is 201 characters, the limit is 200") {
		t.Errorf("Patch with a 201-character role = %v; want ErrInvalid naming the field, 201 and 200", err)
	}
	sp = []archive.Speaker{{Name: strings.Repeat("n", 200)}}
	if _, _, err := e.svc.Patch(ctx, editor, "r", etag, archive.Patch{Speakers: &sp}); err != nil {
		t.Errorf("Patch with a 200-character name = %v; want it accepted", err)
	}
}

// TestPatchSpeakerBudget: 201 speakers on a recording are refused.
func TestPatchSpeakerBudget(t *testing.T) {
	e := trackEnv(t)
	ctx := context.Background()
	_, etag, _ := e.svc.Get(ctx, editor, "r")
	var sp []archive.Speaker
	for _, n := range names(201, "Person") {
		sp = append(sp, archive.Speaker{Name: n})
	}
	_, _, err := e.svc.Patch(ctx, editor, "r", etag, archive.Patch{Speakers: &sp})
	if !errors.Is(err, archive.ErrTooLarge) || !strings.Contains(err.Error(), "201 speakers, the limit is 200 per recording") {
		t.Errorf("Patch with 201 speakers = %v; want ErrTooLarge naming 201 and 200", err)
	}
}

// TestManifestBudget: a write that would make the manifest exceed its
// budget is refused before anything is written, naming both sizes; the
// stored manifest stays as it was.
func TestManifestBudget(t *testing.T) {
	e := newEnv(t)
	svc, err := archive.NewService(archive.Options{Blobs: e.store, Index: e.index, MaxManifest: 4096, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, _, err := svc.Create(ctx, editor, archive.RecordingInput{ID: "m", Title: "Budget"}); err != nil {
		t.Fatal(err)
	}
	before, etag, _ := svc.Get(ctx, editor, "m")
	desc := strings.Repeat("d", 5000)
	_, _, err = svc.Patch(ctx, editor, "m", etag, archive.Patch{Description: &desc})
	if !errors.Is(err, archive.ErrTooLarge) || !strings.Contains(err.Error(), "bytes, the limit is 4096 (VERBATIM_MAX_MANIFEST)") {
		t.Fatalf("Patch to a 5000-byte description = %v; want ErrTooLarge naming the limit 4096", err)
	}
	after, etag2, _ := svc.Get(ctx, editor, "m")
	if etag2 != etag || after.Version != before.Version {
		t.Errorf("refused write changed the manifest: version %d -> %d", before.Version, after.Version)
	}
	if _, _, err := svc.Create(ctx, editor, archive.RecordingInput{ID: "big", Title: "x", Description: desc}); !errors.Is(err, archive.ErrTooLarge) {
		t.Errorf("Create with a 5000-byte description = %v; want ErrTooLarge", err)
	}
	if _, err := archive.NewService(archive.Options{Blobs: e.store, MaxManifest: archive.MaxManifestRead + 1}); err == nil {
		t.Errorf("NewService with a manifest budget over MaxManifestRead (%d) succeeded", archive.MaxManifestRead)
	}
}

// putLegacyManifest stores a manifest written before the budgets: 2,082
// speakers with long names, 17 MiB in all, over what readers accept.
func putLegacyManifest(t *testing.T, e *env, id string) int {
	t.Helper()
	rec := archive.Recording{ID: id, Title: "Legacy", Status: archive.StatusPublished, Date: "2020-01-01", Languages: []string{}, Tracks: []archive.Track{}}
	for i := range 2082 {
		rec.Speakers = append(rec.Speakers, archive.Speaker{ID: fmt.Sprintf("v%d", i), Name: strings.Repeat("n", 8500) + fmt.Sprint(i), Visibility: archive.VisibilityNamed})
	}
	data, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) <= archive.MaxManifestRead {
		t.Fatalf("legacy manifest is %d bytes; the test needs more than %d", len(data), archive.MaxManifestRead)
	}
	if _, err := e.store.Put(context.Background(), "recordings/"+id+"/manifest.json", bytes.NewReader(data), int64(len(data)), archive.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	return len(data)
}

// TestLegacyOversizeManifest: one manifest over the 16 MiB read limit does
// not break the archive. Listing skips it (for viewers and editors),
// viewers get not found, an editor can still read and delete it, and
// reindex reports it and indexes the others.
func TestLegacyOversizeManifest(t *testing.T) {
	e := trackEnv(t)
	ctx := context.Background()
	putTrack(t, e, "en", "en.vtt", enVTT)
	size := putLegacyManifest(t, e, "legacy")
	t.Logf("legacy manifest: %d bytes", size)

	for _, who := range []archive.Principal{viewer, editor} {
		list, err := e.svc.List(ctx, who)
		if err != nil {
			t.Fatalf("List(%s) with an over-size manifest: %v", who.Role, err)
		}
		var ids []string
		for _, r := range list {
			ids = append(ids, r.ID)
		}
		if !cmp.Equal(ids, []string{"r"}) {
			t.Errorf("List(%s) = %v; want [r] (the over-size one skipped)", who.Role, ids)
		}
	}
	if _, _, err := e.svc.Get(ctx, viewer, "legacy"); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("viewer Get(legacy) = %v; want ErrNotFound", err)
	}
	rec, _, err := e.svc.Get(ctx, editor, "legacy")
	if err != nil || len(rec.Speakers) != 2082 {
		t.Errorf("editor Get(legacy) = %d speakers, %v; want all 2082", len(rec.Speakers), err)
	}

	var skipped []string
	fresh := newRecordingIndex()
	err = e.svc.Reindex(ctx, fresh, func(done, total int, id string, err error) {
		if err != nil {
			skipped = append(skipped, id)
			if !errors.Is(err, archive.ErrTooLarge) {
				t.Errorf("reindex skips %s with %v; want ErrTooLarge", id, err)
			}
		}
	})
	if err != nil {
		t.Fatalf("Reindex aborted on the over-size manifest: %v", err)
	}
	if docs, _ := fresh.get("r"); len(docs) != 3 || !cmp.Equal(skipped, []string{"legacy"}) {
		t.Errorf("Reindex: %d docs of r, skipped %v; want 3 and [legacy]", len(docs), skipped)
	}

	if err := e.svc.Delete(ctx, editor, "legacy"); err != nil {
		t.Fatalf("editor Delete(legacy) = %v; want it to work", err)
	}
	if objs, _ := e.store.List(ctx, "recordings/legacy/"); len(objs) != 0 {
		t.Errorf("after Delete objects remain: %v", objs)
	}
}

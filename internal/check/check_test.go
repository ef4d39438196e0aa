package check_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/check"
	"github.com/verbatim-archive/verbatim/internal/disk"
)

func openStore(t *testing.T) *disk.Store {
	t.Helper()
	s, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func put(t *testing.T, b archive.Blobs, key, body string) {
	t.Helper()
	if _, err := b.Put(context.Background(), key, strings.NewReader(body), int64(len(body)), archive.PutOptions{}); err != nil {
		t.Fatalf("Put(%q) = %v", key, err)
	}
}

func putManifest(t *testing.T, b archive.Blobs, rec archive.Recording) {
	t.Helper()
	data, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	put(t, b, "recordings/"+rec.ID+"/manifest.json", string(data))
}

// whole writes a recording with media and one track, all objects present.
func whole(t *testing.T, b archive.Blobs, id string) {
	t.Helper()
	media := "recordings/" + id + "/media/aaa.mp4"
	track := "recordings/" + id + "/tracks/en.bbb"
	put(t, b, media, "video bytes")
	put(t, b, track+".vtt", "WEBVTT\n")
	put(t, b, track+".source", "1\n00:00:01,000 --> 00:00:02,000\nhi\n")
	putManifest(t, b, archive.Recording{
		ID: id, Media: &archive.Media{Key: media},
		Tracks: []archive.Track{{Lang: "en", Key: track}},
	})
}

func keys(infos []archive.BlobInfo) []string {
	out := []string{}
	for _, in := range infos {
		out = append(out, in.Key)
	}
	return out
}

func later() time.Time { return time.Now().Add(2 * time.Hour) }

func TestRunFindings(t *testing.T) {
	tests := []struct {
		name        string
		setup       func(t *testing.T, b archive.Blobs)
		wantOK      bool
		wantOrphans []string
		wantMissing []check.Missing
		wantRecs    int
	}{
		{
			name:     "consistent",
			setup:    func(t *testing.T, b archive.Blobs) { whole(t, b, "a"); whole(t, b, "b") },
			wantOK:   true,
			wantRecs: 2,
		},
		{
			name: "media left by an interrupted upload",
			setup: func(t *testing.T, b archive.Blobs) {
				whole(t, b, "a")
				put(t, b, "recordings/a/media/ccc.mp4", "half an upload")
			},
			wantOK:      true,
			wantOrphans: []string{"recordings/a/media/ccc.mp4"},
			wantRecs:    1,
		},
		{
			name: "objects of a recording whose manifest is gone",
			setup: func(t *testing.T, b archive.Blobs) {
				put(t, b, "recordings/gone/media/x.mp4", "v")
				put(t, b, "recordings/gone/tracks/en.1.vtt", "WEBVTT\n")
			},
			wantOK:      true,
			wantOrphans: []string{"recordings/gone/media/x.mp4", "recordings/gone/tracks/en.1.vtt"},
		},
		{
			name: "manifest points at missing media",
			setup: func(t *testing.T, b archive.Blobs) {
				putManifest(t, b, archive.Recording{ID: "m", Media: &archive.Media{Key: "recordings/m/media/lost.mp4"}})
			},
			wantMissing: []check.Missing{{RecordingID: "m", Key: "recordings/m/media/lost.mp4", Field: "media"}},
			wantRecs:    1,
		},
		{
			name: "manifest points at a missing track half",
			setup: func(t *testing.T, b archive.Blobs) {
				put(t, b, "recordings/t/tracks/de.9.vtt", "WEBVTT\n")
				putManifest(t, b, archive.Recording{ID: "t", Tracks: []archive.Track{{Lang: "de", Key: "recordings/t/tracks/de.9"}}})
			},
			wantMissing: []check.Missing{{RecordingID: "t", Key: "recordings/t/tracks/de.9.source", Field: "track de.source"}},
			wantRecs:    1,
		},
		{
			name: "poster is part of the layout",
			setup: func(t *testing.T, b archive.Blobs) {
				whole(t, b, "p")
				put(t, b, "recordings/p/poster.jpg", "jpeg")
			},
			wantOK:   true,
			wantRecs: 1,
		},
		{
			name: "the media worker's poster is referenced; an old one is an orphan",
			setup: func(t *testing.T, b archive.Blobs) {
				put(t, b, "recordings/w/media/aaa.mp4", "video bytes")
				put(t, b, "recordings/w/poster-new.jpg", "jpeg")
				put(t, b, "recordings/w/poster-old.jpg", "jpeg")
				putManifest(t, b, archive.Recording{ID: "w", Media: &archive.Media{Key: "recordings/w/media/aaa.mp4"},
					Poster: &archive.Poster{Key: "recordings/w/poster-new.jpg"}})
			},
			wantOK:      true, // an orphan is cleanable, not a fault
			wantRecs:    1,
			wantOrphans: []string{"recordings/w/poster-old.jpg"},
		},
		{
			name: "manifest points at a missing poster",
			setup: func(t *testing.T, b archive.Blobs) {
				put(t, b, "recordings/q/media/aaa.mp4", "video bytes")
				putManifest(t, b, archive.Recording{ID: "q", Media: &archive.Media{Key: "recordings/q/media/aaa.mp4"},
					Poster: &archive.Poster{Key: "recordings/q/poster-lost.jpg"}})
			},
			wantRecs:    1,
			wantMissing: []check.Missing{{RecordingID: "q", Key: "recordings/q/poster-lost.jpg", Field: "poster"}},
		},
		{
			name:   "objects outside recordings are not judged",
			setup:  func(t *testing.T, b archive.Blobs) { put(t, b, "accounts/ann.json", "{}") },
			wantOK: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := openStore(t)
			tt.setup(t, b)
			rep, err := check.Run(context.Background(), b, check.Options{})
			if err != nil {
				t.Fatalf("Run = %v", err)
			}
			if rep.OK() != tt.wantOK {
				t.Errorf("Run().OK() = %v; want %v (report %+v)", rep.OK(), tt.wantOK, rep)
			}
			if diff := cmp.Diff(append([]string{}, tt.wantOrphans...), keys(rep.Orphans)); diff != "" {
				t.Errorf("Run() orphans (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantMissing, rep.Missing); diff != "" {
				t.Errorf("Run() missing (-want +got):\n%s", diff)
			}
			if rep.Recordings != tt.wantRecs {
				t.Errorf("Run().Recordings = %d; want %d", rep.Recordings, tt.wantRecs)
			}
			if len(rep.Removed) != 0 {
				t.Errorf("Run() without Clean removed %v", rep.Removed)
			}
		})
	}
}

func TestRunUnreadableManifestKeepsItsObjects(t *testing.T) {
	b := openStore(t)
	put(t, b, "recordings/u/manifest.json", "{not json")
	put(t, b, "recordings/u/media/x.mp4", "v")
	rep, err := check.Run(context.Background(), b, check.Options{Clean: true, Now: later})
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	if rep.OK() || len(rep.Unreadable) != 1 || rep.Unreadable[0].Key != "recordings/u/manifest.json" {
		t.Errorf("Run() unreadable = %+v; want the one broken manifest", rep.Unreadable)
	}
	if len(rep.Orphans) != 0 || len(rep.Removed) != 0 {
		t.Errorf("Run() treated objects of an unreadable recording as orphans: %v removed %v", keys(rep.Orphans), rep.Removed)
	}
	if _, err := b.Stat(context.Background(), "recordings/u/media/x.mp4"); err != nil {
		t.Errorf("media of an unreadable recording was removed: %v", err)
	}
}

func TestRunClean(t *testing.T) {
	ctx := context.Background()
	b := openStore(t)
	whole(t, b, "a")
	put(t, b, "recordings/a/media/orphan.mp4", "half")
	put(t, b, "recordings/gone/tracks/en.1.vtt", "WEBVTT\n")
	// A recording's audit trail is kept with it; a deleted one's is not.
	put(t, b, archive.AuditPrefix("a")+"00000000000000000001-abc.json", "{}")
	put(t, b, archive.AuditPrefix("gone")+"00000000000000000001-abc.json", "{}")

	// Young orphans may be uploads in progress: kept.
	rep, err := check.Run(ctx, b, check.Options{Clean: true})
	if err != nil {
		t.Fatalf("Run(clean, now) = %v", err)
	}
	if len(rep.Removed) != 0 || rep.Young != 3 {
		t.Errorf("Run(clean, now) removed %v, young %d; want nothing removed, 3 young", rep.Removed, rep.Young)
	}

	rep, err = check.Run(ctx, b, check.Options{Clean: true, Now: later})
	if err != nil {
		t.Fatalf("Run(clean, later) = %v", err)
	}
	want := []string{"recordings/a/media/orphan.mp4", "recordings/gone/audit/00000000000000000001-abc.json", "recordings/gone/tracks/en.1.vtt"}
	if diff := cmp.Diff(want, rep.Removed); diff != "" {
		t.Errorf("Run(clean) removed (-want +got):\n%s", diff)
	}
	rep, err = check.Run(ctx, b, check.Options{})
	if err != nil {
		t.Fatalf("Run after clean = %v", err)
	}
	if !rep.OK() || len(rep.Orphans) != 0 || rep.Recordings != 1 || rep.Objects != 5 {
		t.Errorf("Run after clean = %+v; want consistent, no orphans, 1 recording, 5 objects (the audit entry kept)", rep)
	}
}

func TestRunCleanKeepsObjectReferencedMeanwhile(t *testing.T) {
	// The check lists, then a server finishes an upload: the manifest now
	// refers to what looked like an orphan. Clean must re-read and keep it.
	ctx := context.Background()
	b := openStore(t)
	whole(t, b, "a")
	put(t, b, "recordings/a/media/new.mp4", "new upload")
	racing := &listThenWrite{Blobs: b, after: func() {
		putManifest(t, b, archive.Recording{ID: "a", Media: &archive.Media{Key: "recordings/a/media/new.mp4"}})
	}}
	rep, err := check.Run(ctx, racing, check.Options{Clean: true, MinAge: -1})
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	if _, err := b.Stat(ctx, "recordings/a/media/new.mp4"); err != nil {
		t.Fatalf("Run(clean) deleted media a manifest refers to: %v (removed %v)", err, rep.Removed)
	}
}

// listThenWrite runs after once, right after the first List: a write that
// lands between the check's listing and its cleaning.
type listThenWrite struct {
	archive.Blobs
	after func()
	done  bool
}

func (l *listThenWrite) List(ctx context.Context, prefix string) ([]archive.BlobInfo, error) {
	infos, err := l.Blobs.List(ctx, prefix)
	if !l.done {
		l.done = true
		l.after()
	}
	return infos, err
}

func TestWriteText(t *testing.T) {
	b := openStore(t)
	whole(t, b, "a")
	put(t, b, "recordings/a/media/orphan.mp4", "half")
	putManifest(t, b, archive.Recording{ID: "m", Media: &archive.Media{Key: "recordings/m/media/lost.mp4"}})
	rep, err := check.Run(context.Background(), b, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := rep.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"recordings: 2, objects: 6",
		"missing: recording m: media -> recordings/m/media/lost.mp4 does not exist",
		"orphan: recordings/a/media/orphan.mp4 (4 bytes",
		"orphans: 1 (4 bytes)",
		"INCONSISTENT: 1 missing objects, 0 unreadable manifests",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("WriteText() = %q; want it to contain %q", out.String(), want)
		}
	}
}

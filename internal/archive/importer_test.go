package archive_test

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestImportSamples imports the repository's sample recordings twice: the
// first run creates both with media and every track, the second changes
// nothing.
func TestImportSamples(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	fsys := os.DirFS("../../subtitles")
	var log []string
	if err := e.svc.Import(ctx, editor, fsys, func(s string) { log = append(log, s) }); err != nil {
		t.Fatalf("Import: %v\n%s", err, strings.Join(log, "\n"))
	}
	recs, err := e.svc.List(ctx, viewer)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("after import viewers see %d recordings; want 2", len(recs))
	}
	versions := map[string]int64{}
	for _, r := range recs {
		versions[r.ID] = r.Version
		if !r.Sample {
			t.Errorf("%s: not marked as a sample; the manifest says sample: true", r.ID)
		}
		if r.Media == nil || r.Media.Size == 0 || r.Media.ContentType != "video/webm" {
			t.Errorf("%s: media %+v; want the sample webm", r.ID, r.Media)
		}
		if len(r.Tracks) < 3 {
			t.Errorf("%s: %d tracks; want at least 3", r.ID, len(r.Tracks))
		}
		for _, tr := range r.Tracks {
			if tr.CueCount == 0 {
				t.Errorf("%s/%s: no cues", r.ID, tr.Lang)
			}
		}
		assertManifestConsistent(t, e, r.ID)
	}
	if _, ok := e.index.get("istac-launch"); !ok {
		t.Errorf("imported recording not indexed")
	}

	log = nil
	if err := e.svc.Import(ctx, editor, fsys, func(s string) { log = append(log, s) }); err != nil {
		t.Fatalf("second Import: %v", err)
	}
	for _, line := range log {
		if !strings.Contains(line, "unchanged") {
			t.Errorf("second import changed something: %q", line)
		}
	}
	recs, _ = e.svc.List(ctx, viewer)
	for _, r := range recs {
		if r.Version != versions[r.ID] {
			t.Errorf("%s: version %d after re-import; want %d (unchanged)", r.ID, r.Version, versions[r.ID])
		}
	}
	if err := e.svc.Import(ctx, viewer, fsys, nil); err == nil {
		t.Errorf("anonymous Import succeeded; want an error")
	}
	if err := e.svc.Import(ctx, editor, os.DirFS(t.TempDir()), nil); err == nil {
		t.Errorf("Import of a directory without manifest.json succeeded")
	}
}

package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/disk"
)

func TestCheckFindsAndCleansOrphans(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	run := func(args ...string) (int, string) {
		t.Helper()
		io, out, errOut := testIO(nil)
		code := Main(ctx, args, io)
		return code, out.String() + errOut.String()
	}
	if code, out := run("import", "--data", data, "../../subtitles"); code != 0 {
		t.Fatalf("import exit %d\n%s", code, out)
	}
	if code, out := run("check", "--data", data); code != 0 || !strings.Contains(out, "orphans: 0") {
		t.Fatalf("check on a fresh import = %d\n%s\nwant 0 and no orphans", code, out)
	}

	store, err := disk.Open(filepath.Join(data, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	const orphan = "recordings/istac-launch/media/deadbeef.webm"
	if _, err := store.Put(ctx, orphan, strings.NewReader("half an upload"), -1, archive.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	code, out := run("check", "--data", data)
	if code != 0 || !strings.Contains(out, "orphan: "+orphan) {
		t.Errorf("check with an orphan = %d\n%s\nwant 0 and the orphan named", code, out)
	}
	// A fresh orphan may be an upload in progress: kept unless old enough.
	if _, out := run("check", "--data", data, "--clean"); strings.Contains(out, "removed: ") {
		t.Errorf("check --clean removed a young orphan:\n%s", out)
	}
	if code, out := run("check", "--data", data, "--clean", "--min-age", "1ns"); code != 0 || !strings.Contains(out, "removed: "+orphan) {
		t.Errorf("check --clean --min-age 1ns = %d\n%s\nwant the orphan removed", code, out)
	}
	if _, err := store.Stat(ctx, orphan); err == nil {
		t.Errorf("orphan %s still stored after --clean", orphan)
	}

	// A manifest pointing at a missing object is reported, exit 1.
	rec := manifestOf(t, store, "istac-launch")
	if err := store.Delete(ctx, rec.Media.Key); err != nil {
		t.Fatal(err)
	}
	if code, out := run("check", "--data", data); code != 1 || !strings.Contains(out, "missing: recording istac-launch") {
		t.Errorf("check with missing media = %d\n%s\nwant 1 and the missing object named", code, out)
	}
}

func manifestOf(t *testing.T, store *disk.Store, id string) archive.Recording {
	t.Helper()
	r, _, err := store.Get(context.Background(), "recordings/"+id+"/manifest.json", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var rec archive.Recording
	if err := json.NewDecoder(r).Decode(&rec); err != nil {
		t.Fatal(err)
	}
	if rec.Media == nil {
		t.Fatalf("recording %s has no media", id)
	}
	return rec
}

func TestReindexRefusesWhileServing(t *testing.T) {
	data := t.TempDir()
	base := start(t, "demo", "--addr", "127.0.0.1:0", "--data", data)
	io, _, errOut := testIO(nil)
	if code := Main(context.Background(), []string{"reindex", "--data", data}, io); code != 1 || !strings.Contains(errOut.String(), "is a server running") {
		t.Errorf("reindex while serving = exit %d\n%s\nwant 1 and a hint about the running server", code, errOut)
	}
	if resp, body := get(t, base+"/api/v1/search?q=milestone"); resp.StatusCode != 200 || !strings.Contains(string(body), "istac-launch") {
		t.Errorf("search after a refused reindex = %d %s; want the live index untouched", resp.StatusCode, body)
	}
}

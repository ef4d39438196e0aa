package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	if code := Main(context.Background(), []string{"reindex", "--data", data}, io); code != 1 || !strings.Contains(errOut.String(), "Stop the server") {
		t.Errorf("reindex while serving = exit %d\n%s\nwant 1 and a hint about the running server", code, errOut)
	}
	if resp, body := get(t, base+"/api/v1/search?q=milestone"); resp.StatusCode != 200 || !strings.Contains(string(body), "istac-launch") {
		t.Errorf("search after a refused reindex = %d %s; want the live index untouched", resp.StatusCode, body)
	}
}

// TestCheckFindsKilledUploadTemp: the temporary file a killed upload
// leaves is reported once it has gone untouched for a minute, and --clean
// removes it; a live one is left alone unless --min-age 0 says any age,
// which warns.
func TestCheckFindsKilledUploadTemp(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	run := func(args ...string) (int, string, string) {
		t.Helper()
		io, out, errOut := testIO(nil)
		code := Main(ctx, args, io)
		return code, out.String(), errOut.String()
	}
	store, err := disk.Open(filepath.Join(data, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	dir := filepath.Join(data, "objects", "recordings", "r", "media")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	killed, live := filepath.Join(dir, ".tmp-killed"), filepath.Join(dir, ".tmp-live")
	for _, f := range []string{killed, live} {
		if err := os.WriteFile(f, make([]byte, 1<<20), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Minute)
	if err := os.Chtimes(killed, old, old); err != nil {
		t.Fatal(err)
	}

	code, out, _ := run("check", "--data", data)
	if code != 0 || !strings.Contains(out, "temporary file: recordings/r/media/.tmp-killed (1048576 bytes") || strings.Contains(out, ".tmp-live") ||
		!strings.Contains(out, "temporary files: 1 (1048576 bytes)") {
		t.Errorf("check = %d\n%s\nwant 0, the killed upload's temporary file named and the live one not", code, out)
	}
	if code, out, _ := run("check", "--data", data, "--clean"); code != 0 || !strings.Contains(out, "removed: 0 orphans, 1 temporary files") {
		t.Errorf("check --clean = %d\n%s\nwant the temporary file removed", code, out)
	}
	if _, err := os.Stat(killed); !os.IsNotExist(err) {
		t.Errorf("killed upload's temporary file still there after --clean: %v", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("live temporary file removed by --clean: %v", err)
	}
	for _, age := range []string{"0", "0s"} {
		code, out, errOut := run("check", "--data", data, "--min-age", age)
		if code != 0 || !strings.Contains(errOut, "warning: --min-age 0") || !strings.Contains(out, ".tmp-live") {
			t.Errorf("check --min-age %s = %d\n%s%s\nwant 0, a warning and the live temporary file listed", age, code, out, errOut)
		}
	}
	code, out, errOut := run("check", "--data", data, "--clean", "--min-age", "0")
	if code != 0 || !strings.Contains(errOut, "warning: --min-age 0 removes") || !strings.Contains(out, "1 temporary files") {
		t.Errorf("check --clean --min-age 0 = %d\n%s%s\nwant 0, a warning and the temporary file removed", code, out, errOut)
	}
	if _, err := os.Stat(live); !os.IsNotExist(err) {
		t.Errorf("temporary file still there after --clean --min-age 0: %v", err)
	}
	if code, _, errOut := run("check", "--data", data, "--min-age", "-1s"); code == 0 {
		t.Errorf("check --min-age -1s = 0 (%s); want a usage error", errOut)
	}
}

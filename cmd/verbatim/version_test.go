package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestVersionStamp builds the binary the way deploy/Dockerfile does and
// checks that `verbatim version` prints what -X stamped: the variables it
// names exist.
func TestVersionStamp(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "verbatim")
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-trimpath", "-buildvcs=false",
		"-ldflags", "-X main.version=v9.8.7 -X main.commit=abc123 -X main.date=2026-12-02T06:00:00Z", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := "verbatim v9.8.7 (commit abc123, built 2026-12-02T06:00:00Z) "
	if !strings.HasPrefix(string(out), want) {
		t.Errorf("version = %q; want it to start %q", out, want)
	}
	t.Logf("stamped: %s", strings.TrimSpace(string(out)))
}

package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
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

// TestBuildOf pins the fallback to the toolchain's build info, which this
// machine's GOFLAGS=-buildvcs=false leaves out of real builds: stamps win,
// vcs.revision, vcs.modified and vcs.time fill the rest, nothing is
// "unknown".
func TestBuildOf(t *testing.T) {
	vcs := &debug.BuildInfo{Main: debug.Module{Path: "github.com/verbatim-archive/verbatim", Version: "(devel)"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "4649b31"}, {Key: "vcs.time", Value: "2026-12-02T06:51:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	tagged := &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}
	tests := []struct {
		name    string
		stamped build
		bi      *debug.BuildInfo
		want    build
	}{
		{"no build info", build{}, nil, build{"(devel)", "unknown", "unknown"}},
		{"checkout with changes", build{}, vcs, build{"(devel)", "4649b31+dirty", "2026-12-02T06:51:00Z"}},
		{"module version", build{}, tagged, build{"v1.2.3", "unknown", "unknown"}},
		{"stamps win", build{"v9", "abc", "2026-01-01"}, vcs, build{"v9", "abc", "2026-01-01"}},
	}
	for _, tt := range tests {
		if got := buildOf(tt.stamped, tt.bi); got != tt.want {
			t.Errorf("%s: buildOf = %+v; want %+v", tt.name, got, tt.want)
		}
	}
}

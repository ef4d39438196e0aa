package hostile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestCheckTempFiles is defect 7: `verbatim check` missed the temporary
// file a killed upload leaves (a 15 MiB .tmp-*: "orphans: 0 … ok") and
// refused --min-age 0s. Now check reports a temporary file older than a
// minute, and `check --clean --min-age 0` removes it with a warning.
func TestCheckTempFiles(t *testing.T) {
	data := seededData(t)
	// What a SIGKILL in the middle of a media upload leaves behind.
	tmp := filepath.Join(data, "objects", "recordings", "hrc47-side-event", "media", ".tmp-killedupload")
	if err := os.WriteFile(tmp, bytes.Repeat([]byte{0}, 15<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Minute)
	if err := os.Chtimes(tmp, old, old); err != nil {
		t.Fatal(err)
	}

	stdout, stderr, err := run("check", "--data", data)
	if err != nil {
		t.Fatalf("check: %v\n%s%s", err, stdout, stderr)
	}
	report := stdout + stderr
	if !regexp.MustCompile(`(?i)temporary`).MatchString(report) || !strings.Contains(report, ".tmp-killedupload") && !regexp.MustCompile(`(?i)temporary[^\n]*\b1\b`).MatchString(report) {
		t.Errorf("check does not report the 15 MiB temporary file:\n%s", report)
	}
	if _, err := os.Stat(tmp); err != nil {
		t.Errorf("check without --clean removed the temporary file: %v", err)
	}

	// --min-age 0 is allowed, with a warning, and removes it.
	young := filepath.Join(filepath.Dir(tmp), ".tmp-justnow")
	if err := os.WriteFile(young, []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err = run("check", "--clean", "--min-age", "0", "--data", data)
	if err != nil {
		t.Fatalf("check --clean --min-age 0: %v\n%s%s", err, stdout, stderr)
	}
	if !regexp.MustCompile(`(?i)warn`).MatchString(stderr + stdout) {
		t.Errorf("check --clean --min-age 0 gave no warning:\n%s%s", stdout, stderr)
	}
	for _, p := range []string{tmp, young} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("after check --clean --min-age 0, %s is still there (%v)", filepath.Base(p), err)
		}
	}
	// The recordings themselves are untouched.
	stdout, _, err = run("check", "--data", data)
	if err != nil || !strings.Contains(stdout, "recordings: 2") {
		t.Errorf("check after cleaning: %v\n%s", err, stdout)
	}
}

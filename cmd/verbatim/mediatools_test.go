package main

import (
	"bytes"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/config"
)

// VERBATIM_FFMPEG naming a missing binary runs the server without media
// tools (the work waits in storage, pages say what was skipped) and says
// so in the log; a present one gives tools.
func TestMediaToolsFollowConfig(t *testing.T) {
	cfg, err := config.FromEnv(func(k string) string {
		if k == "VERBATIM_FFMPEG" {
			return filepath.Join(t.TempDir(), "no-such-ffmpeg")
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	tools, closeTools, err := newMediaTools(&cfg, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil || tools != nil || closeTools() != nil {
		t.Fatalf("newMediaTools(missing ffmpeg) = %v, %v; want no tools, no error", tools, err)
	}
	if !strings.Contains(logs.String(), "ffmpeg is not installed") {
		t.Errorf("the log does not say why: %s", logs.String())
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed")
	}
	cfg.FFmpeg = "ffmpeg"
	tools, closeTools, err = newMediaTools(&cfg, slog.New(slog.DiscardHandler))
	if err != nil || tools == nil {
		t.Fatalf("newMediaTools(ffmpeg on PATH) = %v, %v; want tools", tools, err)
	}
	if err := closeTools(); err != nil {
		t.Error(err)
	}
}

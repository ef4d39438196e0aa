package blobtest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/blobtest"
)

// archive.ValidKey is the rule behind the suite's HostileKeys; this pins it
// directly, with the keys the archive itself writes.
func TestValidKey(t *testing.T) {
	good := []string{
		"recordings/hrc-side-event-2024/manifest.json",
		"recordings/istac-launch/media/launch.mp4",
		"recordings/istac-launch/tracks/fr.vtt",
		"recordings/istac-launch/tracks/de.source",
		"quotes/q-7f3a.json",
		"accounts/ana.json",
		"a",
		"x/trailing-dot.",
		"speakers/José Ramos-Horta.json",
		strings.Repeat(strings.Repeat("k", 199)+"/", 5) + strings.Repeat("k", 24), // 1024 bytes
		strings.Repeat("s", 200),
	}
	for _, key := range good {
		if err := archive.ValidKey(key); err != nil {
			t.Errorf("ValidKey(%q) = %v; want nil", key, err)
		}
	}
	for _, key := range blobtest.HostileKeys {
		if err := archive.ValidKey(key); !errors.Is(err, archive.ErrInvalid) {
			t.Errorf("ValidKey(%q) = %v; want ErrInvalid", key, err)
		}
	}
}

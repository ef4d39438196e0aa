package config

import (
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLimitsDefaults(t *testing.T) {
	want := Limits{MaxQueryChars: 512, MaxQueryTerms: 32, MaxConcurrentSearch: 2 * runtime.GOMAXPROCS(0), SearchWait: 2 * time.Second,
		ClipJobs: 2, ClipTimeout: 2 * time.Minute, MediaTimeout: time.Hour,
		MaxCues: 20000, MaxSpeakers: 200, MaxSpeakerName: 200, MaxManifest: 1 << 20, CueCache: 64 << 20,
		BodyIdleTimeout: 20 * time.Second, SmallBodyTimeout: time.Minute, MaxConcurrentUploads: 8,
		MaxPerPage: 100, CatalogFresh: 2 * time.Second, QuotesPerHour: 30}
	if diff := cmp.Diff(want, DefaultLimits()); diff != "" {
		t.Errorf("DefaultLimits() mismatch (-want +got):\n%s", diff)
	}
}

func TestLimitsFromEnv(t *testing.T) {
	c, err := FromEnv(env(map[string]string{
		"VERBATIM_MAX_QUERY_CHARS":        "1000",
		"VERBATIM_MAX_QUERY_TERMS":        "10",
		"VERBATIM_MAX_CONCURRENT_SEARCH":  "3",
		"VERBATIM_SEARCH_WAIT":            "500ms",
		"VERBATIM_CLIP_JOBS":              "0",
		"VERBATIM_CLIP_TIMEOUT":           "30s",
		"VERBATIM_MEDIA_TIMEOUT":          "3h",
		"VERBATIM_MAX_CUES":               "40000",
		"VERBATIM_MAX_SPEAKERS":           "50",
		"VERBATIM_MAX_SPEAKER_NAME":       "80",
		"VERBATIM_MAX_MANIFEST":           "2MiB",
		"VERBATIM_CUE_CACHE":              "0",
		"VERBATIM_BODY_IDLE_TIMEOUT":      "5s",
		"VERBATIM_SMALL_BODY_TIMEOUT":     "2m",
		"VERBATIM_MAX_CONCURRENT_UPLOADS": "2",
		"VERBATIM_MAX_PER_PAGE":           "50",
		"VERBATIM_CATALOG_FRESH":          "500ms",
		"VERBATIM_QUOTES_PER_HOUR":        "5",
	}))
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	want := Limits{MaxQueryChars: 1000, MaxQueryTerms: 10, MaxConcurrentSearch: 3, SearchWait: 500 * time.Millisecond,
		ClipJobs: 0, ClipTimeout: 30 * time.Second, MediaTimeout: 3 * time.Hour,
		MaxCues: 40000, MaxSpeakers: 50, MaxSpeakerName: 80, MaxManifest: 2 << 20, CueCache: 0,
		BodyIdleTimeout: 5 * time.Second, SmallBodyTimeout: 2 * time.Minute, MaxConcurrentUploads: 2,
		MaxPerPage: 50, CatalogFresh: 500 * time.Millisecond, QuotesPerHour: 5}
	if diff := cmp.Diff(want, c.Limits); diff != "" {
		t.Errorf("Limits mismatch (-want +got):\n%s", diff)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate() = %v; want nil", err)
	}
}

// TestLimitsErrors pins the exact message for every budget out of range or
// malformed: each names its variable and the accepted range.
func TestLimitsErrors(t *testing.T) {
	tests := []struct {
		name, value, want string
	}{
		{"VERBATIM_MAX_QUERY_CHARS", "0", "config: VERBATIM_MAX_QUERY_CHARS must be between 1 and 16384, got 0"},
		{"VERBATIM_MAX_QUERY_CHARS", "100000", "config: VERBATIM_MAX_QUERY_CHARS must be between 1 and 16384, got 100000"},
		{"VERBATIM_MAX_QUERY_CHARS", "lots", `config: VERBATIM_MAX_QUERY_CHARS="lots" is not a whole number`},
		{"VERBATIM_MAX_QUERY_TERMS", "-1", "config: VERBATIM_MAX_QUERY_TERMS must be between 1 and 1024, got -1"},
		{"VERBATIM_MAX_QUERY_TERMS", "5000", "config: VERBATIM_MAX_QUERY_TERMS must be between 1 and 1024, got 5000"},
		{"VERBATIM_MAX_CONCURRENT_SEARCH", "0", "config: VERBATIM_MAX_CONCURRENT_SEARCH must be at least 1, got 0"},
		{"VERBATIM_MAX_PER_PAGE", "0", "config: VERBATIM_MAX_PER_PAGE must be between 1 and 10000, got 0"},
		{"VERBATIM_CATALOG_FRESH", "1ms", "config: VERBATIM_CATALOG_FRESH must be between 10ms and 10m, got 1ms"},
		{"VERBATIM_MAX_CONCURRENT_SEARCH", "2.5", `config: VERBATIM_MAX_CONCURRENT_SEARCH="2.5" is not a whole number`},
		{"VERBATIM_SEARCH_WAIT", "-1s", "config: VERBATIM_SEARCH_WAIT must be more than 0s and at most 1m, got -1s"},
		{"VERBATIM_SEARCH_WAIT", "0s", "config: VERBATIM_SEARCH_WAIT must be more than 0s and at most 1m, got 0s"},
		{"VERBATIM_SEARCH_WAIT", "2h", "config: VERBATIM_SEARCH_WAIT must be more than 0s and at most 1m, got 2h0m0s"},
		{"VERBATIM_SEARCH_WAIT", "2", `config: VERBATIM_SEARCH_WAIT="2" is not a duration such as 15m or 1h`},
		{"VERBATIM_CLIP_JOBS", "-1", "config: VERBATIM_CLIP_JOBS must be between 0 and 64, got -1"},
		{"VERBATIM_CLIP_JOBS", "100", "config: VERBATIM_CLIP_JOBS must be between 0 and 64, got 100"},
		{"VERBATIM_CLIP_TIMEOUT", "0s", "config: VERBATIM_CLIP_TIMEOUT must be between 1s and 1h, got 0s"},
		{"VERBATIM_CLIP_TIMEOUT", "2h", "config: VERBATIM_CLIP_TIMEOUT must be between 1s and 1h, got 2h0m0s"},
		{"VERBATIM_MEDIA_TIMEOUT", "25h", "config: VERBATIM_MEDIA_TIMEOUT must be between 1s and 24h, got 25h0m0s"},
		{"VERBATIM_MAX_CUES", "0", "config: VERBATIM_MAX_CUES must be between 1 and 10000000, got 0"},
		{"VERBATIM_MAX_SPEAKERS", "0", "config: VERBATIM_MAX_SPEAKERS must be between 1 and 100000, got 0"},
		{"VERBATIM_MAX_SPEAKER_NAME", "many", `config: VERBATIM_MAX_SPEAKER_NAME="many" is not a whole number`},
		{"VERBATIM_MAX_MANIFEST", "32MiB", "config: VERBATIM_MAX_MANIFEST must be between 1 byte and 16MiB (what readers accept), got 33554432"},
		{"VERBATIM_BODY_IDLE_TIMEOUT", "0s", "config: VERBATIM_BODY_IDLE_TIMEOUT must be between 1s and 10m, got 0s"},
		{"VERBATIM_SMALL_BODY_TIMEOUT", "3h", "config: VERBATIM_SMALL_BODY_TIMEOUT must be between 1s and 1h, got 3h0m0s"},
		{"VERBATIM_MAX_CONCURRENT_UPLOADS", "0", "config: VERBATIM_MAX_CONCURRENT_UPLOADS must be at least 1, got 0"},
		{"VERBATIM_QUOTES_PER_HOUR", "0", "config: VERBATIM_QUOTES_PER_HOUR must be between 1 and 100000, got 0"},
	}
	for _, tt := range tests {
		c, err := FromEnv(env(map[string]string{tt.name: tt.value}))
		if err == nil {
			err = c.Validate()
		}
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s=%q: error = %v; want %q", tt.name, tt.value, err, tt.want)
		}
	}
}

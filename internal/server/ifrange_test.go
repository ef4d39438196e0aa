package server

import (
	"net/http"
	"testing"
	"time"
)

// TestRangeApplies pins If-Range on fixed dates, whatever the weekday the
// tests run on: a date that starts with "W" (Wednesday) is a date, not a
// weak entity tag.
func TestRangeApplies(t *testing.T) {
	wed := time.Date(2026, 12, 2, 5, 30, 0, 0, time.UTC) // a Wednesday
	etag := `"abc"`
	tests := []struct {
		ifRange string
		want    bool
	}{
		{"", true},
		{etag, true},
		{`"other"`, false},
		{`W/"abc"`, false}, // weak validators never match
		{wed.Format(http.TimeFormat), true},
		{wed.Add(-time.Hour).Format(http.TimeFormat), false},
		{time.Date(2026, 12, 3, 5, 30, 0, 0, time.UTC).Format(http.TimeFormat), false}, // Thursday, later
		{"not a date", false},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("GET", "/media/x", nil)
		if tt.ifRange != "" {
			req.Header.Set("If-Range", tt.ifRange)
		}
		if got := rangeApplies(req, etag, wed.Add(300*time.Millisecond)); got != tt.want {
			t.Errorf("rangeApplies(If-Range: %q) = %v; want %v", tt.ifRange, got, tt.want)
		}
	}
}

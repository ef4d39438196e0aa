package archive_test

import (
	"context"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// TestEventsFromTheCatalog: viewers get the events of published
// recordings only, newest first, with counts; editors see drafts' too.
func TestEventsFromTheCatalog(t *testing.T) {
	e := newEnv(t)
	pub := archive.StatusPublished
	e.create(t, archive.RecordingInput{ID: "a", Title: "A", Event: "HRC 57", Date: "2024-09-10", Status: pub})
	e.create(t, archive.RecordingInput{ID: "b", Title: "B", Event: "HRC 57", Date: "2024-09-12", Status: pub})
	e.create(t, archive.RecordingInput{ID: "c", Title: "C", Event: "ISTAC", Date: "2025-01-20", Status: pub})
	e.create(t, archive.RecordingInput{ID: "d", Title: "D", Event: "Closed door", Date: "2025-03-01"}) // draft
	e.create(t, archive.RecordingInput{ID: "u", Title: "No event", Status: pub})
	list := func(who archive.Principal) string {
		evs, err := e.svc.Events(context.Background(), who)
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, ev := range evs {
			parts = append(parts, ev.Slug+":"+ev.Name+":"+ev.Date+":"+strings.Repeat("|", ev.Recordings))
		}
		return strings.Join(parts, ",")
	}
	if got, want := list(viewer), "istac:ISTAC:2025-01-20:|,hrc-57:HRC 57:2024-09-12:||"; got != want {
		t.Errorf("Events(viewer) = %s; want %s", got, want)
	}
	if got := list(editor); !strings.HasPrefix(got, "closed-door:") {
		t.Errorf("Events(editor) = %s; want the draft's event first", got)
	}
}

// TestSummaryDescriptionCut: summaries carry the description, cut on a
// character boundary.
func TestSummaryDescriptionCut(t *testing.T) {
	long := strings.Repeat("é", archive.MaxSummaryDescription+10)
	s := archive.SummaryOf(archive.Recording{ID: "x", Description: long})
	if n := len([]rune(s.Description)); n != archive.MaxSummaryDescription {
		t.Errorf("description cut to %d characters; want %d", n, archive.MaxSummaryDescription)
	}
	if s := archive.SummaryOf(archive.Recording{ID: "x", Description: "short"}); s.Description != "short" {
		t.Errorf("short description = %q", s.Description)
	}
}

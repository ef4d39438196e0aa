package archive

import (
	"context"
	"time"
)

// EventSummary is one event as a listing of events shows it: its name and
// slug as the newest of its recordings gives them, how many recordings it
// has and the newest of their dates and changes.
type EventSummary struct {
	Name       string
	Slug       string
	Recordings int
	Date       string // the newest recording's date ("" when none is dated)
	UpdatedAt  time.Time
}

// Events lists the events of the recordings who may see, newest first,
// from the catalog (no manifest is read). Recordings without an event, or
// whose event has no slug, belong to none.
func (s *Service) Events(ctx context.Context, who Principal) ([]EventSummary, error) {
	if err := s.catalog.ready(ctx, s.blobs); err != nil {
		return nil, err
	}
	match := s.catalogMatcher(who, CatalogQuery{})
	var out []EventSummary
	at := map[string]int{}
	s.catalog.mu.Lock()
	for _, e := range s.catalog.newestFirst() {
		sum, ok := match(e)
		slug := EventSlug(sum.Event)
		if !ok || slug == "" {
			continue
		}
		i, seen := at[slug]
		if !seen {
			i = len(out)
			at[slug] = i
			out = append(out, EventSummary{Name: sum.Event, Slug: slug, Date: sum.Date})
		}
		out[i].Recordings++
		if sum.UpdatedAt.After(out[i].UpdatedAt) {
			out[i].UpdatedAt = sum.UpdatedAt
		}
	}
	s.catalog.mu.Unlock()
	return out, nil // in the catalog's order: each event at its newest recording
}

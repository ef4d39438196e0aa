package archive

import (
	"context"
	"fmt"
	"time"

	"github.com/verbatim-archive/verbatim/internal/subtitle"
)

// ShiftTrack moves every cue of a track by offset (negative: earlier).
func (s *Service) ShiftTrack(ctx context.Context, who Principal, id, lang string, offset time.Duration) (Track, error) {
	how := AuditChange{Field: "offset_ms", After: fmt.Sprint(offset.Milliseconds())}
	return s.retime(ctx, who, id, lang, AuditTrackShift, how, func(c []subtitle.Cue) ([]subtitle.Cue, error) { return subtitle.Shift(c, offset) })
}

// LinearTrack corrects drift: the cue time a1 moves to b1 and a2 to b2, and
// every time in between (and beyond) follows the same straight line.
func (s *Service) LinearTrack(ctx context.Context, who Principal, id, lang string, a1, b1, a2, b2 time.Duration) (Track, error) {
	how := AuditChange{Field: "points_ms", After: fmt.Sprintf("%d→%d, %d→%d", a1.Milliseconds(), b1.Milliseconds(), a2.Milliseconds(), b2.Milliseconds())}
	return s.retime(ctx, who, id, lang, AuditTrackLinear, how, func(c []subtitle.Cue) ([]subtitle.Cue, error) { return subtitle.Linear(c, a1, b1, a2, b2) })
}

func (s *Service) retime(ctx context.Context, who Principal, id, lang, action string, how AuditChange, fn func([]subtitle.Cue) ([]subtitle.Cue, error)) (Track, error) {
	if err := requireEditor(who, "retime track"); err != nil {
		return Track{}, err
	}
	_, tr, cues, err := s.readTrack(ctx, who, id, lang)
	if err != nil {
		return Track{}, err
	}
	moved, err := fn(cues)
	if err != nil {
		return Track{}, fmt.Errorf("archive: retime %s/%s: %w: %w", id, tr.Lang, ErrInvalid, err)
	}
	source, err := s.readSmall(ctx, tr.Key+".source")
	if err != nil {
		return Track{}, err
	}
	stored, old, _, err := s.storeTrack(ctx, id, tr.Lang, moved, source, func(*Track, bool) {})
	if err != nil {
		return Track{}, err
	}
	changes := append([]AuditChange{how}, trackChanges(old, stored)...)
	if len(moved) > 0 && len(cues) > 0 {
		changes = append(changes, AuditChange{Field: "first_cue_ms", Before: fmt.Sprint(cues[0].Start.Milliseconds()), After: fmt.Sprint(moved[0].Start.Milliseconds())})
	}
	s.audit(ctx, who, id, action, tr.Lang, changes)
	return stored, nil
}

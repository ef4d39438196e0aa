package archive

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/verbatim-archive/verbatim/internal/subtitle"
)

// Retime is one time correction of a track, kept on the track so a time
// quoted from an earlier version can be found in a later one: the version
// it made, and the straight line it applied (a shift is the line through
// 0→offset and 1s→1s+offset). Times in milliseconds.
type Retime struct {
	Version int64 `json:"version"`
	FromA   int64 `json:"from_a_ms"`
	ToA     int64 `json:"to_a_ms"`
	FromB   int64 `json:"from_b_ms"`
	ToB     int64 `json:"to_b_ms"`
}

// maxRetimes bounds what a track keeps; a quote older than the oldest kept
// correction is mapped through those kept only.
const maxRetimes = 64

// at maps a time through the correction, rounded to the millisecond, as
// subtitle.Linear does.
func (r Retime) at(ms int64) int64 {
	if r.FromB == r.FromA {
		return ms
	}
	scale := float64(r.ToB-r.ToA) / float64(r.FromB-r.FromA)
	return int64(math.Round(float64(r.ToA) + float64(ms-r.FromA)*scale))
}

// MapTime maps a time of the track's version `from` to its current
// version, through every correction made since.
func (t Track) MapTime(from int64, ms int64) int64 {
	for _, r := range t.Retimes {
		if r.Version > from {
			ms = r.at(ms)
		}
	}
	return ms
}

// ShiftTrack moves every cue of a track by offset (negative: earlier).
func (s *Service) ShiftTrack(ctx context.Context, who Principal, id, lang string, offset time.Duration) (Track, error) {
	how := AuditChange{Field: "offset_ms", After: fmt.Sprint(offset.Milliseconds())}
	off := offset.Milliseconds()
	line := Retime{FromA: 0, ToA: off, FromB: 1000, ToB: 1000 + off}
	return s.retime(ctx, who, id, lang, AuditTrackShift, how, line, func(c []subtitle.Cue) ([]subtitle.Cue, error) { return subtitle.Shift(c, offset) })
}

// LinearTrack corrects drift: the cue time a1 moves to b1 and a2 to b2, and
// every time in between (and beyond) follows the same straight line.
func (s *Service) LinearTrack(ctx context.Context, who Principal, id, lang string, a1, b1, a2, b2 time.Duration) (Track, error) {
	how := AuditChange{Field: "points_ms", After: fmt.Sprintf("%d→%d, %d→%d", a1.Milliseconds(), b1.Milliseconds(), a2.Milliseconds(), b2.Milliseconds())}
	line := Retime{FromA: a1.Milliseconds(), ToA: b1.Milliseconds(), FromB: a2.Milliseconds(), ToB: b2.Milliseconds()}
	return s.retime(ctx, who, id, lang, AuditTrackLinear, how, line, func(c []subtitle.Cue) ([]subtitle.Cue, error) { return subtitle.Linear(c, a1, b1, a2, b2) })
}

func (s *Service) retime(ctx context.Context, who Principal, id, lang, action string, how AuditChange, line Retime, fn func([]subtitle.Cue) ([]subtitle.Cue, error)) (Track, error) {
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
	stored, old, _, err := s.storeTrack(ctx, id, tr.Lang, moved, source, func(t *Track, _ bool) {
		line.Version = t.Version + 1 // the version storeTrack is about to make
		t.Retimes = append(t.Retimes, line)
		if n := len(t.Retimes); n > maxRetimes {
			t.Retimes = t.Retimes[n-maxRetimes:]
		}
	})
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

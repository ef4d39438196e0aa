package subtitle

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Shift moves every cue by d. It fails, changing nothing, if a cue would
// start before 0.
func Shift(cues []Cue, d time.Duration) ([]Cue, error) {
	out := make([]Cue, len(cues))
	for k, c := range cues {
		c.Start += d
		c.End += d
		if c.Start < 0 {
			return nil, fmt.Errorf("subtitle: shift by %v: cue %d would start at %v, before 0: %w", d, k+1, c.Start, ErrInvalid)
		}
		out[k] = c
	}
	return out, nil
}

// Linear maps times so that a1 becomes b1 and a2 becomes b2, correcting a
// drift such as a frame-rate mismatch. Times are rounded to the
// millisecond.
func Linear(cues []Cue, a1, b1, a2, b2 time.Duration) ([]Cue, error) {
	if a1 == a2 {
		return nil, fmt.Errorf("subtitle: linear correction: the two reference points are both at %v: %w", a1, ErrInvalid)
	}
	scale := float64(b2-b1) / float64(a2-a1)
	if scale <= 0 {
		return nil, fmt.Errorf("subtitle: linear correction: %v->%v and %v->%v would reverse time: %w", a1, b1, a2, b2, ErrInvalid)
	}
	at := func(t time.Duration) time.Duration {
		v := float64(b1) + float64(t-a1)*scale
		return time.Duration(math.Round(v/float64(time.Millisecond))) * time.Millisecond
	}
	out := make([]Cue, len(cues))
	for k, c := range cues {
		c.Start, c.End = at(c.Start), at(c.End)
		if c.Start < 0 {
			return nil, fmt.Errorf("subtitle: linear correction: cue %d would start at %v, before 0: %w", k+1, c.Start, ErrInvalid)
		}
		out[k] = c
	}
	return out, nil
}

// BorrowSpeakers returns a copy of target in which every cue without a
// speaker takes the speaker of the reference cue that overlaps it most in
// time. Speaker turns are the same in every language of a recording, so an
// interpretation track learns its speakers from the original.
func BorrowSpeakers(target, reference []Cue) []Cue {
	var ref []Cue
	var longest time.Duration
	for _, c := range reference {
		if c.Speaker != "" {
			ref = append(ref, c)
			longest = max(longest, c.End-c.Start)
		}
	}
	slices.SortStableFunc(ref, func(a, b Cue) int { return compareDur(a.Start, b.Start) })
	out := slices.Clone(target)
	for k := range out {
		if out[k].Speaker != "" {
			continue
		}
		out[k].Speaker = mostOverlapping(out[k], ref, longest)
		if len(out[k].Spans) > 0 {
			spans := slices.Clone(out[k].Spans)
			for j := range spans {
				spans[j].Speaker = out[k].Speaker
			}
			out[k].Spans = spans
		}
	}
	return out
}

// mostOverlapping scans the reference cues that can overlap c: those that
// start before c ends and no earlier than c.Start minus the longest cue.
func mostOverlapping(c Cue, ref []Cue, longest time.Duration) string {
	hi, _ := slices.BinarySearchFunc(ref, c.End, func(r Cue, t time.Duration) int { return compareDur(r.Start, t) })
	best, bestOverlap := "", time.Duration(0)
	for j := hi - 1; j >= 0 && ref[j].Start >= c.Start-longest; j-- {
		ov := min(c.End, ref[j].End) - max(c.Start, ref[j].Start)
		if ov > 0 && ov >= bestOverlap { // on a tie the earlier cue wins
			best, bestOverlap = ref[j].Speaker, ov
		}
	}
	return best
}

func compareDur(a, b time.Duration) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

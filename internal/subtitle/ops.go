package subtitle

import (
	"fmt"
	"math"
	"slices"
	"sort"
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
// speaker of its own (none, or one borrowed before) takes the speaker of
// the reference cue that overlaps it most in time, and in Borrowed every
// speaker with a turn in any reference cue it overlaps. Speaker turns are
// the same in every language of a recording, so an interpretation track
// learns its speakers from the original; but an interpreted cue cannot be
// split by turn, so whoever spoke during it may be speaking in it.
func BorrowSpeakers(target, reference []Cue) []Cue {
	var ref []Cue
	var longest time.Duration
	for _, c := range reference {
		if named(c) {
			ref = append(ref, c)
			longest = max(longest, c.End-c.Start)
		}
	}
	slices.SortStableFunc(ref, func(a, b Cue) int { return compareDur(a.Start, b.Start) })
	out := slices.Clone(target)
	for k := range out {
		c := &out[k]
		if c.Borrowed == nil && named(*c) {
			continue
		}
		c.Speaker, c.Borrowed = overlapping(*c, ref, longest)
		if len(c.Spans) > 0 {
			spans := slices.Clone(c.Spans)
			for j := range spans {
				spans[j].Speaker = c.Speaker
			}
			c.Spans = spans
		}
	}
	return out
}

// named reports whether any turn of c has a speaker.
func named(c Cue) bool {
	return slices.ContainsFunc(c.Turns(), func(s Span) bool { return s.Speaker != "" })
}

// overlapping scans the reference cues that can overlap c (those that
// start no later than c ends and no earlier than c.Start minus the longest
// cue) for the speaker of the one overlapping it most and every speaker
// of any of them.
func overlapping(c Cue, ref []Cue, longest time.Duration) (best string, all []string) {
	hi := sort.Search(len(ref), func(i int) bool { return ref[i].Start > c.End })
	var bestOverlap time.Duration
	found := false
	for j := hi - 1; j >= 0 && ref[j].Start >= c.Start-longest; j-- {
		ov, ok := overlap(c, ref[j])
		if !ok {
			continue
		}
		if !found || ov >= bestOverlap { // on a tie the earlier cue wins
			best, bestOverlap, found = firstSpeaker(ref[j]), ov, true
		}
		// A reference cue whose own speaker was borrowed brings all of
		// its speakers.
		names := slices.Concat(ref[j].Borrowed, speakersOf(ref[j]))
		for _, n := range slices.Backward(names) {
			all = slices.DeleteFunc(all, func(s string) bool { return s == n })
			all = append(all, n)
		}
	}
	slices.Reverse(all) // in order of first appearance
	return best, all
}

// overlap is how long a and b overlap, and whether they do at all: a cue
// of no duration overlaps the cue it falls in.
func overlap(a, b Cue) (time.Duration, bool) {
	ov := min(a.End, b.End) - max(a.Start, b.Start)
	switch {
	case ov > 0:
		return ov, true
	case ov < 0:
		return 0, false
	}
	within := func(p, c Cue) bool {
		return p.Start == p.End && c.Start <= p.Start && (p.Start < c.End || c.Start == c.End)
	}
	return 0, within(a, b) || within(b, a)
}

func speakersOf(c Cue) []string {
	var out []string
	for _, t := range c.Turns() {
		if t.Speaker != "" {
			out = append(out, t.Speaker)
		}
	}
	return out
}

func firstSpeaker(c Cue) string {
	for _, t := range c.Turns() {
		if t.Speaker != "" {
			return t.Speaker
		}
	}
	return ""
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

package subtitle

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// rawCue is what a format reader hands to finish: times, the source line
// it starts at, a speaker from markup (may be empty) and its text lines.
type rawCue struct {
	line       int
	start, end time.Duration
	speaker    string
	lines      cueLines
	spans      []rawSpan // readers that know speaker turns (WebVTT, TTML) fill these instead of speaker and lines
	borrowed   []string  // Cue.Borrowed, as WebVTT stores it
}

// maxListed caps the warnings of one kind so that a 100k-cue file full of
// overlaps yields a readable report.
const maxListed = 20

// finish validates cues, applies the speaker-prefix convention, sorts, and
// fills the report: errors reject the file, warnings accept it.
func finish(raw []rawCue, opts Options, rep *Report) ([]Cue, error) {
	w := warner{rep: rep, counts: map[string]int{}}
	cues := make([]Cue, 0, len(raw))
	lines := make([]int, 0, len(raw))
	var speakers []string
	for _, r := range raw {
		// Times are kept to the millisecond, as stored and served; frame-
		// and tick-based formats give finer ones.
		r.start, r.end = r.start.Round(time.Millisecond), r.end.Round(time.Millisecond)
		if r.start < 0 {
			return nil, invalid(r.line, "start time is before 0")
		}
		if r.end < r.start {
			return nil, invalid(r.line, "end time before start time")
		}
		c := Cue{Start: r.start, End: r.end, Borrowed: r.borrowed}
		raws := r.spans
		if raws == nil {
			raws = []rawSpan{{speaker: r.speaker, lines: r.lines}}
		}
		c.Spans = finishSpans(raws)
		c.Speaker, c.Text, c.Styled = JoinSpans(c.Spans)
		if strings.TrimSpace(c.Text) == "" {
			w.add("empty cue dropped", r.line, "empty cue dropped")
			continue
		}
		if c.End == c.Start {
			w.add("cue has zero duration", r.line, "cue has zero duration")
		}
		cues = append(cues, c)
		lines = append(lines, r.line)
		for _, sp := range c.Spans {
			speakers = append(speakers, sp.Speaker)
		}
	}
	if len(cues) == 0 {
		return nil, invalid(0, "no cues")
	}
	sortCues(cues, lines, &w)
	for k := 1; k < len(cues); k++ {
		if cues[k].Start < cues[k-1].End {
			w.add("cue overlaps the previous cue", lines[k], fmt.Sprintf("cue starting at %s overlaps the previous cue, which ends at %s",
				formatClock(cues[k].Start, "."), formatClock(cues[k-1].End, ".")))
		}
	}
	if opts.MediaDuration > 0 {
		for k, c := range cues {
			if c.End > opts.MediaDuration {
				w.add("cue ends after the end of the media", lines[k], fmt.Sprintf("cue ends at %s, after the end of the media at %s",
					formatClock(c.End, "."), formatClock(opts.MediaDuration, ".")))
			}
		}
	}
	rep.Speakers = distinct(speakers)
	w.flush()
	return cues, nil
}

// sortCues sorts by start then end, keeping lines in step, and warns once.
func sortCues(cues []Cue, lines []int, w *warner) {
	first := -1
	for k := 1; k < len(cues); k++ {
		if cueLess(cues[k], cues[k-1]) {
			first = k
			break
		}
	}
	if first < 0 {
		return
	}
	w.add("cues not in time order", lines[first], "cues are not in time order; they were sorted")
	idx := make([]int, len(cues))
	for k := range idx {
		idx[k] = k
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case cueLess(cues[a], cues[b]):
			return -1
		case cueLess(cues[b], cues[a]):
			return 1
		}
		return 0
	})
	sortedCues := make([]Cue, len(cues))
	sortedLines := make([]int, len(cues))
	for k, i := range idx {
		sortedCues[k], sortedLines[k] = cues[i], lines[i]
	}
	copy(cues, sortedCues)
	copy(lines, sortedLines)
}

func cueLess(a, b Cue) bool {
	return a.Start < b.Start || a.Start == b.Start && a.End < b.End
}

// Speakers lists the distinct speakers of cues in order of first
// appearance.
func Speakers(cues []Cue) []string {
	names := make([]string, len(cues))
	for k, c := range cues {
		names[k] = c.Speaker
	}
	return distinct(names)
}

func distinct(names []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// warner collects warnings, listing at most maxListed of each kind.
type warner struct {
	rep    *Report
	counts map[string]int
	order  []string
}

// add records a warning; kind groups warnings for the summary line.
func (w *warner) add(kind string, line int, reason string) {
	w.counts[kind]++
	if w.counts[kind] == 1 {
		w.order = append(w.order, kind)
	}
	if w.counts[kind] <= maxListed {
		w.rep.Warnings = append(w.rep.Warnings, Problem{Line: line, Reason: reason})
	}
}

func (w *warner) flush() {
	for _, kind := range w.order {
		if n := w.counts[kind] - maxListed; n > 0 {
			w.rep.Warnings = append(w.rep.Warnings, Problem{Reason: fmt.Sprintf(
				"%d more warnings not listed: %s", n, kind)})
		}
	}
}

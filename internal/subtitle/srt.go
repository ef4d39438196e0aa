package subtitle

import (
	"strings"
	"time"

	"github.com/asticode/go-astisub"
)

// timedBlock is one cue as our pre-scan of a line-based file sees it.
type timedBlock struct {
	line       int // the timing line
	start, end time.Duration
	source     string // the cue's source lines, joined by "\n"
	from, to   int    // the cue's text lines, lines[from:to]
}

// scanTimings finds every timing line ("… --> …") of an SRT or WebVTT text,
// checks it, and rewrites it to the plain "start --> end" form astisub
// reads without trouble. textEnd says where a cue's text ends after its
// timing line. It also reports whether any cue settings were removed.
func scanTimings(lines []string, sep string, textEnd func(lines []string, from int) int) ([]timedBlock, bool, error) {
	var blocks []timedBlock
	var settings bool
	for i, l := range lines {
		if !strings.Contains(l, "-->") {
			continue
		}
		start, end, set, reason := parseTimingLine(strings.TrimSpace(l))
		if reason != "" {
			return nil, false, invalid(i+1, "%s", reason)
		}
		if end < start {
			return nil, false, invalid(i+1, "end time before start time")
		}
		settings = settings || set != ""
		stop := textEnd(lines, i+1)
		blocks = append(blocks, timedBlock{
			line: i + 1, start: start, end: end,
			source: strings.Join(lines[i+1:stop], "\n"), from: i + 1, to: stop,
		})
		lines[i] = formatClock(start, sep) + " --> " + formatClock(end, sep)
	}
	return blocks, settings, nil
}

// srtFeed prepares the text astisub reads. astisub takes the line before
// every timing line for the cue number and drops it; when cues are not
// separated by a blank line and a number, that line is text, so a blank
// line goes in front of the timing line to keep it.
func srtFeed(lines []string, blocks []timedBlock) string {
	var sb strings.Builder
	size := len(blocks)
	for _, l := range lines {
		size += len(l) + 1
	}
	sb.Grow(size)
	next := 0
	for i, l := range lines {
		if next < len(blocks) && blocks[next].line == i+1 {
			next++
			if i > 0 {
				if prev := strings.TrimSpace(lines[i-1]); prev != "" && !isNumber(prev) && !strings.Contains(prev, "-->") {
					sb.WriteByte('\n')
				}
			}
		}
		sb.WriteString(l)
		sb.WriteByte('\n')
	}
	return sb.String()
}

func isNumber(s string) bool {
	_, ok := digits(s, 18)
	return ok
}

// srtTextEnd: an SRT cue's text runs to the next timing line; the cue
// number before that line is not text.
func srtTextEnd(lines []string, from int) int {
	for j := from; j < len(lines); j++ {
		if strings.Contains(lines[j], "-->") {
			return j
		}
	}
	return len(lines)
}

func readSRT(text string) ([]rawCue, error) {
	lines := strings.Split(text, "\n")
	blocks, _, err := scanTimings(lines, ",", srtTextEnd)
	if err != nil {
		return nil, err
	}
	if len(blocks) == 0 {
		return nil, invalid(0, "no cues")
	}
	feed := srtFeed(lines, blocks)
	subs, err := readWith("srt", func() (*astisub.Subtitles, error) {
		return astisub.ReadFromSRT(strings.NewReader(feed))
	})
	if err != nil {
		return nil, err
	}
	if len(subs.Items) != len(blocks) {
		return nil, invalid(0, "found %d timing lines but read %d cues", len(blocks), len(subs.Items))
	}
	out := make([]rawCue, len(blocks))
	for k, it := range subs.Items {
		b := blocks[k]
		out[k] = rawCue{line: b.line, start: it.StartAt, end: it.EndAt}
		src := stripSource(b.source)
		cursor := 0
		for _, l := range it.Lines {
			runs := make([]run, 0, len(l.Items))
			for _, li := range l.Items {
				r := run{text: unescapeText(li.Text)}
				if s := li.InlineStyle; s != nil {
					r.b, r.i, r.u = s.SRTBold, s.SRTItalics, s.SRTUnderline
				}
				runs = append(runs, r)
			}
			out[k].lines.add(joinRuns(runs, src, &cursor))
		}
	}
	return out, nil
}

package subtitle

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/asticode/go-astisub"
)

// ssaDialogue is a Dialogue line as our pre-scan sees it.
type ssaDialogue struct {
	line       int
	start, end time.Duration
}

// scanSSA checks every Dialogue line of the [Events] section against its
// Format line and returns them in order. astisub's SSA errors carry no line
// numbers, so the checks it would fail on are made here first. Other event
// lines (Comment, Picture, Sound, Movie, Command) never become cues but
// astisub rejects the whole file if one is malformed, so they are blanked
// in lines, which is what astisub then reads.
func scanSSA(lines []string) ([]ssaDialogue, error) {
	var out []ssaDialogue
	var format []string
	inEvents := false
	for i, raw := range lines {
		l := strings.TrimSpace(raw)
		if strings.HasPrefix(l, "[") && strings.HasSuffix(l, "]") {
			inEvents = strings.EqualFold(l, "[events]")
			format = nil
			continue
		}
		head, content, ok := strings.Cut(l, ":")
		if !inEvents || !ok {
			continue
		}
		switch strings.TrimSpace(head) {
		case "Format":
			format = strings.Split(content, ",")
			for k := range format {
				format[k] = strings.TrimSpace(format[k])
			}
		case "Dialogue":
			d, err := scanDialogue(i+1, strings.TrimSpace(content), format)
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		default:
			lines[i] = ""
		}
	}
	return out, nil
}

func scanDialogue(line int, content string, format []string) (ssaDialogue, error) {
	d := ssaDialogue{line: line}
	if len(format) == 0 {
		return d, invalid(line, "dialogue line before the [Events] Format line")
	}
	fields := strings.SplitN(content, ",", len(format))
	if len(fields) < len(format) {
		return d, invalid(line, "dialogue line has %d fields, the Format line names %d", len(fields), len(format))
	}
	var hasStart, hasEnd bool
	for k, name := range format {
		v := strings.TrimSpace(fields[k])
		switch name {
		case "Start", "End":
			t, ok := parseClock(v)
			if !ok {
				return d, invalid(line, "unreadable %s time %q", strings.ToLower(name), v)
			}
			if name == "Start" {
				d.start, hasStart = t, true
			} else {
				d.end, hasEnd = t, true
			}
		case "Layer", "MarginL", "MarginR", "MarginV":
			if _, err := strconv.Atoi(v); err != nil {
				return d, invalid(line, "%s is not a number: %q", name, v)
			}
		}
	}
	if !hasStart || !hasEnd {
		return d, invalid(line, "the Format line has no Start or End field")
	}
	if d.end < d.start {
		return d, invalid(line, "end time before start time")
	}
	return d, nil
}

func readSSA(text string) ([]rawCue, error) {
	lines := strings.Split(text, "\n")
	dialogues, err := scanSSA(lines)
	if err != nil {
		return nil, err
	}
	if len(dialogues) == 0 {
		return nil, invalid(0, "no cues: no Dialogue lines in an [Events] section")
	}
	quiet := astisub.SSAOptions{OnUnknownSectionName: func(string) {}, OnInvalidLine: func(string) {}}
	subs, err := readWith("ssa", func() (*astisub.Subtitles, error) {
		return astisub.ReadFromSSAWithOptions(strings.NewReader(strings.Join(lines, "\n")), quiet)
	})
	if err != nil {
		return nil, err
	}
	if len(subs.Items) != len(dialogues) {
		return nil, invalid(0, "found %d dialogue lines but read %d cues", len(dialogues), len(subs.Items))
	}
	out := make([]rawCue, len(dialogues))
	for k, it := range subs.Items {
		out[k] = rawCue{line: dialogues[k].line, start: it.StartAt, end: it.EndAt}
		var st ssaState
		for _, l := range it.Lines {
			if out[k].speaker == "" {
				out[k].speaker = strings.TrimSpace(l.VoiceName)
			}
			var runs []run
			for _, li := range l.Items {
				if li.InlineStyle != nil {
					st.apply(li.InlineStyle.SSAEffect)
				}
				if !st.drawing {
					runs = append(runs, run{text: ssaText(li.Text), b: st.b, i: st.i, u: st.u})
				}
			}
			cursor := 0
			out[k].lines.add(joinRuns(runs, "", &cursor))
		}
	}
	return out, nil
}

// ssaState follows the override tags that matter for display text.
type ssaState struct {
	b, i, u, drawing bool
}

var ssaOverride = regexp.MustCompile(`\\(r|[ibup])(\d*)`)

// apply reads an override block such as {\i1\b0}. \p1 starts a vector
// drawing, whose "text" is coordinates, not words.
func (s *ssaState) apply(block string) {
	for _, m := range ssaOverride.FindAllStringSubmatch(block, -1) {
		on := m[2] != "" && m[2] != "0"
		switch m[1] {
		case "r":
			*s = ssaState{}
		case "b":
			if m[2] != "" {
				s.b = on
			}
		case "i":
			if m[2] != "" {
				s.i = on
			}
		case "u":
			if m[2] != "" {
				s.u = on
			}
		case "p":
			if m[2] != "" {
				s.drawing = on
			}
		}
	}
}

// ssaText turns SSA hard spaces into spaces; astisub has already split
// lines on \N and \n.
func ssaText(s string) string {
	return strings.ReplaceAll(s, `\h`, " ")
}

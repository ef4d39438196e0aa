package archive

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/verbatim-archive/verbatim/internal/subtitle"
)

// TrackCheck is what PutTrack would do with a file, found without storing
// anything: the report an editor reads before accepting an upload.
type TrackCheck struct {
	Lang string `json:"lang"`
	// Acceptable is false when Errors is not empty: PutTrack would refuse
	// the file and leave the recording as it is.
	Acceptable bool      `json:"acceptable"`
	Errors     []Warning `json:"errors"`
	Format     string    `json:"format,omitempty"`
	Encoding   string    `json:"encoding,omitempty"`
	Kind       Kind      `json:"kind,omitempty"`
	Source     Source    `json:"source,omitempty"`
	CueCount   int       `json:"cue_count"`
	StartMS    int64     `json:"start_ms"` // the first cue's start
	EndMS      int64     `json:"end_ms"`   // the last cue's end
	Speakers   []string  `json:"speakers"`
	// NewSpeakers are the labels not yet on the recording; storing adds
	// them (Held lists those that would be held or start hidden).
	NewSpeakers []string  `json:"new_speakers"`
	Held        []string  `json:"held_speakers"`
	Warnings    []Warning `json:"warnings"`
	// Replaces is the track this upload would replace, if any.
	Replaces *Track `json:"replaces,omitempty"`
	// FirstCues are the first cues as they would be stored (speakers
	// borrowed from another track where the file has none).
	FirstCues []Cue `json:"first_cues"`
}

// Check limits and thresholds.
const (
	// CheckFirstCues is how many cues a check shows.
	CheckFirstCues = 10
	// longCue and longCueChars mark cues too long to read comfortably
	// (subtitling guides keep a cue under 7 seconds and two lines).
	longCue      = 10 * time.Second
	longCueChars = 200
	// maxListedLong caps the long-cue warnings of one kind.
	maxListedLong = 20
)

// CheckTrack is PutTrack's dry run: it parses and validates the file
// against the recording as PutTrack does and reports what storing it
// would do, writing nothing. A file PutTrack would refuse gives a report
// with Acceptable false and the errors (with line numbers where the file
// has them); only a request that cannot be checked at all (not an editor,
// a bad language tag, no such recording, too large) is an error.
func (s *Service) CheckTrack(ctx context.Context, who Principal, id string, up TrackUpload) (TrackCheck, error) {
	lang, rec, err := s.trackTarget(ctx, who, "check track", id, up)
	if err != nil {
		return TrackCheck{}, err
	}
	out := TrackCheck{Lang: lang, Errors: []Warning{}, Warnings: []Warning{}, Speakers: []string{},
		NewSpeakers: []string{}, Held: []string{}, FirstCues: []Cue{}}
	i := slices.IndexFunc(rec.Tracks, func(t Track) bool { return t.Lang == lang })
	cur := Track{}
	if i >= 0 {
		cur = rec.Tracks[i]
		cur.Key, cur.SpeakerCues = "", nil
		out.Replaces = &cur
	}
	out.Kind, out.Source = provenance(up, cur, len(rec.Tracks) == 0)
	p, err := s.parseTrack(ctx, rec, lang, up)
	if err != nil {
		w, ok := fileProblem(err)
		if !ok {
			return TrackCheck{}, err
		}
		out.Errors = append(out.Errors, w)
		return out, nil
	}
	out.Acceptable = true
	out.Format, out.Encoding = string(p.rep.Format), p.rep.Encoding
	out.CueCount = len(p.cues)
	out.StartMS, out.EndMS = p.cues[0].Start.Milliseconds(), p.cues[len(p.cues)-1].End.Milliseconds()
	out.Speakers = speakersOf(p.cues)
	l := newSpeakerLookup(rec)
	for _, n := range out.Speakers {
		if _, ok := l.find(n); !ok {
			out.NewSpeakers = append(out.NewSpeakers, n)
		}
	}
	trial := rec
	trial.Speakers = slices.Clone(rec.Speakers)
	held := addSpeakers(&trial, out.Speakers)
	for _, sp := range trial.Speakers[len(rec.Speakers):] {
		if sp.Held || sp.Visibility == VisibilityHidden {
			out.Held = append(out.Held, sp.Name)
		}
	}
	out.Warnings = append(append(append(out.Warnings, held...), p.warnings()...), longCues(p.cues)...)
	out.FirstCues = fromSubtitle(p.cues[:min(len(p.cues), CheckFirstCues)])
	return out, nil
}

// fileProblem turns an error of parseTrack that is about the file into a
// report line.
func fileProblem(err error) (Warning, bool) {
	var se *subtitle.Error
	if errors.As(err, &se) {
		return Warning{Line: se.Line, Reason: se.Reason}, true
	}
	var ae *Error
	if errors.As(err, &ae) && (errors.Is(err, ErrTooLarge) || errors.Is(err, ErrInvalid)) {
		return Warning{Reason: ae.ClientMessage()}, true
	}
	return Warning{}, false
}

// longCues warns of cues shown too long or holding too much text to read.
func longCues(cues []subtitle.Cue) []Warning {
	var out []Warning
	slow, wordy := 0, 0
	for _, c := range cues {
		if d := c.End - c.Start; d > longCue {
			if slow++; slow <= maxListedLong {
				out = append(out, Warning{Reason: fmt.Sprintf("cue at %s lasts %.1fs, longer than %s: hard to follow", clockOf(c.Start), d.Seconds(), longCue)})
			}
		}
		if n := len([]rune(c.Text)); n > longCueChars {
			if wordy++; wordy <= maxListedLong {
				out = append(out, Warning{Reason: fmt.Sprintf("cue at %s has %d characters, more than %d: hard to read in time", clockOf(c.Start), n, longCueChars)})
			}
		}
	}
	if n := slow - maxListedLong; n > 0 {
		out = append(out, Warning{Reason: fmt.Sprintf("%d more cues longer than %s not listed", n, longCue)})
	}
	if n := wordy - maxListedLong; n > 0 {
		out = append(out, Warning{Reason: fmt.Sprintf("%d more cues of more than %d characters not listed", n, longCueChars)})
	}
	return out
}

func clockOf(d time.Duration) string {
	ms := d.Milliseconds()
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}

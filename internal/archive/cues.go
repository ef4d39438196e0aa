package archive

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/text/language"

	"github.com/verbatim-archive/verbatim/internal/subtitle"
)

// borrowSpeakers labels cues from the recording's other track with the
// most speaker marks, by time. Failing to read one is not fatal: the
// upload then simply has no speakers.
func (s *Service) borrowSpeakers(ctx context.Context, rec Recording, lang string, cues []subtitle.Cue) []subtitle.Cue {
	var best []subtitle.Cue
	bestMarks := 0
	for _, t := range rec.Tracks {
		if t.Lang == lang {
			continue
		}
		ref, err := s.cuesOf(ctx, t)
		if err != nil {
			s.log.Warn("archive: cannot borrow speakers", "track", t.Key, "err", err)
			continue
		}
		if n := countSpeakers(ref); n > bestMarks {
			best, bestMarks = ref, n
		}
	}
	if bestMarks == 0 {
		return cues
	}
	return subtitle.BorrowSpeakers(cues, best)
}

func countSpeakers(cues []subtitle.Cue) int {
	n := 0
	for _, c := range cues {
		if c.Speaker != "" {
			n++
		}
	}
	return n
}

func hasSpeakers(cues []subtitle.Cue) bool { return countSpeakers(cues) > 0 }

// speakersOf lists the distinct speaker names in order of first appearance.
func speakersOf(cues []subtitle.Cue) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, c := range cues {
		if k := speakerKey(c.Speaker); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, c.Speaker)
		}
	}
	return out
}

// addSpeakers puts names found in a track on the recording's speaker list
// (visible by name until an editor decides otherwise).
func addSpeakers(r *Recording, names []string) {
	l := newSpeakerLookup(*r)
	for _, n := range names {
		if _, ok := l.find(n); ok {
			continue
		}
		id := Slug(n, 80)
		if id == "" {
			id = "speaker"
		}
		for base, i := id, 2; l[speakerKey(id)] != (Speaker{}); i++ {
			id = fmt.Sprintf("%s-%d", base, i)
		}
		sp := Speaker{ID: id, Name: n, Visibility: VisibilityNamed}
		r.Speakers = append(r.Speakers, sp)
		l[speakerKey(id)], l[speakerKey(n)] = sp, sp
	}
}

func refreshLanguages(r *Recording) {
	r.Languages = make([]string, 0, len(r.Tracks))
	for _, t := range r.Tracks {
		r.Languages = append(r.Languages, t.Lang)
	}
	slices.Sort(r.Languages)
}

// canonicalLang validates a BCP 47 tag and returns its canonical form.
func canonicalLang(lang string) (string, error) {
	tag, err := language.Parse(lang)
	if err != nil || lang == "" {
		return "", fmtErr("track", "", ErrInvalid, fmt.Sprintf("%q is not a BCP 47 language tag such as en or pt-BR", lang))
	}
	return tag.String(), nil
}

func validProvenance(k Kind, src Source) error {
	switch k {
	case "", KindOriginal, KindInterpretation:
	default:
		return fmtErr("track", "", ErrInvalid, fmt.Sprintf("kind %q is not original or interpretation", k))
	}
	switch src {
	case "", SourceHuman, SourceMachine, SourceVerified:
	default:
		return fmtErr("track", "", ErrInvalid, fmt.Sprintf("source %q is not human, machine or verified", src))
	}
	return nil
}

// subtitleErr maps a parser error to the archive's sentinels, keeping the
// *subtitle.Error in the chain so the server can report line and reason.
func subtitleErr(id, lang string, err error) error {
	sentinel := ErrInvalid
	switch {
	case errors.Is(err, subtitle.ErrNotSubtitle):
		sentinel = ErrUnsupported
	case errors.Is(err, subtitle.ErrTooLarge):
		sentinel = ErrTooLarge
	}
	return &Error{Kind: sentinel, Where: "archive: track " + id + "/" + lang, Message: "rejected", Err: err}
}

func fromSubtitle(cs []subtitle.Cue) []Cue {
	out := make([]Cue, len(cs))
	for i, c := range cs {
		out[i] = Cue{StartMS: c.Start.Milliseconds(), EndMS: c.End.Milliseconds(), Speaker: c.Speaker, Text: c.Text, Styled: c.Styled}
	}
	return out
}

func toSubtitle(cs []Cue) []subtitle.Cue {
	out := make([]subtitle.Cue, len(cs))
	for i, c := range cs {
		out[i] = subtitle.Cue{Start: time.Duration(c.StartMS) * time.Millisecond, End: time.Duration(c.EndMS) * time.Millisecond, Speaker: c.Speaker, Text: c.Text, Styled: c.Styled}
	}
	return out
}

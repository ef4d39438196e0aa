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
// most speaker marks of its own, by time. Failing to read one is not
// fatal here: the upload then simply has no speakers, and viewers get
// them borrowed when they read (viewerCues).
func (s *Service) borrowSpeakers(ctx context.Context, rec Recording, lang string, cues []subtitle.Cue) []subtitle.Cue {
	ref, err := s.reference(ctx, rec, lang, func(t Track, err error) {
		s.log.Warn("archive: cannot borrow speakers", "track", t.Key, "err", err)
	})
	if err != nil || ref == nil {
		return cues
	}
	return subtitle.BorrowSpeakers(cues, ref)
}

// reference returns the cues of the recording's track, other than lang,
// with the most speaker marks of its own (nil if none has any). A track
// that cannot be read is passed to skip, or fails the call when skip is
// nil.
func (s *Service) reference(ctx context.Context, rec Recording, lang string, skip func(Track, error)) ([]subtitle.Cue, error) {
	var best []subtitle.Cue
	bestMarks := 0
	for _, t := range rec.Tracks {
		if t.Lang == lang {
			continue
		}
		ref, err := s.cuesOf(ctx, t)
		if err != nil && skip == nil {
			return nil, err
		}
		if err != nil {
			skip(t, err)
			continue
		}
		if n := countSpeakers(ref); n > bestMarks {
			best, bestMarks = ref, n
		}
	}
	return best, nil
}

// countSpeakers counts the cues with a speaker of their own (not one
// borrowed from another track).
func countSpeakers(cues []subtitle.Cue) int {
	n := 0
	for _, c := range cues {
		if c.Speaker != "" && c.Borrowed == nil {
			n++
		}
	}
	return n
}

// viewerSpeakers gives every cue without a speaker mark of its own its
// speakers as the recording's tracks say now, whatever the order they were
// uploaded in (an interpretation uploaded before its original has nothing
// borrowed in storage; a replaced original changes who spoke). That holds
// for a partly labelled track too: an unlabelled cue during a hidden
// speaker's turn may be their words, so it is withheld with them.
func (s *Service) viewerSpeakers(ctx context.Context, rec Recording, lang string, cues []subtitle.Cue) ([]subtitle.Cue, error) {
	if !slices.ContainsFunc(cues, unmarked) {
		return cues, nil
	}
	ref, err := s.reference(ctx, rec, lang, nil)
	if err != nil || ref == nil {
		return cues, err
	}
	return subtitle.BorrowSpeakers(cues, ref), nil
}

// recount brings r's counts of cues by speaker (Track.SpeakerCues, what
// a viewer's cue_count is made from) in line with the speakers viewers
// are shown for each track now. A track's unmarked cues take theirs by
// time from the best-marked other track (viewerSpeakers), so storing,
// retiming or deleting one track can change another's counts: an
// interpretation uploaded before its original counted its cues as nobody's
// until then. A track that cannot be read keeps the counts it has.
func (s *Service) recount(ctx context.Context, r *Recording) {
	for i := range r.Tracks {
		t := &r.Tracks[i]
		cues, err := s.cuesOf(ctx, *t)
		if err == nil {
			cues, err = s.viewerSpeakers(ctx, *r, t.Lang, cues)
		}
		if err != nil {
			s.log.Warn("archive: cannot recount a track's speakers", "track", t.Key, "err", err)
			continue
		}
		t.SpeakerCues = cuesBySpeaker(cues)
	}
}

// unmarked reports whether c has no speaker of its own: none on any turn,
// or one borrowed from another track.
func unmarked(c subtitle.Cue) bool {
	return c.Borrowed != nil || !slices.ContainsFunc(c.Turns(), func(t subtitle.Span) bool { return t.Speaker != "" })
}

func hasSpeakers(cues []subtitle.Cue) bool { return countSpeakers(cues) > 0 }

// speakersOf lists the distinct speaker names of every span in order of
// first appearance.
func speakersOf(cues []subtitle.Cue) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, c := range cues {
		for _, t := range c.Turns() {
			if k := speakerKey(t.Speaker); k != "" && !seen[k] {
				seen[k] = true
				out = append(out, t.Speaker)
			}
		}
	}
	return out
}

// addSpeakers puts names found in a track on the recording's speaker list
// and returns the warnings an editor must see. A new label is visible by
// name only on a recording whose speakers are all named: where someone is
// anonymised or hidden, a label nobody has seen ("Maria" for a hidden
// "Maria Lopez") is held until an editor decides, and on a sensitive
// recording it starts hidden.
func addSpeakers(r *Recording, names []string) []Warning {
	l := newSpeakerLookup(*r)
	strict := r.Sensitive
	for _, sp := range r.Speakers {
		strict = strict || sp.Visibility != VisibilityNamed || sp.Held
	}
	var warn []Warning
	for _, n := range names {
		if _, ok := l.find(n); ok {
			continue
		}
		id := Slug(n, 80)
		if id == "" {
			id = "speaker"
		}
		for base, i := id, 2; ; i++ {
			if _, taken := l.find(id); !taken {
				break
			}
			id = fmt.Sprintf("%s-%d", base, i)
		}
		sp := Speaker{ID: id, Name: n, Visibility: VisibilityNamed}
		switch {
		case r.Sensitive:
			sp.Visibility = VisibilityHidden
			warn = append(warn, Warning{Reason: fmt.Sprintf("new speaker %q starts hidden: the recording is sensitive", n)})
		case strict:
			sp.Held = true
			warn = append(warn, Warning{Reason: fmt.Sprintf("new speaker %q is held (not shown to viewers) until an editor decides: this recording has speakers who are not named; if it is one of them, add it as an alias", n)})
		}
		r.Speakers = append(r.Speakers, sp)
		for _, k := range []string{id, n} {
			l[speakerKey(k)] = sp
		}
	}
	return warn
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
		out[i] = Cue{StartMS: c.Start.Milliseconds(), EndMS: c.End.Milliseconds(), Speaker: c.Speaker, Text: c.Text, Styled: c.Styled, Borrowed: c.Borrowed}
		for _, t := range c.Spans {
			out[i].Spans = append(out[i].Spans, Span{Speaker: t.Speaker, Text: t.Text, Styled: t.Styled})
		}
	}
	return out
}

func toSubtitle(cs []Cue) []subtitle.Cue {
	out := make([]subtitle.Cue, len(cs))
	for i, c := range cs {
		out[i] = subtitle.Cue{Start: time.Duration(c.StartMS) * time.Millisecond, End: time.Duration(c.EndMS) * time.Millisecond, Speaker: c.Speaker, Text: c.Text, Styled: c.Styled, Borrowed: c.Borrowed}
		for _, t := range c.Spans {
			out[i].Spans = append(out[i].Spans, subtitle.Span{Speaker: t.Speaker, Text: t.Text, Styled: t.Styled})
		}
	}
	return out
}

package archive

import (
	"fmt"
	"unicode/utf8"

	"github.com/verbatim-archive/verbatim/internal/subtitle"
)

// Default budgets on what an editor may store. They keep every manifest
// small enough for every reader (the home page, the listing, the index)
// to read it whole, whatever an editor or a subtitle file puts in it.
const (
	// DefaultMaxCues: a six-hour event captioned at one cue a second (a
	// brisk pace; subtitles usually change every two to four seconds).
	// Every viewer-facing cost of a track — indexing, the transcript
	// around a moment, exports — grows with its cues, so a track of
	// hundreds of thousands is refused rather than slowing every reader.
	DefaultMaxCues = 20000
	// DefaultMaxSpeakers: a panel has a handful of speakers, a long
	// conference day some dozens; 200 leaves room for a summit while a
	// file with thousands of distinct voice names is refused.
	DefaultMaxSpeakers = 200
	// DefaultMaxSpeakerName is in characters and also bounds a pseudonym
	// and a role/affiliation.
	DefaultMaxSpeakerName = 200
	// DefaultMaxManifest: 200 speakers at their longest and a hundred
	// tracks take some 200 KB; 1 MiB leaves room for long descriptions.
	DefaultMaxManifest = 1 << 20
)

// MaxManifestRead is the largest manifest anonymous reads (the listing,
// pages, the index) take into memory. The write budget may not exceed it,
// so a manifest written under any budget is always readable.
const MaxManifestRead = 16 << 20

// maxManifestEditor is what an editor's read of one recording accepts, so
// a manifest over MaxManifestRead written before the budgets existed can
// still be opened, fixed (a PATCH that brings it under the budget) or
// deleted.
const maxManifestEditor = 64 << 20

type budgets struct {
	cues        int
	speakers    int
	speakerName int
	manifest    int64
}

func newBudgets(o Options) (budgets, error) {
	b := budgets{cues: o.MaxCues, speakers: o.MaxSpeakers, speakerName: o.MaxSpeakerName, manifest: o.MaxManifest}
	if b.cues <= 0 {
		b.cues = DefaultMaxCues
	}
	if b.speakers <= 0 {
		b.speakers = DefaultMaxSpeakers
	}
	if b.speakerName <= 0 {
		b.speakerName = DefaultMaxSpeakerName
	}
	if b.manifest <= 0 {
		b.manifest = DefaultMaxManifest
	}
	if b.manifest > MaxManifestRead {
		return budgets{}, fmt.Errorf("archive: manifest budget %d bytes is over what readers accept (%d)", b.manifest, MaxManifestRead)
	}
	return b, nil
}

// checkSpeakers applies the speaker budgets to a recording about to be
// written.
func (s *Service) checkSpeakers(r *Recording) error {
	if n := len(r.Speakers); n > s.limits.speakers {
		return fmtErr("recording", r.ID, ErrTooLarge, fmt.Sprintf("%d speakers, the limit is %d per recording (VERBATIM_MAX_SPEAKERS)", n, s.limits.speakers))
	}
	for i, sp := range r.Speakers {
		for _, f := range []struct{ field, v string }{{"name", sp.Name}, {"pseudonym", sp.Pseudonym}, {"role", sp.Role}} {
			if err := s.checkSpeakerName(r.ID, fmt.Sprintf("speaker %d %s", i+1, f.field), f.v); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) checkSpeakerName(id, what, v string) error {
	if n := utf8.RuneCountInString(v); n > s.limits.speakerName {
		return fmtErr("recording", id, ErrInvalid, fmt.Sprintf("%s is %d characters, the limit is %d (VERBATIM_MAX_SPEAKER_NAME)", what, n, s.limits.speakerName))
	}
	return nil
}

// checkTrackSpeakers refuses a track before anything is stored when its
// voice names would break the speaker budgets of the recording.
func (s *Service) checkTrackSpeakers(rec Recording, lang string, cues []subtitle.Cue) error {
	l := newSpeakerLookup(rec)
	fresh := 0
	for _, name := range speakersOf(cues) {
		if err := s.checkSpeakerName(rec.ID, fmt.Sprintf("track %s: speaker name %.40q…", lang, name), name); err != nil {
			return err
		}
		if _, ok := l.find(name); !ok {
			fresh++
		}
	}
	if n := len(rec.Speakers) + fresh; n > s.limits.speakers {
		return fmtErr("put track", rec.ID+"/"+lang, ErrTooLarge, fmt.Sprintf("the track names %d new speakers, which would give the recording %d; the limit is %d per recording (VERBATIM_MAX_SPEAKERS)", fresh, n, s.limits.speakers))
	}
	return nil
}

// checkCues applies the cue budget to a parsed track.
func (s *Service) checkCues(id, lang string, n int) error {
	if n > s.limits.cues {
		return fmtErr("put track", id+"/"+lang, ErrTooLarge, fmt.Sprintf("the track has %d cues, the limit is %d per track (VERBATIM_MAX_CUES)", n, s.limits.cues))
	}
	return nil
}

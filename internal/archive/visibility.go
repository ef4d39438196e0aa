package archive

import (
	"slices"
	"strings"

	"github.com/verbatim-archive/verbatim/internal/subtitle"
)

// visibleTo returns the recording as who may see it. Editors see
// everything. Viewers see published recordings only, without hidden
// speakers, with anonymised speakers under their pseudonym, and without
// storage bookkeeping.
func visibleTo(who Principal, rec Recording) (Recording, bool) {
	if who.CanEdit() {
		return rec, true
	}
	if rec.Status != StatusPublished {
		return Recording{}, false
	}
	v := rec
	v.Speakers = make([]Speaker, 0, len(rec.Speakers))
	for _, sp := range rec.Speakers {
		switch sp.Visibility {
		case VisibilityHidden:
			continue
		case VisibilityAnonymised:
			sp = Speaker{ID: Slug(sp.Pseudonym, 80), Name: sp.Pseudonym, Visibility: VisibilityAnonymised, Pseudonym: sp.Pseudonym}
		}
		v.Speakers = append(v.Speakers, sp)
	}
	v.Tracks = slices.Clone(rec.Tracks)
	l := newSpeakerLookup(rec)
	for i := range v.Tracks {
		t := &v.Tracks[i]
		t.CueCount = viewerCueCount(l, *t)
		t.Key, t.SpeakerCues = "", nil
	}
	if rec.Media != nil {
		m := *rec.Media
		m.Key = ""
		v.Media = &m
	}
	return v, true
}

// speakerLookup finds a recording's speaker by the name (or id) a subtitle
// file uses for them, ignoring case and surrounding space.
type speakerLookup map[string]Speaker

func newSpeakerLookup(rec Recording) speakerLookup {
	m := speakerLookup{}
	for _, sp := range rec.Speakers {
		m[speakerKey(sp.ID)] = sp
		m[speakerKey(sp.Name)] = sp
	}
	return m
}

func speakerKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func (l speakerLookup) find(name string) (Speaker, bool) {
	sp, ok := l[speakerKey(name)]
	return sp, ok
}

// viewerCueCount is how many of t's cues viewerCues keeps: all but those
// of hidden speakers. A track stored before SpeakerCues existed has no
// counts; its cue_count stays the stored one until it is next written.
func viewerCueCount(l speakerLookup, t Track) int {
	n := t.CueCount
	for name, count := range t.SpeakerCues {
		if sp, ok := l.find(name); ok && sp.Visibility == VisibilityHidden {
			n -= count
		}
	}
	return max(n, 0)
}

// cuesBySpeaker counts cues by speaker, keyed as speakerLookup finds them.
func cuesBySpeaker(cues []subtitle.Cue) map[string]int {
	m := map[string]int{}
	for _, c := range cues {
		m[speakerKey(c.Speaker)]++
	}
	return m
}

// WithheldName replaces a hidden speaker's name where others mention it.
const WithheldName = "[name withheld]"

// viewerCues returns the cues a viewer may see: hidden speakers' cues are
// dropped and their names, where others mention them, withheld; anonymised
// speakers appear under their pseudonym, in the speaker field and wherever
// their name shows in the text.
func viewerCues(rec Recording, cues []Cue) []Cue {
	l := newSpeakerLookup(rec)
	var renames []string
	for _, sp := range rec.Speakers {
		switch {
		case sp.Name == "":
		case sp.Visibility == VisibilityAnonymised:
			renames = append(renames, sp.Name, sp.Pseudonym)
		case sp.Visibility == VisibilityHidden:
			renames = append(renames, sp.Name, WithheldName)
		}
	}
	rename := strings.NewReplacer(renames...)
	out := make([]Cue, 0, len(cues))
	for _, c := range cues {
		sp, known := l.find(c.Speaker)
		if known && sp.Visibility == VisibilityHidden {
			continue
		}
		if known && sp.Visibility == VisibilityAnonymised {
			c.Speaker = sp.Pseudonym
		}
		if len(renames) > 0 {
			c.Text = rename.Replace(c.Text)
			c.Styled = rename.Replace(c.Styled)
		}
		out = append(out, c)
	}
	return out
}

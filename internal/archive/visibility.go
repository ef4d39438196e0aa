package archive

import (
	"slices"
	"strings"
	"time"

	"github.com/verbatim-archive/verbatim/internal/subtitle"
)

// What viewers see is decided here and nowhere else. A viewer is built for
// one recording at one moment (the Service's clock: embargoes lapse by
// themselves) and every viewer-facing output — pages, JSON, exports, the
// <track> captions, the search index — is made from its result. Decisions
// are per speaker span, not per cue: a hidden speaker's turn inside
// someone else's cue becomes a marked gap; a cue left with nothing
// disappears.
//
// The stored cues (cuesOf) never leave this package unfiltered except to
// editors. Anything new that shows words to viewers — quotes and their
// re-checks, Open Graph tags, card images, oEmbed, embeds — takes them
// from a viewer here (GetTrack as a viewer, or newViewer(...).cues) at the
// moment it renders, so a later hide, alias, redaction or embargo applies
// to it too.

// Markers viewers see in place of what they may not. Pages translate them.
const (
	WithheldName    = "[name withheld]"
	WithheldPassage = "[passage withheld at the speaker's request]"
	Redacted        = "[redacted]"
)

// viewer is what a viewer may see of one recording at one moment.
type viewer struct {
	rec      Recording
	visible  bool            // the recording itself (published, no embargo)
	speakers speakerLookup   // label -> speaker
	strict   bool            // unknown labels are hidden: the recording has speakers who are not named
	rewrite  *rewriter       // names, aliases and redacted words
	spans    []Redaction     // redacted time spans
	next     time.Time       // the earliest embargo still pending (zero: none)
	show     map[string]bool // speaker id -> visible now
}

func newViewer(rec Recording, now time.Time) *viewer {
	v := &viewer{rec: rec, speakers: newSpeakerLookup(rec), rewrite: newRewriter(), show: map[string]bool{}, strict: rec.Sensitive}
	v.visible = rec.Status == StatusPublished && !v.embargoed(rec.EmbargoUntil, now)
	for _, sp := range rec.Speakers {
		shown := sp.Visibility != VisibilityHidden && !sp.Held && !v.embargoed(sp.EmbargoUntil, now)
		v.show[sp.ID] = shown
		if !shown || sp.Visibility == VisibilityAnonymised {
			v.strict = true
		}
		with := ""
		switch {
		case !shown:
			with = WithheldName
		case sp.Visibility == VisibilityAnonymised:
			with = sp.Pseudonym
		default:
			continue
		}
		for _, n := range append([]string{sp.Name}, sp.Aliases...) {
			v.rewrite.add(n, with)
		}
	}
	for _, r := range rec.Redactions {
		if r.Text != "" {
			v.rewrite.add(r.Text, Redacted)
		} else if r.EndMS > r.StartMS {
			v.spans = append(v.spans, r)
		}
	}
	v.rewrite.done()
	return v
}

// embargoed reports whether an RFC 3339 embargo is still pending at now,
// and remembers the earliest pending one. An unreadable embargo (never
// stored: normalize checks it) holds forever rather than publish.
func (v *viewer) embargoed(until string, now time.Time) bool {
	if until == "" {
		return false
	}
	t, err := time.Parse(time.RFC3339, until)
	if err != nil {
		return true
	}
	if !now.Before(t) {
		return false
	}
	if v.next.IsZero() || t.Before(v.next) {
		v.next = t
	}
	return true
}

// recording is the viewer form of the manifest: published and past any
// embargo only, without hidden speakers, anonymised ones under their
// pseudonym, names withheld in the metadata, without storage bookkeeping
// or editorial settings.
func (v *viewer) recording() (Recording, bool) {
	rec := v.rec
	if !v.visible {
		return Recording{}, false
	}
	out := rec
	out.Sensitive, out.EmbargoUntil, out.Redactions = false, "", nil
	for _, f := range []*string{&out.Title, &out.Event, &out.Place, &out.Description} {
		*f = v.rewrite.apply(*f, true)
	}
	out.Speakers = make([]Speaker, 0, len(rec.Speakers))
	for _, sp := range rec.Speakers {
		if !v.show[sp.ID] {
			continue
		}
		if sp.Visibility == VisibilityAnonymised {
			sp = Speaker{ID: Slug(sp.Pseudonym, 80), Name: sp.Pseudonym, Visibility: VisibilityAnonymised, Pseudonym: sp.Pseudonym}
		} else {
			sp = Speaker{ID: sp.ID, Name: sp.Name, Role: v.rewrite.apply(sp.Role, true), Visibility: VisibilityNamed}
		}
		out.Speakers = append(out.Speakers, sp)
	}
	out.Tracks = slices.Clone(rec.Tracks)
	for i := range out.Tracks {
		t := &out.Tracks[i]
		t.CueCount = v.cueCount(*t)
		t.Key, t.SpeakerCues = "", nil
	}
	if rec.Media != nil {
		m := *rec.Media
		m.Key = ""
		out.Media = &m
	}
	out.Declared = nil // editors' plan; viewers see the languages of the tracks
	if rec.Poster != nil {
		p := *rec.Poster
		p.Key, p.Media = "", ""
		out.Poster = &p
	}
	return out, true
}

// speakerOf says how a span's label appears to viewers: shown (under which
// name) or withheld.
func (v *viewer) speakerOf(label string) (string, bool) {
	if strings.TrimSpace(label) == "" {
		return "", true
	}
	sp, known := v.speakers.find(label)
	switch {
	case !known:
		// A label no editor has seen: held when anyone here is not named.
		return label, !v.strict
	case !v.show[sp.ID]:
		return "", false
	case sp.Visibility == VisibilityAnonymised:
		return sp.Pseudonym, true
	}
	return label, true
}

// refOf is the id of the recording's speaker a viewer cue's span names,
// by the name or pseudonym it is shown under ("": none known).
func (v *viewer) refOf(shown string) string {
	for _, sp := range v.rec.Speakers {
		if sp.Visibility == VisibilityAnonymised && sp.Pseudonym == shown {
			return sp.ID
		}
	}
	if sp, ok := v.speakers.find(shown); ok && sp.Visibility != VisibilityAnonymised {
		return sp.ID
	}
	return ""
}

// cues returns what viewers may see of a track's stored cues: each span
// kept (names and redacted words rewritten), withheld, or — in a redacted
// time span — "[redacted]"; cues left with nothing dropped.
func (v *viewer) cues(stored []subtitle.Cue) []Cue {
	out := make([]Cue, 0, len(stored))
	for _, c := range stored {
		start, end := c.Start.Milliseconds(), c.End.Milliseconds()
		redacted := v.inRedactedSpan(start, end)
		if shown, withheld := v.borrowedFrom(c.Borrowed); withheld {
			// An interpreted cue of a time someone withheld spoke in: it
			// cannot be split by turn, so all of it is withheld — a gap,
			// or nothing at all when nobody shown spoke then either.
			if shown {
				out = append(out, joinCue(start, end, []Span{withheldSpan()}))
			}
			continue
		}
		var spans []Span
		shown := false
		for _, t := range c.Turns() {
			name, ok := v.speakerOf(t.Speaker)
			if !ok {
				if n := len(spans); n == 0 || !spans[n-1].Withheld {
					spans = append(spans, withheldSpan())
				}
				continue
			}
			styled := t.Styled
			if strings.TrimSpace(styled) == "" {
				styled = escapeStyled(t.Text)
			}
			rewritten := v.rewrite.apply(styled, false)
			if redacted {
				rewritten = Redacted
			}
			text := t.Text
			if rewritten != styled || text == "" {
				text = plainOf(rewritten)
			}
			styled = rewritten
			if text == "" {
				continue
			}
			shown = true
			spans = append(spans, Span{Speaker: name, Text: text, Styled: styled})
		}
		if !shown {
			continue // nothing left but gaps: the cue is not there for viewers
		}
		out = append(out, joinCue(start, end, spans))
	}
	return out
}

func withheldSpan() Span {
	return Span{Text: WithheldPassage, Styled: escapeStyled(WithheldPassage), Withheld: true}
}

// borrowedFrom says of the speakers a cue's speaker was borrowed from
// whether any is shown and whether any is withheld.
func (v *viewer) borrowedFrom(names []string) (shown, withheld bool) {
	for _, n := range names {
		if _, ok := v.speakerOf(n); ok {
			shown = true
		} else {
			withheld = true
		}
	}
	return shown, withheld
}

// cueCount is how many of t's cues the viewer is shown: all but those
// whose every speaker is withheld, from the track's counts by speaker set
// (no track read). A track stored before SpeakerCues existed keeps its
// stored count until it is next written.
func (v *viewer) cueCount(t Track) int {
	n := t.CueCount
	for key, count := range t.SpeakerCues {
		if key == "" {
			continue
		}
		withheld := true
		for _, name := range strings.Split(key, speakerSep) {
			if _, ok := v.speakerOf(name); ok {
				withheld = false
			}
		}
		if withheld {
			n -= count
		}
	}
	return max(n, 0)
}

// speakerSep joins the speakers of a cue in SpeakerCues' keys; folded
// names (speakerKey) never contain it.
const speakerSep = "|"

// cuesBySpeaker counts cues by the set of their spans' speakers (and of
// the speakers a cue's speaker was borrowed from), as speakerKey folds
// them, in order of appearance. Viewers see a cue while any of them is
// shown (a borrowed cue of a withheld speaker's time as a gap).
func cuesBySpeaker(cues []subtitle.Cue) map[string]int {
	m := map[string]int{}
	for _, c := range cues {
		var keys []string
		for _, n := range c.Borrowed {
			if k := speakerKey(n); k != "" && !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
		for _, t := range c.Turns() {
			if k := speakerKey(t.Speaker); k != "" && !slices.Contains(keys, k) {
				keys = append(keys, k)
			} else if k == "" {
				keys = append(keys, "")
			}
		}
		if slices.Contains(keys, "") {
			keys = nil // a turn without a speaker is always shown
		}
		m[strings.Join(keys, speakerSep)]++
	}
	return m
}

func (v *viewer) inRedactedSpan(start, end int64) bool {
	for _, r := range v.spans {
		if start < r.EndMS && end > r.StartMS {
			return true
		}
	}
	return false
}

// joinCue makes a cue's speaker, text and styled text from its spans, the
// way the subtitle reader does.
func joinCue(start, end int64, spans []Span) Cue {
	ss := make([]subtitle.Span, len(spans))
	for k, s := range spans {
		ss[k] = subtitle.Span{Speaker: s.Speaker, Text: s.Text, Styled: s.Styled}
	}
	speaker, text, styled := subtitle.JoinSpans(ss)
	return Cue{StartMS: start, EndMS: end, Speaker: speaker, Text: text, Styled: styled, Spans: spans}
}

// searchText is what the index may hold of a viewer cue: its shown spans,
// never the withheld marker.
func searchText(c Cue) string {
	var kept []Span
	for _, s := range c.Spans {
		if !s.Withheld {
			kept = append(kept, s)
		}
	}
	if len(kept) == len(c.Spans) {
		return c.Text
	}
	return joinCue(c.StartMS, c.EndMS, kept).Text
}

// visibleTo returns the recording as who may see it at now. Editors see
// everything.
func visibleTo(who Principal, rec Recording, now time.Time) (Recording, bool) {
	if who.CanEdit() {
		return rec, true
	}
	return newViewer(rec, now).recording()
}

// speakerLookup finds a recording's speaker by the name, alias or id a
// subtitle file uses for them, matched as names are (case, accents,
// spacing ignored).
type speakerLookup map[string]Speaker

func newSpeakerLookup(rec Recording) speakerLookup {
	m := speakerLookup{}
	for _, sp := range rec.Speakers {
		for _, n := range append([]string{sp.ID, sp.Name}, sp.Aliases...) {
			if k := speakerKey(n); k != "" {
				if _, taken := m[k]; !taken {
					m[k] = sp
				}
			}
		}
	}
	return m
}

func speakerKey(s string) string { return foldString(s) }

func (l speakerLookup) find(name string) (Speaker, bool) {
	sp, ok := l[speakerKey(name)]
	return sp, ok
}

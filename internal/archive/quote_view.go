package archive

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/verbatim-archive/verbatim/internal/subtitle"
)

// QuoteView is a quote as it is shown now: its words re-checked against the
// recording's current consent settings, the recording in its viewer form,
// what the track says at that moment today when it has changed since, and
// the same moment in the recording's other languages.
type QuoteView struct {
	Quote Quote
	// Withheld: every quoted word is now withheld (a quoted speaker was
	// hidden or embargoed since); Quote.Text is the withheld notice.
	Withheld bool
	// PartWithheld: some quoted passage is withheld now, so a clip would
	// carry a withheld speaker's voice (or its interpretation) and there is
	// none.
	PartWithheld bool
	Recording    Recording
	// Current is set when the quoted track has a version other than the
	// quoted one (corrected or retimed since), or is gone.
	Current *QuoteCurrent
	// Others are the same moment in the recording's other tracks.
	Others []QuoteMoment
}

// QuoteCurrent is the quoted moment in the track's current version, found
// by time through every retiming since (Track.MapTime).
type QuoteCurrent struct {
	TrackVersion int64      `json:"track_version"`
	StartMS      int64      `json:"start_ms"`
	EndMS        int64      `json:"end_ms"`
	Text         string     `json:"text"`
	Cues         []QuoteCue `json:"cues"`
	// Changed: the current words differ from the quoted ones.
	Changed bool `json:"changed"`
	// Gone: the track has been deleted since.
	Gone bool `json:"gone,omitempty"`
}

// QuoteMoment is the quoted moment in another language.
type QuoteMoment struct {
	Lang   string     `json:"lang"`
	Kind   Kind       `json:"kind"`
	Source Source     `json:"source"`
	Text   string     `json:"text"`
	Cues   []QuoteCue `json:"cues"`
}

// QuoteView returns a quote as who may see it now. A quote of a recording
// that is no longer visible to viewers (unpublished, embargoed, deleted)
// is not found for them.
func (s *Service) QuoteView(ctx context.Context, who Principal, id string) (QuoteView, error) {
	q, err := s.loadQuote(ctx, id)
	if err != nil {
		return QuoteView{}, err
	}
	rec, etag, err := s.load(ctx, q.RecordingID)
	if errors.Is(err, ErrNotFound) || errors.Is(err, errManifestTooLarge) {
		return QuoteView{}, notFound("quote", id, msgNoQuote, err)
	}
	if err != nil {
		return QuoteView{}, err
	}
	// A recording made after the quote is another one under the same id
	// (the quoted one was deleted, and its quotes with it, or a delete
	// was cut short): the quote is not of it.
	if rec.CreatedAt.Truncate(time.Millisecond).After(q.CreatedAt) {
		return QuoteView{}, notFound("quote", id, msgNoQuote, nil)
	}
	v := newViewer(rec, s.now())
	viewRec, ok := v.recording()
	if !ok && !who.CanEdit() {
		return QuoteView{}, notFound("quote", id, msgNoQuote, nil)
	}
	if !ok {
		viewRec = v.rec
		viewRec.Speakers = nil // an editor sees the page as viewers would
	}
	qv := QuoteView{Quote: v.recheck(q, viewRec), Recording: viewRec}
	qv.Withheld = !slices.ContainsFunc(qv.Quote.Cues, func(c QuoteCue) bool {
		return slices.ContainsFunc(c.Spans, func(sp QuoteSpan) bool { return !sp.Withheld })
	})
	qv.PartWithheld = slices.ContainsFunc(qv.Quote.Cues, func(c QuoteCue) bool {
		return slices.ContainsFunc(c.Spans, func(sp QuoteSpan) bool { return sp.Withheld })
	})
	if qv.Withheld {
		qv.Quote.Text = WithheldPassage
	}
	start, end := q.StartMS, q.EndMS
	i := slices.IndexFunc(rec.Tracks, func(t Track) bool { return t.Lang == q.Lang })
	switch {
	case i < 0:
		qv.Current = &QuoteCurrent{Gone: true}
	case rec.Tracks[i].Version != q.TrackVersion:
		tr := rec.Tracks[i]
		start, end = tr.MapTime(q.TrackVersion, start), tr.MapTime(q.TrackVersion, end)
		cues, err := s.quotedCues(ctx, rec, etag, tr, start, end)
		if err != nil {
			return QuoteView{}, err
		}
		cur := &QuoteCurrent{TrackVersion: tr.Version, StartMS: start, EndMS: end, Cues: cues, Text: quoteText(cues)}
		cur.Changed = cur.Text != qv.Quote.Text
		qv.Current = cur
	}
	for _, tr := range rec.Tracks {
		if tr.Lang == q.Lang {
			continue
		}
		cues, err := s.quotedCues(ctx, rec, etag, tr, start, end)
		if err != nil {
			return QuoteView{}, err
		}
		if len(cues) > 0 {
			qv.Others = append(qv.Others, QuoteMoment{Lang: tr.Lang, Kind: tr.Kind, Source: tr.Source, Text: quoteText(cues), Cues: cues})
		}
	}
	return qv, nil
}

// quotedCues is what a viewer sees of a track between start and end (as
// the watch page shows it: unlabelled cues borrow their speakers), as
// quoted cues without speaker refs.
func (s *Service) quotedCues(ctx context.Context, rec Recording, etag string, tr Track, start, end int64) ([]QuoteCue, error) {
	viewed, err := s.viewerCues(ctx, rec, etag, tr)
	if err != nil {
		return nil, err
	}
	var out []QuoteCue
	for _, c := range cuesIn(viewed, start, end) {
		out = append(out, quoteCue(c))
	}
	return out, nil
}

// recheck applies the recording's consent settings of now to a stored
// quote: a speaker hidden, held or embargoed since is withheld, one
// anonymised since appears under the pseudonym, names and words redacted
// since are rewritten. Refs are dropped: viewers never see them.
func (v *viewer) recheck(q Quote, viewRec Recording) Quote {
	out := q
	out.Cues = make([]QuoteCue, 0, len(q.Cues))
	for _, c := range q.Cues {
		redacted := v.inRedactedSpan(c.StartMS, c.EndMS)
		var spans []QuoteSpan
		same := true // nothing changed: the cue keeps its words exactly as stored
		for _, sp := range c.Spans {
			name, ok := "", false
			if !sp.Withheld {
				name, ok = v.quotedSpeaker(sp)
			}
			if !ok {
				same = same && sp.Withheld
				if n := len(spans); n == 0 || !spans[n-1].Withheld {
					spans = append(spans, QuoteSpan{Text: WithheldPassage, Withheld: true})
				}
				continue
			}
			text := v.rewrite.apply(sp.Text, true)
			if redacted {
				text = Redacted
			}
			same = same && name == sp.Speaker && text == sp.Text
			spans = append(spans, QuoteSpan{Speaker: name, Text: text})
		}
		if same {
			kept := c
			kept.Spans = spans
			out.Cues = append(out.Cues, kept)
			continue
		}
		out.Cues = append(out.Cues, joinQuoteCue(c.StartMS, c.EndMS, spans))
	}
	out.Speakers = quoteSpeakers(out.Cues, viewRec, v.rec)
	out.Text = quoteText(out.Cues)
	return out
}

// quotedSpeaker says under which name a quoted span's speaker appears now,
// or that they are withheld.
func (v *viewer) quotedSpeaker(sp QuoteSpan) (string, bool) {
	if sp.Ref == "" {
		return v.speakerOf(sp.Speaker)
	}
	i := slices.IndexFunc(v.rec.Speakers, func(s Speaker) bool { return s.ID == sp.Ref })
	switch {
	case i < 0, !v.show[sp.Ref]:
		return "", false // removed or withheld since: nothing to say it may be shown
	case v.rec.Speakers[i].Visibility == VisibilityAnonymised:
		return v.rec.Speakers[i].Pseudonym, true
	}
	return v.rec.Speakers[i].Name, true
}

func joinQuoteCue(start, end int64, spans []QuoteSpan) QuoteCue {
	ss := make([]subtitle.Span, len(spans))
	for k, s := range spans {
		ss[k] = subtitle.Span{Speaker: s.Speaker, Text: s.Text, Styled: escapeStyled(s.Text)}
	}
	speaker, text, _ := subtitle.JoinSpans(ss)
	return QuoteCue{StartMS: start, EndMS: end, Speaker: speaker, Text: strings.TrimSpace(text), Spans: spans}
}

package archive

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"golang.org/x/text/language"

	"github.com/verbatim-archive/verbatim/internal/subtitle"
)

// TrackUpload is a subtitle file an editor sends for one language.
type TrackUpload struct {
	Lang   string
	Name   string // file name, a hint for the format only
	Data   []byte // the file exactly as uploaded
	Kind   Kind   // empty: keep the track's kind, or guess for a new one
	Source Source // empty: keep the track's source, or human
}

// Warning is a problem in an accepted subtitle file.
type Warning struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// TrackResult reports an accepted upload.
type TrackResult struct {
	Track    Track     `json:"track"`
	Speakers []string  `json:"speakers"`
	Warnings []Warning `json:"warnings"`
}

// PutTrack parses a subtitle file in any supported format and stores it as
// the recording's track in that language: the file exactly as uploaded, the
// normalised WebVTT, then the manifest. A rejected file changes nothing; its
// error wraps ErrInvalid, ErrUnsupported or ErrTooLarge and a
// *subtitle.Error naming the line and reason. A track without speaker marks
// borrows them by time from another track of the recording; speakers not yet
// on the recording are added to it.
func (s *Service) PutTrack(ctx context.Context, who Principal, id string, up TrackUpload) (TrackResult, error) {
	if err := requireEditor(who, "put track"); err != nil {
		return TrackResult{}, err
	}
	lang, err := canonicalLang(up.Lang)
	if err != nil {
		return TrackResult{}, err
	}
	if err := validProvenance(up.Kind, up.Source); err != nil {
		return TrackResult{}, err
	}
	if int64(len(up.Data)) > s.maxTrack {
		return TrackResult{}, fmtErr("put track", id, ErrTooLarge, fmt.Sprintf("the file is larger than %d bytes", s.maxTrack))
	}
	rec, _, err := s.load(ctx, id)
	if err != nil {
		return TrackResult{}, err
	}
	cues, rep, err := subtitle.Parse(up.Data, up.Name, subtitle.Options{MaxBytes: s.maxTrack, MediaDuration: time.Duration(rec.DurationMS) * time.Millisecond})
	if err != nil {
		return TrackResult{}, subtitleErr(id, lang, err)
	}
	if !hasSpeakers(cues) {
		cues = s.borrowSpeakers(ctx, rec, lang, cues)
	}
	format := fmt.Sprint(rep.Format)
	tr, err := s.storeTrack(ctx, id, lang, cues, up.Data, func(t *Track, first bool) {
		t.FormatUploaded = format
		t.Kind = cmp.Or(up.Kind, t.Kind, defaultKind(first))
		t.Source = cmp.Or(up.Source, t.Source, SourceHuman)
	})
	if err != nil {
		return TrackResult{}, err
	}
	res := TrackResult{Track: tr, Speakers: speakersOf(cues), Warnings: []Warning{}}
	for _, w := range rep.Warnings {
		res.Warnings = append(res.Warnings, Warning{Line: w.Line, Reason: w.Reason})
	}
	return res, nil
}

func defaultKind(firstTrack bool) Kind {
	if firstTrack {
		return KindOriginal
	}
	return KindInterpretation
}

// storeTrack writes a new version of a track (fresh object keys, manifest
// last) and removes the previous version's objects once the manifest no
// longer points at them. set fills format and provenance; first tells it
// whether the recording had no tracks before.
func (s *Service) storeTrack(ctx context.Context, id, lang string, cues []subtitle.Cue, source []byte, set func(t *Track, first bool)) (Track, error) {
	var vtt bytes.Buffer
	if err := subtitle.WriteVTT(&vtt, cues); err != nil {
		return Track{}, fmt.Errorf("archive: write track %s/%s: %w", id, lang, err)
	}
	key := fmt.Sprintf("%s%s/tracks/%s.%s", recordingsPrefix, id, lang, newRev())
	if err := s.putSmall(ctx, key+".source", source, "application/octet-stream"); err != nil {
		return Track{}, err
	}
	if err := s.putSmall(ctx, key+".vtt", vtt.Bytes(), "text/vtt; charset=utf-8"); err != nil {
		s.removeOrphan(key + ".source")
		return Track{}, err
	}
	var old, stored Track
	rec, _, err := s.update(ctx, id, "", func(r *Recording) error {
		i := slices.IndexFunc(r.Tracks, func(t Track) bool { return t.Lang == lang })
		t := Track{Lang: lang}
		old = Track{}
		if i >= 0 {
			t, old = r.Tracks[i], r.Tracks[i]
		}
		set(&t, len(r.Tracks) == 0)
		t.CueCount, t.Key, t.UpdatedAt = len(cues), key, s.now().UTC()
		t.Version++
		if i >= 0 {
			r.Tracks[i] = t
		} else {
			r.Tracks = append(r.Tracks, t)
		}
		addSpeakers(r, speakersOf(cues))
		refreshLanguages(r)
		stored = t
		return nil
	})
	if err != nil {
		s.removeOrphan(key + ".source")
		s.removeOrphan(key + ".vtt")
		return Track{}, err
	}
	if old.Key != "" && old.Key != key {
		s.removeOrphan(old.Key + ".source")
		s.removeOrphan(old.Key + ".vtt")
	}
	s.afterWrite(ctx, rec, "")
	return stored, nil
}

func (s *Service) putSmall(ctx context.Context, key string, data []byte, ct string) error {
	_, err := s.blobs.Put(ctx, key, bytes.NewReader(data), int64(len(data)), PutOptions{ContentType: ct, IfNoneMatch: true})
	if err != nil {
		return fmt.Errorf("archive: store %s: %w", key, err)
	}
	return nil
}

// GetTrack returns a track and its cues as who may see them.
func (s *Service) GetTrack(ctx context.Context, who Principal, id, lang string) (Track, []Cue, error) {
	rec, tr, cues, err := s.readTrack(ctx, who, id, lang)
	if err != nil {
		return Track{}, nil, err
	}
	out := fromSubtitle(cues)
	if !who.CanEdit() {
		out = viewerCues(rec, out)
		tr.Key = ""
	}
	return tr, out, nil
}

// TrackSource returns the file exactly as the editor uploaded it (editors
// only: it may contain hidden speakers' words).
func (s *Service) TrackSource(ctx context.Context, who Principal, id, lang string) ([]byte, error) {
	if err := requireEditor(who, "track source"); err != nil {
		return nil, err
	}
	_, tr, err := s.findTrack(ctx, who, id, lang)
	if err != nil {
		return nil, err
	}
	return s.readSmall(ctx, tr.Key+".source")
}

// Export formats.
const (
	FormatVTT  = "vtt"
	FormatSRT  = "srt"
	FormatTTML = "ttml"
	FormatText = "txt"
)

// ExportTrack renders a track as who may see it in one of the Format*
// formats.
func (s *Service) ExportTrack(ctx context.Context, who Principal, id, lang, format string) ([]byte, error) {
	tr, cues, err := s.GetTrack(ctx, who, id, lang)
	if err != nil {
		return nil, err
	}
	sc := toSubtitle(cues)
	var b bytes.Buffer
	switch format {
	case FormatVTT:
		err = subtitle.WriteVTT(&b, sc)
	case FormatSRT:
		err = subtitle.WriteSRT(&b, sc)
	case FormatTTML:
		err = subtitle.WriteTTML(&b, sc, tr.Lang)
	case FormatText:
		err = subtitle.WriteText(&b, sc)
	default:
		return nil, fmtErr("export", id, ErrUnsupported, fmt.Sprintf("format %q is not vtt, srt, ttml or txt", format))
	}
	if err != nil {
		return nil, fmt.Errorf("archive: export %s/%s as %s: %w", id, lang, format, err)
	}
	return b.Bytes(), nil
}

// DeleteTrack removes a track; its cues leave search.
func (s *Service) DeleteTrack(ctx context.Context, who Principal, id, lang string) error {
	if err := requireEditor(who, "delete track"); err != nil {
		return err
	}
	lang, err := canonicalLang(lang)
	if err != nil {
		return err
	}
	var gone Track
	rec, _, err := s.update(ctx, id, "", func(r *Recording) error {
		i := slices.IndexFunc(r.Tracks, func(t Track) bool { return t.Lang == lang })
		if i < 0 {
			return fmtErr("delete track", id+"/"+lang, ErrNotFound, "")
		}
		gone = r.Tracks[i]
		r.Tracks = slices.Delete(r.Tracks, i, i+1)
		refreshLanguages(r)
		return nil
	})
	if err != nil {
		return err
	}
	s.removeOrphan(gone.Key + ".source")
	s.removeOrphan(gone.Key + ".vtt")
	s.afterWrite(ctx, rec, "")
	return nil
}

// ShiftTrack moves every cue of a track by offset (negative: earlier).
func (s *Service) ShiftTrack(ctx context.Context, who Principal, id, lang string, offset time.Duration) (Track, error) {
	return s.retime(ctx, who, id, lang, func(c []subtitle.Cue) ([]subtitle.Cue, error) { return subtitle.Shift(c, offset) })
}

// LinearTrack corrects drift: the cue time a1 moves to b1 and a2 to b2, and
// every time in between (and beyond) follows the same straight line.
func (s *Service) LinearTrack(ctx context.Context, who Principal, id, lang string, a1, b1, a2, b2 time.Duration) (Track, error) {
	return s.retime(ctx, who, id, lang, func(c []subtitle.Cue) ([]subtitle.Cue, error) { return subtitle.Linear(c, a1, b1, a2, b2) })
}

func (s *Service) retime(ctx context.Context, who Principal, id, lang string, fn func([]subtitle.Cue) ([]subtitle.Cue, error)) (Track, error) {
	if err := requireEditor(who, "retime track"); err != nil {
		return Track{}, err
	}
	_, tr, cues, err := s.readTrack(ctx, who, id, lang)
	if err != nil {
		return Track{}, err
	}
	moved, err := fn(cues)
	if err != nil {
		return Track{}, fmt.Errorf("archive: retime %s/%s: %w: %w", id, tr.Lang, ErrInvalid, err)
	}
	source, err := s.readSmall(ctx, tr.Key+".source")
	if err != nil {
		return Track{}, err
	}
	return s.storeTrack(ctx, id, tr.Lang, moved, source, func(*Track, bool) {})
}

// findTrack loads the manifest and the track's entry, checking visibility.
func (s *Service) findTrack(ctx context.Context, who Principal, id, lang string) (Recording, Track, error) {
	lang, err := canonicalLang(lang)
	if err != nil {
		return Recording{}, Track{}, err
	}
	rec, _, err := s.load(ctx, id)
	if err != nil {
		return Recording{}, Track{}, err
	}
	if _, ok := visibleTo(who, rec); !ok {
		return Recording{}, Track{}, fmtErr("track", id, ErrNotFound, "")
	}
	i := slices.IndexFunc(rec.Tracks, func(t Track) bool { return t.Lang == lang })
	if i < 0 {
		return Recording{}, Track{}, fmtErr("track", id+"/"+lang, ErrNotFound, "no such track")
	}
	return rec, rec.Tracks[i], nil
}

// readTrack returns the stored (unfiltered) cues of a track.
func (s *Service) readTrack(ctx context.Context, who Principal, id, lang string) (Recording, Track, []subtitle.Cue, error) {
	rec, tr, err := s.findTrack(ctx, who, id, lang)
	if err != nil {
		return Recording{}, Track{}, nil, err
	}
	cues, err := s.cuesOf(ctx, tr)
	return rec, tr, cues, err
}

func (s *Service) cuesOf(ctx context.Context, tr Track) ([]subtitle.Cue, error) {
	data, err := s.readSmall(ctx, tr.Key+".vtt")
	if err != nil {
		return nil, err
	}
	cues, _, err := subtitle.Parse(data, "track.vtt", subtitle.Options{MaxBytes: int64(len(data)) + 1})
	if err != nil {
		return nil, fmt.Errorf("archive: stored track %s is unreadable: %w", tr.Key, err)
	}
	return cues, nil
}

func (s *Service) readSmall(ctx context.Context, key string) ([]byte, error) {
	rc, _, err := s.blobs.Get(ctx, key, 0, -1)
	if err != nil {
		return nil, fmt.Errorf("archive: read %s: %w", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("archive: read %s: %w", key, err)
	}
	return data, nil
}

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
	return fmt.Errorf("archive: track %s/%s rejected: %w: %w", id, lang, sentinel, err)
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

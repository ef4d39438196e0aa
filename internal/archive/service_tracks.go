package archive

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"time"

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
	lang, rec, err := s.trackTarget(ctx, who, "put track", id, up)
	if err != nil {
		return TrackResult{}, err
	}
	p, err := s.parseTrack(ctx, rec, lang, up)
	if err != nil {
		return TrackResult{}, err
	}
	format := fmt.Sprint(p.rep.Format)
	tr, old, held, err := s.storeTrack(ctx, id, lang, p.cues, up.Data, func(t *Track, first bool) {
		t.FormatUploaded = format
		t.Kind, t.Source = provenance(up, *t, first)
	})
	if err != nil {
		return TrackResult{}, err
	}
	s.audit(ctx, who, id, AuditTrackPut, lang, trackChanges(old, tr))
	res := TrackResult{Track: tr, Speakers: speakersOf(p.cues), Warnings: held}
	res.Warnings = append(res.Warnings, p.warnings()...)
	return res, nil
}

// trackTarget checks the caller, the language, the provenance and the
// size of an upload and loads the recording it is for.
func (s *Service) trackTarget(ctx context.Context, who Principal, op, id string, up TrackUpload) (string, Recording, error) {
	if err := requireEditor(who, op); err != nil {
		return "", Recording{}, err
	}
	lang, err := canonicalLang(up.Lang)
	if err != nil {
		return "", Recording{}, err
	}
	if err := validProvenance(up.Kind, up.Source); err != nil {
		return "", Recording{}, err
	}
	if int64(len(up.Data)) > s.maxTrack {
		return "", Recording{}, fmtErr(op, id, ErrTooLarge, fmt.Sprintf("the file is larger than %d bytes", s.maxTrack))
	}
	rec, _, err := s.load(ctx, id)
	return lang, rec, err
}

// parsedTrack is a subtitle file read and checked against the budgets and
// the recording, ready to store.
type parsedTrack struct {
	cues []subtitle.Cue
	rep  subtitle.Report
}

func (p parsedTrack) warnings() []Warning {
	out := make([]Warning, 0, len(p.rep.Warnings))
	for _, w := range p.rep.Warnings {
		out = append(out, Warning{Line: w.Line, Reason: w.Reason})
	}
	return out
}

// parseTrack reads up for rec. Every error it returns is about the file
// (its syntax, or a budget it exceeds), never about the request.
func (s *Service) parseTrack(ctx context.Context, rec Recording, lang string, up TrackUpload) (parsedTrack, error) {
	cues, rep, err := subtitle.Parse(up.Data, up.Name, subtitle.Options{MaxBytes: s.maxTrack, MediaDuration: time.Duration(rec.DurationMS) * time.Millisecond, MaxCues: s.limits.cues})
	if err != nil {
		return parsedTrack{}, subtitleErr(rec.ID, lang, err)
	}
	if err := s.checkCues(rec.ID, lang, len(cues)); err != nil {
		return parsedTrack{}, err
	}
	if !hasSpeakers(cues) {
		cues = s.borrowSpeakers(ctx, rec, lang, cues)
	}
	if err := s.checkTrackSpeakers(rec, lang, cues); err != nil {
		return parsedTrack{}, err
	}
	return parsedTrack{cues: cues, rep: rep}, nil
}

// provenance is the kind and source a track gets: the upload's, else the
// track's own, else the defaults.
func provenance(up TrackUpload, t Track, first bool) (Kind, Source) {
	return cmp.Or(up.Kind, t.Kind, defaultKind(first)), cmp.Or(up.Source, t.Source, SourceHuman)
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
func (s *Service) storeTrack(ctx context.Context, id, lang string, cues []subtitle.Cue, source []byte, set func(t *Track, first bool)) (Track, Track, []Warning, error) {
	var vtt bytes.Buffer
	if err := subtitle.WriteVTT(&vtt, cues); err != nil {
		return Track{}, Track{}, nil, fmt.Errorf("archive: write track %s/%s: %w", id, lang, err)
	}
	key := fmt.Sprintf("%s%s/tracks/%s.%s", recordingsPrefix, id, lang, newRev())
	if err := s.putSmall(ctx, key+".source", source, "application/octet-stream"); err != nil {
		return Track{}, Track{}, nil, err
	}
	if err := s.putSmall(ctx, key+".vtt", vtt.Bytes(), "text/vtt; charset=utf-8"); err != nil {
		s.removeOrphan(key + ".source")
		return Track{}, Track{}, nil, err
	}
	var old, stored Track
	held := []Warning{}
	_, _, err := s.change(ctx, id, "", func(r *Recording) error {
		i := slices.IndexFunc(r.Tracks, func(t Track) bool { return t.Lang == lang })
		t := Track{Lang: lang}
		old = Track{}
		if i >= 0 {
			t, old = r.Tracks[i], r.Tracks[i]
		}
		set(&t, len(r.Tracks) == 0)
		t.CueCount, t.Key, t.UpdatedAt = len(cues), key, s.now().UTC()
		t.SpeakerCues = cuesBySpeaker(cues)
		t.Version++
		if i >= 0 {
			r.Tracks[i] = t
		} else {
			r.Tracks = append(r.Tracks, t)
		}
		held = append(held[:0], addSpeakers(r, speakersOf(cues))...)
		if err := s.checkSpeakers(r); err != nil {
			return err
		}
		refreshLanguages(r)
		s.recount(ctx, r)
		stored = r.Tracks[slices.IndexFunc(r.Tracks, func(t Track) bool { return t.Lang == lang })]
		return nil
	})
	if err != nil {
		s.removeOrphan(key + ".source")
		s.removeOrphan(key + ".vtt")
		return Track{}, Track{}, nil, err
	}
	if old.Key != "" && old.Key != key {
		s.removeOrphan(old.Key + ".source")
		s.removeOrphan(old.Key + ".vtt")
	}
	return stored, old, held, nil
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
	rec, etag, tr, err := s.findTrack(ctx, who, id, lang)
	if err != nil {
		return Track{}, nil, err
	}
	if who.CanEdit() {
		cues, err := s.cuesOf(ctx, tr)
		return tr, fromSubtitle(cues), err
	}
	out, err := s.viewerCues(ctx, rec, etag, tr)
	if err != nil {
		return Track{}, nil, err
	}
	tr.Key, tr.SpeakerCues, tr.CueCount = "", nil, len(out)
	return tr, out, nil
}

// viewerCues is what viewers may see of a track now, from the viewer
// cache while it holds (see viewerCache).
func (s *Service) viewerCues(ctx context.Context, rec Recording, etag string, tr Track) ([]Cue, error) {
	now := s.now()
	key := viewerKey(rec, etag, tr)
	if out, ok := s.viewed.get(key, now); ok {
		return out, nil
	}
	cues, err := s.cuesOf(ctx, tr)
	if err == nil {
		cues, err = s.viewerSpeakers(ctx, rec, tr.Lang, cues)
	}
	if err != nil {
		return nil, err
	}
	v := newViewer(rec, now)
	out := v.cues(cues)
	s.viewed.put(key, out, now, v.next)
	return out, nil
}

// TrackSource returns the file exactly as the editor uploaded it (editors
// only: it may contain hidden speakers' words).
func (s *Service) TrackSource(ctx context.Context, who Principal, id, lang string) ([]byte, error) {
	if err := requireEditor(who, "track source"); err != nil {
		return nil, err
	}
	_, _, tr, err := s.findTrack(ctx, who, id, lang)
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
	write, err := s.Export(ctx, who, id, lang, format)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Export is ExportTrack for a response: every check is done and the cues
// are read when it returns, and write renders them straight to w, so the
// rendered file is never held whole in memory.
func (s *Service) Export(ctx context.Context, who Principal, id, lang, format string) (write func(w io.Writer) error, err error) {
	switch format {
	case FormatVTT, FormatSRT, FormatTTML, FormatText:
	default:
		return nil, fmtErr("export", id, ErrUnsupported, fmt.Sprintf("format %q is not vtt, srt, ttml or txt", format))
	}
	tr, cues, err := s.GetTrack(ctx, who, id, lang)
	if err != nil {
		return nil, err
	}
	sc := toSubtitle(cues)
	return func(w io.Writer) error {
		var err error
		switch format {
		case FormatVTT:
			err = subtitle.WriteVTT(w, sc)
		case FormatSRT:
			err = subtitle.WriteSRT(w, sc)
		case FormatTTML:
			err = subtitle.WriteTTML(w, sc, tr.Lang)
		case FormatText:
			err = subtitle.WriteText(w, sc)
		}
		if err != nil {
			return fmt.Errorf("archive: export %s/%s as %s: %w", id, lang, format, err)
		}
		return nil
	}, nil
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
	_, _, err = s.change(ctx, id, "", func(r *Recording) error {
		i := slices.IndexFunc(r.Tracks, func(t Track) bool { return t.Lang == lang })
		if i < 0 {
			return notFound("delete track", id+"/"+lang, msgNoTrack, nil)
		}
		gone = r.Tracks[i]
		r.Tracks = slices.Delete(r.Tracks, i, i+1)
		refreshLanguages(r)
		s.recount(ctx, r)
		return nil
	})
	if err != nil {
		return err
	}
	s.audit(ctx, who, id, AuditTrackDelete, lang, trackChanges(gone, Track{}))
	s.removeOrphan(gone.Key + ".source")
	s.removeOrphan(gone.Key + ".vtt")
	return nil
}

// findTrack loads the manifest (and its ETag) and the track's entry,
// checking visibility.
func (s *Service) findTrack(ctx context.Context, who Principal, id, lang string) (Recording, string, Track, error) {
	lang, err := canonicalLang(lang)
	if err != nil {
		return Recording{}, "", Track{}, err
	}
	rec, etag, err := s.load(ctx, id)
	if err != nil {
		return Recording{}, "", Track{}, err
	}
	if _, ok := visibleTo(who, rec, s.now()); !ok {
		return Recording{}, "", Track{}, notFound("track", id, msgNoRecording, nil)
	}
	i := slices.IndexFunc(rec.Tracks, func(t Track) bool { return t.Lang == lang })
	if i < 0 {
		return Recording{}, "", Track{}, notFound("track", id+"/"+lang, msgNoTrack, nil)
	}
	return rec, etag, rec.Tracks[i], nil
}

// readTrack returns the stored (unfiltered) cues of a track.
func (s *Service) readTrack(ctx context.Context, who Principal, id, lang string) (Recording, Track, []subtitle.Cue, error) {
	rec, _, tr, err := s.findTrack(ctx, who, id, lang)
	if err != nil {
		return Recording{}, Track{}, nil, err
	}
	cues, err := s.cuesOf(ctx, tr)
	return rec, tr, cues, err
}

// cuesOf returns a track's stored cues, parsed once per track key and
// then served from the cue cache.
func (s *Service) cuesOf(ctx context.Context, tr Track) ([]subtitle.Cue, error) {
	if cues, ok := s.cues.get(tr.Key); ok {
		return cues, nil
	}
	data, err := s.readSmall(ctx, tr.Key+".vtt")
	if err != nil {
		return nil, err
	}
	cues, _, err := subtitle.Parse(data, "track.vtt", subtitle.Options{MaxBytes: int64(len(data)) + 1})
	if err != nil {
		return nil, fmt.Errorf("archive: stored track %s is unreadable: %w", tr.Key, err)
	}
	s.cues.put(tr.Key, cues)
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

package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"github.com/verbatim-archive/verbatim/internal/media"
)

// MediaTools make what ffmpeg derives from a stored video
// (internal/clip's Cutter). Each writes a file at out; nothing reaches
// storage unless it succeeded.
type MediaTools interface {
	// Poster writes a JPEG of the frame at at, a few hundred pixels wide.
	Poster(ctx context.Context, in MediaInput, at time.Duration, out string) error
	// Faststart copies every stream of an MP4/QuickTime file, unchanged,
	// into one with its index (moov) first.
	Faststart(ctx context.Context, in MediaInput, out string) error
}

// MediaInput is a media object as a tool reads it: byte ranges of it.
type MediaInput struct {
	Size        int64
	ContentType string
	Open        func(ctx context.Context, offset, length int64) (io.ReadCloser, error)
}

// Poster is a recording's poster frame, taken from its video.
type Poster struct {
	Key   string `json:"key"`
	Size  int64  `json:"size"`
	ETag  string `json:"etag"`
	Media string `json:"media"` // the media key it was taken from
	Width int    `json:"width"`
	// Height of the JPEG, in pixels.
	Height int `json:"height"`
}

// ContentType of every poster.
const PosterType = "image/jpeg"

// MediaWorkPrefix holds one marker per uploaded video whose derived files
// (poster frame; for an MP4 with its index at the end, a faststart remux)
// are still to be made: pending/media/<id>/<media rev>.json. PutMedia
// writes it before the manifest points at the video; the media worker
// (Run) does the work off the request path, with ffmpeg, and removes it.
// After maxMediaAttempts failures it becomes <media rev>.failed, holding
// the last error, which the editors' list shows until new media replaces
// the video. Markers are kept without ffmpeg too: a server that has it
// does the work later.
const MediaWorkPrefix = "pending/media/"

// maxMediaAttempts is how often a media job is tried before it is left
// failed; mediaClaim is how long one worker holds a job before another
// may take it over (the job's ffmpeg runs under the tool's own timeout).
const (
	maxMediaAttempts = 3
	mediaClaim       = time.Hour
)

// mediaMarker is the body of a marker.
type mediaMarker struct {
	RecordingID  string    `json:"recording_id"`
	MediaKey     string    `json:"media_key"`
	At           time.Time `json:"at"` // written, just before the manifest points at the media
	Attempts     int       `json:"attempts"`
	Error        string    `json:"error,omitempty"`
	ClaimedUntil time.Time `json:"claimed_until,omitzero"`
}

// MediaWorkFailure is a recording whose derived media could not be made.
type MediaWorkFailure struct {
	MediaKey string // the video it was for; a failure for a replaced one is stale
	Error    string
}

func mediaMarkerKey(id, mediaKey, suffix string) string {
	rev := strings.TrimSuffix(path.Base(mediaKey), path.Ext(mediaKey))
	return MediaWorkPrefix + id + "/" + rev + suffix
}

// needsWork says what the worker would make for m: a poster for video,
// a faststart remux for an MP4 or QuickTime file with its index last.
func needsWork(m *Media, p *Poster) (poster, faststart bool) {
	if m == nil || m.Format == nil || !m.Format.HasVideo() {
		return false, false
	}
	poster = p == nil || p.Media != m.Key
	faststart = (m.Format.Container == "mp4" || m.Format.Container == "mov") && !m.Format.Faststart
	return poster, faststart
}

// beginMediaWork records that m needs derived files, before the manifest
// points at it; "" when it needs none.
func (s *Service) beginMediaWork(ctx context.Context, id string, m *Media) (string, error) {
	if p, f := needsWork(m, nil); !p && !f {
		return "", nil
	}
	key := mediaMarkerKey(id, m.Key, ".json")
	if err := s.putJSON(ctx, key, mediaMarker{RecordingID: id, MediaKey: m.Key, At: s.now().UTC()}, PutOptions{IfNoneMatch: true}); err != nil {
		return "", fmt.Errorf("archive: record media work of %s: %w", id, err)
	}
	return key, nil
}

// wakeMedia tells the worker there is new work, without waiting.
func (s *Service) wakeMedia() {
	select {
	case s.mediaWake <- struct{}{}:
	default:
	}
}

// DerivesMedia reports whether this Service makes posters and faststart
// remuxes (it has ffmpeg); pages say what was skipped when not.
func (s *Service) DerivesMedia() bool { return s.tools != nil }

// runMedia is the media worker: a pass over the markers at start, on
// every wake and every RetryEvery, until ctx ends.
func (s *Service) runMedia(ctx context.Context) {
	t := time.NewTicker(s.retryEvery)
	defer t.Stop()
	for {
		if err := s.ProcessMedia(ctx); err != nil && ctx.Err() == nil {
			s.log.Debug("archive: media work", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.mediaWake:
		}
	}
}

// ProcessMedia does the media work recorded in storage, one job at a time,
// and returns when none is left that this process may take (the worker
// calls it; tests call it to wait for the work). Without MediaTools it
// does nothing.
func (s *Service) ProcessMedia(ctx context.Context) error {
	if s.tools == nil {
		return nil
	}
	s.mediaMu.Lock()
	defer s.mediaMu.Unlock()
	lctx, cancel := context.WithTimeout(ctx, s.passTimeout)
	infos, err := s.blobs.List(lctx, MediaWorkPrefix)
	cancel()
	if err != nil {
		return fmt.Errorf("archive: list media work: %w", err)
	}
	for _, in := range infos {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !strings.HasSuffix(in.Key, ".json") {
			s.pass(ctx, func(ctx context.Context) { s.dropStaleFailure(ctx, in.Key) })
			continue
		}
		// Past the claim another process may take the job over anyway.
		jctx, cancel := context.WithTimeout(ctx, mediaClaim)
		err := s.mediaJob(jctx, in.Key)
		cancel()
		if err != nil {
			s.log.Warn("archive: media work failed", "marker", in.Key, "err", err)
		}
	}
	return nil
}

// mediaJob claims one marker and does its work. The error is the job's
// (already recorded in the marker).
func (s *Service) mediaJob(ctx context.Context, key string) error {
	var mk mediaMarker
	rc, info, err := s.blobs.Get(ctx, key, 0, -1)
	if errors.Is(err, ErrNotFound) {
		return nil // done by another process
	}
	if err != nil {
		return err
	}
	err = json.NewDecoder(io.LimitReader(rc, 64<<10)).Decode(&mk)
	rc.Close()
	if err != nil || !ValidID(mk.RecordingID) {
		s.log.Warn("archive: unreadable media work marker removed", "key", key, "err", err)
		return s.blobs.Delete(ctx, key)
	}
	if s.now().Before(mk.ClaimedUntil) {
		return nil // another process is on it
	}
	rec, _, err := s.load(ctx, mk.RecordingID)
	if errors.Is(err, ErrNotFound) || (err == nil && (rec.Media == nil || rec.Media.Key != mk.MediaKey)) {
		// The recording is gone or has other media — or the upload that
		// wrote the marker has not yet pointed the manifest at its media
		// (or failed to: then nothing will). Only an old marker is stale.
		if s.now().Sub(mk.At) < s.pendingGrace {
			return nil
		}
		return s.blobs.Delete(ctx, key)
	}
	if err != nil {
		return err
	}
	mk.ClaimedUntil = s.now().Add(mediaClaim)
	tag, err := s.putMarker(ctx, key, mk, info.ETag)
	if err != nil {
		if errors.Is(err, ErrPrecondition) {
			return nil // claimed by another process meanwhile
		}
		return err
	}
	jobErr := s.deriveMedia(ctx, rec)
	if jobErr == nil {
		return s.blobs.Delete(ctx, key)
	}
	if ctx.Err() != nil {
		return jobErr // shutting down: the claim lapses and another run retries
	}
	mk.Attempts++
	mk.Error = jobErr.Error()
	mk.ClaimedUntil = time.Time{}
	if mk.Attempts >= maxMediaAttempts {
		if err := s.putJSON(ctx, mediaMarkerKey(mk.RecordingID, mk.MediaKey, ".failed"), mk, PutOptions{}); err != nil {
			return errors.Join(jobErr, err)
		}
		return errors.Join(jobErr, s.blobs.Delete(ctx, key))
	}
	_, err = s.putMarker(ctx, key, mk, tag)
	return errors.Join(jobErr, err)
}

func (s *Service) putMarker(ctx context.Context, key string, mk mediaMarker, ifMatch string) (string, error) {
	data, _ := json.Marshal(mk)
	info, err := s.blobs.Put(ctx, key, bytes.NewReader(data), int64(len(data)), PutOptions{ContentType: "application/json", IfMatch: ifMatch})
	return info.ETag, err
}

// dropStaleFailure removes a failed marker whose video is gone or replaced.
func (s *Service) dropStaleFailure(ctx context.Context, key string) {
	id, _, _ := strings.Cut(strings.TrimPrefix(key, MediaWorkPrefix), "/")
	rec, _, err := s.load(ctx, id)
	if err == nil && rec.Media != nil && mediaMarkerKey(id, rec.Media.Key, ".failed") == key {
		return
	}
	if err == nil || errors.Is(err, ErrNotFound) {
		_ = s.blobs.Delete(ctx, key)
	}
}

// deriveMedia makes what rec's video still lacks and points the manifest
// at it: first the remux (kept only if it probes as the same recording
// with its index first), then the poster from whichever file is current.
// The manifest changes only if the video is still the one worked on; the
// objects it no longer points at are removed after.
func (s *Service) deriveMedia(ctx context.Context, rec Recording) error {
	id, cur := rec.ID, *rec.Media
	wantPoster, wantFast := needsWork(rec.Media, rec.Poster)
	dir, err := os.MkdirTemp("", "verbatim-media-")
	if err != nil {
		return fmt.Errorf("archive: media work of %s: %w", id, err)
	}
	defer os.RemoveAll(dir)
	in := s.mediaInput(cur)
	var remuxed *Media
	var errs []error
	if wantFast {
		m, err := s.remux(ctx, id, cur, in, dir)
		if err != nil {
			errs = append(errs, fmt.Errorf("faststart: %w", err))
		} else {
			remuxed, in = &m, fileInput(dir+"/fast", m)
		}
	}
	var poster *Poster
	if wantPoster {
		p, err := s.makePoster(ctx, id, cur, in, dir)
		if err != nil {
			errs = append(errs, fmt.Errorf("poster: %w", err))
		} else {
			poster = &p
		}
	}
	if remuxed == nil && poster == nil {
		return errors.Join(errs...)
	}
	var oldPoster string
	stale := errors.New("the video was replaced meanwhile")
	_, _, err = s.change(ctx, id, "", func(r *Recording) error {
		if r.Media == nil || r.Media.Key != cur.Key {
			return stale
		}
		oldPoster = ""
		if r.Poster != nil {
			oldPoster = r.Poster.Key
		}
		if remuxed != nil {
			m := *remuxed
			m.UploadedAt = r.Media.UploadedAt
			r.Media = &m
			if r.Poster != nil && r.Poster.Media == cur.Key {
				r.Poster.Media = m.Key // the same frames
			}
		}
		if poster != nil {
			p := *poster
			p.Media = r.Media.Key
			r.Poster = &p
		}
		return nil
	})
	if err != nil {
		if remuxed != nil {
			s.removeOrphan(remuxed.Key)
		}
		if poster != nil {
			s.removeOrphan(poster.Key)
		}
		if errors.Is(err, stale) {
			return nil // the new video has its own marker
		}
		return errors.Join(append(errs, err)...)
	}
	worker := Principal{Name: "verbatim (media worker)"}
	if remuxed != nil {
		s.audit(ctx, worker, id, AuditMediaWork, "faststart", []AuditChange{
			{Field: "faststart", Before: "false", After: "true"},
			{Field: "size", Before: fmt.Sprint(cur.Size), After: fmt.Sprint(remuxed.Size)},
			{Field: "sha256", Before: cur.SHA256, After: remuxed.SHA256},
		})
		s.removeOrphan(cur.Key)
	}
	if poster != nil {
		s.audit(ctx, worker, id, AuditMediaWork, "poster", []AuditChange{{Field: "poster", Before: oldPoster, After: poster.Key}})
		if oldPoster != "" && oldPoster != poster.Key {
			s.removeOrphan(oldPoster)
		}
	}
	return errors.Join(errs...)
}

// remux makes the faststart copy of cur in dir/fast, checks it, and
// stores it under a new media key (not yet in the manifest).
func (s *Service) remux(ctx context.Context, id string, cur Media, in MediaInput, dir string) (Media, error) {
	out := dir + "/fast"
	if err := s.tools.Faststart(ctx, in, out); err != nil {
		return Media{}, err
	}
	f, err := os.Open(out)
	if err != nil {
		return Media{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Media{}, err
	}
	info, err := media.Probe(ctx, f, fi.Size(), media.Limits{})
	if err != nil {
		return Media{}, fmt.Errorf("the remuxed file does not probe: %w", err)
	}
	if !info.Faststart || info.Container != cur.Format.Container || info.VideoCodec != cur.Format.VideoCodec ||
		info.AudioCodec != cur.Format.AudioCodec || absMS(info.DurationMS-cur.Format.DurationMS) > 1000 {
		return Media{}, fmt.Errorf("the remuxed file is not the same recording with its index first (%+v, was %+v)", info, *cur.Format)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Media{}, err
	}
	key := recordingsPrefix + id + "/media/" + newRev() + path.Ext(cur.Key)
	h := sha256.New()
	bi, err := s.blobs.Put(ctx, key, io.TeeReader(f, h), fi.Size(), PutOptions{ContentType: "application/octet-stream", IfNoneMatch: true})
	if err != nil {
		s.removeOrphan(key)
		return Media{}, fmt.Errorf("store: %w", err)
	}
	return Media{Key: key, ContentType: cur.ContentType, Size: bi.Size, ETag: bi.ETag,
		SHA256: hex.EncodeToString(h.Sum(nil)), Format: &info}, nil
}

// makePoster takes the frame at a tenth of the video (at most ten
// minutes in), checks it decodes, and stores it under a new key.
func (s *Service) makePoster(ctx context.Context, id string, cur Media, in MediaInput, dir string) (Poster, error) {
	at := min(cur.Format.Duration()/10, 10*time.Minute)
	out := dir + "/poster.jpg"
	if err := s.tools.Poster(ctx, in, at, out); err != nil {
		return Poster{}, err
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return Poster{}, err
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Poster{}, fmt.Errorf("the frame is not a JPEG: %w", err)
	}
	key := recordingsPrefix + id + "/poster-" + newRev() + ".jpg"
	bi, err := s.blobs.Put(ctx, key, bytes.NewReader(data), int64(len(data)), PutOptions{ContentType: PosterType, IfNoneMatch: true})
	if err != nil {
		s.removeOrphan(key)
		return Poster{}, fmt.Errorf("store: %w", err)
	}
	return Poster{Key: key, Size: bi.Size, ETag: bi.ETag, Width: cfg.Width, Height: cfg.Height}, nil
}

func absMS(d int64) int64 {
	if d < 0 {
		return -d
	}
	return d
}

// mediaInput reads a stored media object.
func (s *Service) mediaInput(m Media) MediaInput {
	return MediaInput{Size: m.Size, ContentType: m.ContentType, Open: func(ctx context.Context, off, n int64) (io.ReadCloser, error) {
		return s.openRange(ctx, m.Key, off, n)
	}}
}

// fileInput reads a local file as the media m.
func fileInput(name string, m Media) MediaInput {
	return MediaInput{Size: m.Size, ContentType: m.ContentType, Open: func(ctx context.Context, off, n int64) (io.ReadCloser, error) {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			n = m.Size - off
		}
		return struct {
			io.Reader
			io.Closer
		}{io.NewSectionReader(f, off, n), f}, nil
	}}
}

// MediaFailures lists the recordings whose media work failed for good
// (until new media replaces the video), for the editors' list.
func (s *Service) MediaFailures(ctx context.Context, who Principal) (map[string]MediaWorkFailure, error) {
	if err := requireEditor(who, "media work"); err != nil {
		return nil, err
	}
	infos, err := s.blobs.List(ctx, MediaWorkPrefix)
	if err != nil {
		return nil, fmt.Errorf("archive: list media work: %w", err)
	}
	out := map[string]MediaWorkFailure{}
	for _, in := range infos {
		if !strings.HasSuffix(in.Key, ".failed") || len(out) >= maxListedFailures {
			continue
		}
		var mk mediaMarker
		if err := s.getJSON(ctx, in.Key, &mk); err != nil {
			continue
		}
		out[mk.RecordingID] = MediaWorkFailure{MediaKey: mk.MediaKey, Error: mk.Error}
	}
	return out, nil
}

// maxListedFailures bounds the failed markers one listing reads.
const maxListedFailures = 100

// PosterSource returns the recording's poster frame as who may see it
// (viewers: of a recording they may see), and a way to read ranges of it.
// A poster key is never reused for other bytes.
func (s *Service) PosterSource(ctx context.Context, who Principal, id string) (Poster, func(ctx context.Context, offset, length int64) (io.ReadCloser, error), error) {
	rec, err := s.mediaRecording(ctx, id)
	if err != nil {
		return Poster{}, nil, err
	}
	if _, ok := visibleTo(who, rec, s.now()); !ok {
		return Poster{}, nil, notFound("poster", id, msgNoRecording, nil)
	}
	if rec.Poster == nil {
		return Poster{}, nil, notFound("poster", id, "the recording has no poster frame", nil)
	}
	key := rec.Poster.Key
	return *rec.Poster, func(ctx context.Context, off, n int64) (io.ReadCloser, error) {
		rc, err := s.openRange(ctx, key, off, n)
		if err != nil {
			return nil, fmt.Errorf("archive: poster of %s: %w", id, err)
		}
		return rc, nil
	}, nil
}

// PosterVersion names a poster's bytes in its URL (?v=), so pages can let
// browsers keep it: a new poster gets a new version. "" for none.
func PosterVersion(p *Poster) string {
	if p == nil {
		return ""
	}
	v := strings.Trim(p.ETag, `"`)
	if len(v) > 16 {
		v = v[:16]
	}
	return v
}

// MediaWorkState is where a recording's media work stands.
type MediaWorkState struct {
	Poster, Faststart bool   // still to be made for the current video
	Pending           bool   // a marker waits for a worker
	Failed            string // the last error, once given up ("" otherwise)
}

// MediaWork says what rec's current video still lacks and whether a
// worker will make it, for the editor's page.
func (s *Service) MediaWork(ctx context.Context, who Principal, rec Recording) (MediaWorkState, error) {
	if err := requireEditor(who, "media work"); err != nil {
		return MediaWorkState{}, err
	}
	var st MediaWorkState
	st.Poster, st.Faststart = needsWork(rec.Media, rec.Poster)
	if !st.Poster && !st.Faststart {
		return st, nil
	}
	infos, err := s.blobs.List(ctx, MediaWorkPrefix+rec.ID+"/")
	if err != nil {
		return st, fmt.Errorf("archive: media work of %s: %w", rec.ID, err)
	}
	for _, in := range infos {
		switch in.Key {
		case mediaMarkerKey(rec.ID, rec.Media.Key, ".json"):
			st.Pending = true
		case mediaMarkerKey(rec.ID, rec.Media.Key, ".failed"):
			var mk mediaMarker
			if err := s.getJSON(ctx, in.Key, &mk); err == nil {
				st.Failed = mk.Error
			}
		}
	}
	return st, nil
}

package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// MediaUpload describes an incoming media body.
type MediaUpload struct {
	Name        string // file name the editor gave; only its extension is kept
	ContentType string
	Size        int64 // -1 when unknown
	Body        io.Reader
}

// PutMedia streams the body to a fresh object under recordings/<id>/media/,
// checks from its content that it is a recording Verbatim keeps (see
// media.Probe; the name and the declared type are not trusted), then
// points the manifest at it with the probe's description, the recording's
// duration taken from it. The manifest is written last: if the probe
// refuses the file or the write fails, the new object is removed again, so
// no recording ever points at a missing or unchecked object and the
// previous media stays in place until replaced.
func (s *Service) PutMedia(ctx context.Context, who Principal, id string, up MediaUpload) (Media, error) {
	if err := requireEditor(who, "put media"); err != nil {
		return Media{}, err
	}
	if _, _, err := s.load(ctx, id); err != nil {
		return Media{}, err
	}
	key := recordingsPrefix + id + "/media/" + newRev() + mediaExt(up.Name, up.ContentType)
	h := sha256.New()
	// Until the probe has looked, the object is stored as opaque bytes,
	// whatever the client declared.
	info, err := s.blobs.Put(ctx, key, io.TeeReader(up.Body, h), up.Size, PutOptions{ContentType: "application/octet-stream", IfNoneMatch: true})
	if err != nil {
		s.removeOrphan(key)
		return Media{}, fmt.Errorf("archive: store media of %s: %w", id, err)
	}
	format, err := s.probeMedia(ctx, id, key, info.Size)
	if err != nil {
		s.removeOrphan(key)
		return Media{}, err
	}
	ct, _ := mediaType(format)
	m := Media{
		Key: key, ContentType: ct, Size: info.Size, ETag: info.ETag,
		SHA256: hex.EncodeToString(h.Sum(nil)), UploadedAt: s.now().UTC(), Format: &format,
	}
	dur := format.Duration()
	if dur <= 0 {
		dur = s.probe(ctx, key) // ffprobe, for files whose headers carry no duration
	}
	work, err := s.beginMediaWork(ctx, id, &m)
	if err != nil {
		s.removeOrphan(key)
		return Media{}, err
	}
	var old *Media
	var oldPoster *Poster
	_, _, err = s.change(ctx, id, "", func(r *Recording) error {
		old, oldPoster = r.Media, r.Poster
		r.Media, r.Poster = &m, nil // the new video gets its own poster
		if dur > 0 {
			r.DurationMS = dur.Milliseconds()
		}
		return nil
	})
	if err != nil {
		s.removeOrphan(key)
		if work != "" {
			s.dropMark(ctx, work)
		}
		return Media{}, err
	}
	ch := []AuditChange{{Field: "size", After: fmt.Sprint(m.Size)}, {Field: "content_type", After: m.ContentType}, {Field: "sha256", After: m.SHA256}}
	if old != nil {
		ch[0].Before, ch[1].Before, ch[2].Before = fmt.Sprint(old.Size), old.ContentType, old.SHA256
	}
	s.audit(ctx, who, id, AuditMedia, up.Name, ch)
	if old != nil && old.Key != key {
		s.removeOrphan(old.Key)
	}
	if oldPoster != nil {
		s.removeOrphan(oldPoster.Key)
	}
	if work != "" {
		s.wakeMedia()
	}
	return m, nil
}

// removeOrphan deletes an object no manifest points at. It runs even when
// the request's context is cancelled (the usual reason for the failure).
func (s *Service) removeOrphan(key string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.blobs.Delete(ctx, key); err != nil {
		s.log.Warn("archive: orphaned object left behind", "key", key, "err", err)
	}
}

func (s *Service) probe(ctx context.Context, key string) time.Duration {
	if s.prober == nil {
		return 0
	}
	rc, _, err := s.blobs.Get(ctx, key, 0, -1)
	if err != nil {
		return 0
	}
	defer rc.Close()
	d, err := s.prober.Duration(ctx, rc)
	if err != nil {
		s.log.Info("archive: media duration unknown", "key", key, "err", err)
		return 0
	}
	return d
}

// MediaInfo returns the recording's media description for who.
func (s *Service) MediaInfo(ctx context.Context, who Principal, id string) (Media, error) {
	rec, err := s.mediaRecording(ctx, id)
	if err != nil {
		return Media{}, err
	}
	if _, ok := visibleTo(who, rec, s.now()); !ok {
		return Media{}, notFound("media", id, msgNoRecording, nil)
	}
	if rec.Media == nil {
		return Media{}, notFound("media", id, msgNoMedia, nil)
	}
	return *rec.Media, nil
}

// OpenMedia opens length bytes of the media from offset (length < 0: to
// the end). Only that range is read from storage.
func (s *Service) OpenMedia(ctx context.Context, who Principal, id string, offset, length int64) (io.ReadCloser, Media, error) {
	src, err := s.MediaSource(ctx, who, id)
	if err != nil {
		return nil, Media{}, err
	}
	rc, err := src.Open(ctx, offset, length)
	if err != nil {
		return nil, Media{}, err
	}
	return rc, src.Media, nil
}

// MediaSource is a recording's media as one principal may read it: its
// description, and ranges of it opened without reading the manifest again.
// It holds the outcome of one access check, so it is meant for the request
// that made it, never to be kept.
type MediaSource struct {
	Media
	s  *Service
	id string
}

// MediaSource checks once that who may see the media; a server answers a
// range request with one check this way instead of one for the headers
// and one more for the body. The check stats the manifest and reads it
// only when it changed since this process last did (see mediaCache).
func (s *Service) MediaSource(ctx context.Context, who Principal, id string) (MediaSource, error) {
	m, err := s.MediaInfo(ctx, who, id)
	if err != nil {
		return MediaSource{}, err
	}
	return MediaSource{Media: m, s: s, id: id}, nil
}

// Open opens length bytes from offset (length < 0: to the end). Media
// objects are never rewritten in place (every upload gets a new key), so
// the description read with the manifest still describes these bytes.
func (m MediaSource) Open(ctx context.Context, offset, length int64) (io.ReadCloser, error) {
	if m.s == nil {
		return nil, notFound("media", m.id, msgNoMedia, nil)
	}
	var rc io.ReadCloser
	var err error
	if ro, ok := m.s.blobs.(rangeOpener); ok {
		rc, err = ro.OpenRange(ctx, m.Key, offset, length)
	} else {
		rc, _, err = m.s.blobs.Get(ctx, m.Key, offset, length)
	}
	if err != nil {
		return nil, fmt.Errorf("archive: media of %s: %w", m.id, err)
	}
	return rc, nil
}

// loadForMedia reads the current manifest, as load does but without its
// ETag: with a store that can open an object without its metadata this
// spares the sidecar and the key's lock on every media request (a manifest
// is replaced by rename, so the open sees one whole version).
func (s *Service) loadForMedia(ctx context.Context, id string) (Recording, error) {
	ro, ok := s.blobs.(rangeOpener)
	if !ok {
		rec, _, err := s.load(ctx, id)
		return rec, err
	}
	if err := checkID("load", id); err != nil {
		return Recording{}, err
	}
	rc, err := ro.OpenRange(ctx, manifestKey(id), 0, -1)
	if err != nil {
		return Recording{}, manifestErr(id, err)
	}
	return readManifest(rc, id, MaxManifestRead)
}

// rangeOpener is a store that can open a byte range without reading the
// object's metadata (internal/disk). Media needs none: the manifest
// describes it, and a media key is never reused for other bytes.
type rangeOpener interface {
	OpenRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)
}

// PresignMedia returns a short-lived direct URL for the media when the
// store can make one; otherwise an error wrapping ErrUnsupported.
func (s *Service) PresignMedia(ctx context.Context, who Principal, id string, ttl time.Duration) (string, error) {
	p, ok := s.blobs.(Presigner)
	if !ok {
		return "", fmtErr("presign", id, ErrUnsupported, "the store cannot presign")
	}
	m, err := s.MediaInfo(ctx, who, id)
	if err != nil {
		return "", err
	}
	u, err := p.PresignGet(ctx, m.Key, ttl)
	if err != nil {
		return "", fmt.Errorf("archive: presign media of %s: %w", id, err)
	}
	return u, nil
}

// mediaExt keeps the uploaded name's extension when it is one of the
// containers the probe accepts, or derives one from the declared type; the
// stored object's name is cosmetic (what it is served as comes from the
// probe), but never suggests another kind of file.
func mediaExt(name, contentType string) string {
	ext := strings.ToLower(path.Ext(path.Base(strings.ReplaceAll(name, "\\", "/"))))
	switch ext {
	case ".mp4", ".m4v", ".m4a", ".mov", ".webm", ".mkv", ".mka":
		return ext
	}
	ct, _, _ := strings.Cut(contentType, ";")
	switch strings.TrimSpace(strings.ToLower(ct)) {
	case "video/mp4":
		return ".mp4"
	case "video/webm", "audio/webm":
		return ".webm"
	case "video/quicktime":
		return ".mov"
	case "audio/mp4":
		return ".m4a"
	case "video/x-matroska":
		return ".mkv"
	}
	return ".bin"
}

// playable reports whether a declared content type is audio or video.
func playable(contentType string) bool {
	ct, _, _ := strings.Cut(strings.ToLower(contentType), ";")
	ct = strings.TrimSpace(ct)
	return strings.HasPrefix(ct, "video/") || strings.HasPrefix(ct, "audio/") || ct == "application/ogg"
}

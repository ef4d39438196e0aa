package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"reflect"
)

// ImportManifest is the small manifest.json an import directory holds:
// recordings with their metadata, a media file and subtitle files, paths
// relative to the manifest's directory (media also under media/).
type ImportManifest struct {
	Recordings []ImportRecording `json:"recordings"`
}

// ImportRecording is one recording of an ImportManifest.
type ImportRecording struct {
	RecordingInput
	Media  string        `json:"media"`
	Tracks []ImportTrack `json:"tracks"`
}

// ImportTrack is one subtitle file of an ImportRecording.
type ImportTrack struct {
	Lang   string `json:"lang"`
	File   string `json:"file"`
	Kind   Kind   `json:"kind"`
	Source Source `json:"source"`
}

// errUnchanged stops an update that would write the same manifest again.
var errUnchanged = errors.New("unchanged")

// Import reads manifest.json from fsys and brings each recording in storage
// up to date with it: created when missing, metadata, media and tracks
// replaced only when they differ, so importing twice changes nothing the
// second time. progress, if not nil, hears one line per step.
func (s *Service) Import(ctx context.Context, who Principal, fsys fs.FS, progress func(string)) error {
	if err := requireEditor(who, "import"); err != nil {
		return err
	}
	say := func(format string, a ...any) {
		if progress != nil {
			progress(fmt.Sprintf(format, a...))
		}
	}
	data, err := fs.ReadFile(fsys, "manifest.json")
	if err != nil {
		return fmt.Errorf("archive: import: %w: %w", ErrInvalid, err)
	}
	var m ImportManifest
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("archive: import: manifest.json: %w: %w", ErrInvalid, err)
	}
	for _, ir := range m.Recordings {
		if err := s.importOne(ctx, who, fsys, ir, say); err != nil {
			return fmt.Errorf("archive: import %s: %w", ir.ID, err)
		}
	}
	return nil
}

func (s *Service) importOne(ctx context.Context, who Principal, fsys fs.FS, ir ImportRecording, say func(string, ...any)) error {
	if ir.ID == "" {
		return fmtErr("import", "", ErrInvalid, "every recording in manifest.json needs an id")
	}
	if err := s.importMetadata(ctx, who, ir.RecordingInput, say); err != nil {
		return err
	}
	if ir.Media != "" {
		if err := s.importMedia(ctx, who, fsys, ir.ID, ir.Media, say); err != nil {
			return err
		}
	}
	for _, t := range ir.Tracks {
		if err := s.importTrack(ctx, who, fsys, ir.ID, t, say); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) importMetadata(ctx context.Context, who Principal, in RecordingInput, say func(string, ...any)) error {
	_, _, err := s.load(ctx, in.ID)
	if errors.Is(err, ErrNotFound) {
		if _, _, err := s.Create(ctx, who, in); err != nil {
			return err
		}
		say("%s: created", in.ID)
		return nil
	}
	if err != nil {
		return err
	}
	_, _, err = s.change(ctx, in.ID, "", func(r *Recording) error {
		before := *r
		before.Speakers = append([]Speaker(nil), r.Speakers...)
		r.Title, r.Event, r.Date, r.Place, r.Description = in.Title, in.Event, in.Date, in.Place, in.Description
		r.MetadataLang = in.MetadataLang
		r.Sample = in.Sample
		if in.Status != "" {
			r.Status = in.Status
		}
		if in.DurationMS > 0 {
			r.DurationMS = in.DurationMS
		}
		r.Speakers = mergeSpeakers(in.Speakers, r.Speakers)
		if err := s.normalize(r); err != nil {
			return err
		}
		if reflect.DeepEqual(before, *r) {
			return errUnchanged
		}
		return nil
	})
	if errors.Is(err, errUnchanged) {
		say("%s: metadata unchanged", in.ID)
		return nil
	}
	if err != nil {
		return err
	}
	say("%s: metadata updated", in.ID)
	return nil
}

// mergeSpeakers keeps the manifest's speakers (by id) and, after them, the
// ones found in tracks since.
func mergeSpeakers(want, have []Speaker) []Speaker {
	out := append([]Speaker{}, want...)
	ids := map[string]bool{}
	for _, sp := range want {
		ids[sp.ID] = true
		ids[Slug(sp.Name, 80)] = true
	}
	for _, sp := range have {
		if !ids[sp.ID] {
			out = append(out, sp)
		}
	}
	return out
}

func (s *Service) importMedia(ctx context.Context, who Principal, fsys fs.FS, id, name string, say func(string, ...any)) error {
	p, err := findFile(fsys, name, "media")
	if err != nil {
		return err
	}
	sum, size, err := hashFile(fsys, p)
	if err != nil {
		return err
	}
	if cur, err := s.MediaInfo(ctx, who, id); err == nil && cur.SHA256 == sum && cur.Size == size {
		say("%s: media unchanged", id)
		return nil
	}
	f, err := fsys.Open(p)
	if err != nil {
		return fmt.Errorf("archive: import media: %w", err)
	}
	defer f.Close()
	m, err := s.PutMedia(ctx, who, id, MediaUpload{Name: p, ContentType: contentTypeByExt(p), Size: size, Body: f})
	if err != nil {
		return err
	}
	say("%s: media %s stored (%d bytes)", id, path.Base(p), m.Size)
	return nil
}

func (s *Service) importTrack(ctx context.Context, who Principal, fsys fs.FS, id string, t ImportTrack, say func(string, ...any)) error {
	data, err := fs.ReadFile(fsys, path.Clean(t.File))
	if err != nil {
		return fmt.Errorf("archive: import track %s: %w: %w", t.Lang, ErrInvalid, err)
	}
	if _, _, tr, err := s.findTrack(ctx, who, id, t.Lang); err == nil && (t.Kind == "" || t.Kind == tr.Kind) && (t.Source == "" || t.Source == tr.Source) {
		if old, err := s.readSmall(ctx, tr.Key+".source"); err == nil && bytes.Equal(old, data) {
			say("%s: track %s unchanged", id, tr.Lang)
			return nil
		}
	}
	res, err := s.PutTrack(ctx, who, id, TrackUpload{Lang: t.Lang, Name: path.Base(t.File), Data: data, Kind: t.Kind, Source: t.Source})
	if err != nil {
		return err
	}
	say("%s: track %s stored (%d cues, %d warnings)", id, res.Track.Lang, res.Track.CueCount, len(res.Warnings))
	return nil
}

// findFile looks for name in the manifest's directory, then under dir.
func findFile(fsys fs.FS, name, dir string) (string, error) {
	for _, p := range []string{path.Clean(name), path.Join(dir, name)} {
		if _, err := fs.Stat(fsys, p); err == nil {
			return p, nil
		}
	}
	return "", fmtErr("import", "", ErrInvalid, fmt.Sprintf("file %q not found (looked beside manifest.json and in %s/)", name, dir))
}

func hashFile(fsys fs.FS, p string) (string, int64, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return "", 0, fmt.Errorf("archive: import: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("archive: import: read %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

func contentTypeByExt(p string) string {
	switch path.Ext(p) {
	case ".webm":
		return "video/webm"
	case ".mp4", ".m4v":
		return "video/mp4"
	case ".mp3":
		return "audio/mpeg"
	case ".m4a":
		return "audio/mp4"
	case ".ogg", ".oga":
		return "audio/ogg"
	case ".ogv":
		return "video/ogg"
	}
	return "application/octet-stream"
}

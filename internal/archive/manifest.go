package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

const recordingsPrefix = "recordings/"

var idPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$`)

// ValidID reports whether id is a recording slug: [a-z0-9-], 1–80
// characters, not starting or ending with a hyphen.
func ValidID(id string) bool { return idPattern.MatchString(id) }

func checkID(op, id string) error {
	if !ValidID(id) {
		return fmtErr(op, fmt.Sprintf("%q", id), ErrInvalid, "a recording id is 1-80 characters of a-z, 0-9 and '-'")
	}
	return nil
}

func manifestKey(id string) string { return recordingsPrefix + id + "/manifest.json" }

// load reads a manifest and the ETag of the object that holds it.
func (s *Service) load(ctx context.Context, id string) (Recording, string, error) {
	if err := checkID("load", id); err != nil {
		return Recording{}, "", err
	}
	rc, info, err := s.blobs.Get(ctx, manifestKey(id), 0, -1)
	if err != nil {
		return Recording{}, "", manifestErr(id, err)
	}
	rec, err := readManifest(rc, id)
	return rec, info.ETag, err
}

// manifestErr is a failed manifest read: a missing one is the archive's
// one "recording not found", the store's words only in the log.
func manifestErr(id string, err error) error {
	if errors.Is(err, ErrNotFound) {
		return notFound("load", id, msgNoRecording, err)
	}
	return fmt.Errorf("archive: recording %s: %w", id, err)
}

// maxManifest bounds what a manifest read takes into memory.
const maxManifest = 16 << 20

// readManifest decodes (and closes) an opened manifest.
func readManifest(rc io.ReadCloser, id string) (Recording, error) {
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxManifest))
	if err != nil {
		return Recording{}, fmt.Errorf("archive: read manifest %s: %w", id, err)
	}
	var rec Recording
	if err := json.Unmarshal(data, &rec); err != nil {
		return Recording{}, fmt.Errorf("archive: decode manifest %s: %w", id, err)
	}
	return rec, nil
}

// save writes the manifest conditionally: etag "" creates (fails if it
// exists), otherwise it replaces only the object with that ETag. A lost race
// comes back as ErrPrecondition.
func (s *Service) save(ctx context.Context, rec Recording, etag string) (string, error) {
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return "", fmt.Errorf("archive: encode manifest %s: %w", rec.ID, err)
	}
	opts := PutOptions{ContentType: "application/json", IfMatch: etag, IfNoneMatch: etag == ""}
	info, err := s.blobs.Put(ctx, manifestKey(rec.ID), bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		return "", fmt.Errorf("archive: write manifest %s: %w", rec.ID, err)
	}
	return info.ETag, nil
}

// update applies fn to the current manifest and writes it back, bumping the
// version. With ifMatch set the caller's ETag must still be current
// (ErrPrecondition otherwise). Without it, a concurrent writer makes update
// reload and apply fn again, so fn must be repeatable.
func (s *Service) update(ctx context.Context, id, ifMatch string, fn func(*Recording) error) (Recording, string, error) {
	for attempt := 0; ; attempt++ {
		rec, etag, err := s.load(ctx, id)
		if err != nil {
			return Recording{}, "", err
		}
		if ifMatch != "" && ifMatch != etag {
			return Recording{}, "", fmtErr("update", id, ErrPrecondition, "the recording changed since it was read (ETag mismatch)")
		}
		if err := fn(&rec); err != nil {
			return Recording{}, "", err
		}
		rec.Version++
		rec.UpdatedAt = s.now().UTC()
		newTag, err := s.save(ctx, rec, etag)
		if err == nil {
			return rec, newTag, nil
		}
		if ifMatch != "" || !errors.Is(err, ErrPrecondition) || attempt >= 4 {
			return Recording{}, "", err
		}
	}
}

// listIDs returns the ids of every stored recording.
func (s *Service) listIDs(ctx context.Context) ([]string, error) {
	infos, err := s.blobs.List(ctx, recordingsPrefix)
	if err != nil {
		return nil, fmt.Errorf("archive: list recordings: %w", err)
	}
	var ids []string
	for _, in := range infos {
		rest, ok := strings.CutPrefix(in.Key, recordingsPrefix)
		if !ok {
			continue
		}
		if id, ok := strings.CutSuffix(rest, "/manifest.json"); ok && !strings.Contains(id, "/") {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"regexp"
	"strings"
	"time"
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

// load reads a manifest and the ETag of the object that holds it, as
// anonymous reads may: at most MaxManifestRead bytes.
func (s *Service) load(ctx context.Context, id string) (Recording, string, error) {
	return s.loadLimit(ctx, id, MaxManifestRead)
}

// loadFor reads a manifest for who: editors accept manifests up to
// maxManifestEditor, so one written before the budgets can be fixed.
func (s *Service) loadFor(ctx context.Context, who Principal, id string) (Recording, string, error) {
	if who.CanEdit() {
		return s.loadLimit(ctx, id, maxManifestEditor)
	}
	return s.load(ctx, id)
}

func (s *Service) loadLimit(ctx context.Context, id string, limit int64) (Recording, string, error) {
	if err := checkID("load", id); err != nil {
		return Recording{}, "", err
	}
	rc, info, err := s.blobs.Get(ctx, manifestKey(id), 0, -1)
	if err != nil {
		return Recording{}, "", manifestErr(id, err)
	}
	if info.Size > limit {
		rc.Close()
		return Recording{}, "", manifestTooLarge(id, info.Size, limit)
	}
	rec, err := readManifest(rc, id, limit)
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

// errManifestTooLarge marks a stored manifest over a reader's limit (one
// written before the manifest budget existed).
var errManifestTooLarge = errors.New("archive: stored manifest over the read limit")

func manifestTooLarge(id string, size, limit int64) error {
	what := "more than"
	if size >= 0 {
		what = fmt.Sprintf("%d bytes,", size)
	}
	return fmt.Errorf("%w: %w", errManifestTooLarge, fmtErr("read manifest", id, ErrTooLarge, fmt.Sprintf("the stored manifest is %s over the %d bytes readers accept; an editor can still read, fix or delete it", what, limit)))
}

// readManifest decodes (and closes) an opened manifest of at most limit
// bytes.
func readManifest(rc io.ReadCloser, id string, limit int64) (Recording, error) {
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return Recording{}, fmt.Errorf("archive: read manifest %s: %w", id, err)
	}
	if int64(len(data)) > limit {
		return Recording{}, manifestTooLarge(id, -1, limit)
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
	if n := int64(len(data)); n > s.limits.manifest {
		return "", fmtErr("write", rec.ID, ErrTooLarge, fmt.Sprintf("the manifest would be %d bytes, the limit is %d (VERBATIM_MAX_MANIFEST); remove speakers, tracks or description text", n, s.limits.manifest))
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
// reload and apply fn again, so fn must be repeatable: the caller sent no
// condition, so it never gets a condition's failure. After a jittered pause
// that grows with each lost race, it tries up to maxUpdateAttempts times;
// a write that still loses is ErrConflict, saying so.
func (s *Service) update(ctx context.Context, id, ifMatch string, fn func(*Recording) error) (Recording, string, error) {
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if err := backoff(ctx, attempt); err != nil {
				return Recording{}, "", fmt.Errorf("archive: update %s: %w", id, err)
			}
		}
		rec, etag, err := s.loadLimit(ctx, id, maxManifestEditor)
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
		if ifMatch != "" || !errors.Is(err, ErrPrecondition) {
			return Recording{}, "", err
		}
		if attempt+1 >= maxUpdateAttempts {
			// The cause stays out of the chain: this is a conflict, not the
			// precondition the caller never set.
			return Recording{}, "", &Error{Kind: ErrConflict, Where: fmt.Sprintf("archive: update %s (last: %v)", id, err),
				Message: fmt.Sprintf("the recording kept changing: other writes came first %d times; try again", maxUpdateAttempts)}
		}
	}
}

// maxUpdateAttempts bounds how often update retries a write that lost the
// race for the manifest to another writer.
const maxUpdateAttempts = 20

// backoff waits before retry attempt n (n ≥ 1): a random time up to
// 1ms·2ⁿ, at most 100ms, so that writers that collided spread out.
func backoff(ctx context.Context, n int) error {
	ceiling := min(time.Millisecond<<min(n, 10), 100*time.Millisecond)
	t := time.NewTimer(time.Duration(mrand.Int64N(int64(ceiling)) + 1))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
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

// Package check verifies that the object store is consistent with the
// manifests that describe it, and optionally removes what no manifest
// refers to.
//
// The archive writes a recording's objects first and its manifest last, so
// a crash (a SIGKILL during an upload, a store that went away) leaves at
// worst objects no manifest points at: orphans. They waste space but are
// harmless, and Run with Clean removes them. The opposite — a manifest that
// points at a missing object — must never happen; Run reports it as a
// problem and never "repairs" it, because only an editor can say what the
// recording should point at instead.
package check

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

const (
	recordingsPrefix = "recordings/"
	manifestName     = "manifest.json"
	posterName       = "poster.jpg"
	maxManifest      = 16 << 20
)

// DefaultMinAge is how old an orphan must be before Clean removes it. A
// younger one may belong to an upload still in progress in a running
// server, whose manifest is about to be written.
const DefaultMinAge = time.Hour

// DefaultStaleTemp is how long a temporary file must have gone untouched to
// count as left behind. A write in progress touches its file with every
// chunk, and the server cuts a body that stalls for its idle timeout (20s
// by default), so a minute of silence means the writer is gone.
const DefaultStaleTemp = time.Minute

// Options tune a check.
type Options struct {
	// Clean removes orphans older than MinAge (and, on stores that keep
	// them, temporary files older than MinAge left by crashed writers).
	Clean bool
	// MinAge protects uploads in progress; 0 means DefaultMinAge. A
	// negative value removes orphans of any age (only safe when no server
	// is writing to the store).
	MinAge time.Duration
	// UploadExpiry is how long an unfinished resumable upload is kept
	// after its last write; Clean removes older ones. 0 means
	// archive.DefaultUploadExpiry.
	UploadExpiry time.Duration
	// StaleTemp is how long a temporary file must have gone untouched to
	// be reported, and with Clean removed (0: DefaultStaleTemp; a MinAge
	// below it, or negative, lowers it).
	StaleTemp time.Duration
	// Now is the clock used for MinAge; nil means time.Now.
	Now func() time.Time
}

// Missing is a manifest reference to an object that does not exist.
type Missing struct {
	RecordingID string
	Key         string // the object the manifest points at
	Field       string // "media" or "track <lang>.vtt" / "track <lang>.source"
}

// Unreadable is a manifest that could not be read or decoded.
type Unreadable struct {
	Key string
	Err string
}

// Report is what a check found and, with Clean, what it removed.
type Report struct {
	Recordings int                // manifests read
	Objects    int                // objects under recordings/
	Orphans    []archive.BlobInfo // objects no manifest refers to
	Young      int                // orphans kept because they are younger than MinAge
	Missing    []Missing          // manifest references to missing objects
	Unreadable []Unreadable       // manifests that cannot be decoded
	Removed    []string           // orphan keys deleted (Clean only)
	// Temps are the temporary files of writes that were killed or crashed
	// (untouched for StaleTemp), on stores that keep them (internal/disk).
	// They hold no data anyone refers to.
	Temps     []archive.BlobInfo
	TempFiles int // temporary files removed (Clean only)
	// PendingIndex is index work recorded in storage and not yet applied
	// (an index that was down, a process killed between a write and its
	// index update). It does not make storage inconsistent: a server
	// applies it at start and every few seconds.
	PendingIndex []archive.PendingIndex
	// Uploads are unfinished resumable uploads (uploads/<id>/...).
	Uploads []Upload
}

// OK reports whether storage is consistent: every manifest is readable and
// points at objects that exist. Orphans do not make a store inconsistent.
func (r Report) OK() bool { return len(r.Missing) == 0 && len(r.Unreadable) == 0 }

// OrphanBytes is the total size of the orphans found.
func (r Report) OrphanBytes() int64 {
	var n int64
	for _, o := range r.Orphans {
		n += o.Size
	}
	return n
}

// tempStore is implemented by stores that keep temporary files of writes
// in progress (internal/disk); a crashed writer leaves them behind.
type tempStore interface {
	ListTemp(ctx context.Context, age time.Duration) ([]archive.BlobInfo, error)
	CleanTemp(ctx context.Context, age time.Duration) (int, error)
}

// staleTemp is the age from which a temporary file is reported and
// removed: StaleTemp, or MinAge when that is lower (negative: any age).
func (o Options) staleTemp() time.Duration {
	age := cmp.Or(o.StaleTemp, DefaultStaleTemp)
	if o.MinAge < 0 {
		return 0
	}
	if o.MinAge > 0 {
		age = min(age, o.MinAge)
	}
	return age
}

// Run checks every object under recordings/ against the manifests. It
// returns an error only when the store itself cannot be listed or an
// object cannot be deleted; inconsistencies are in the Report.
func Run(ctx context.Context, blobs archive.Blobs, opts Options) (Report, error) {
	objs, err := blobs.List(ctx, recordingsPrefix)
	if err != nil {
		return Report{}, fmt.Errorf("check: list %s: %w", recordingsPrefix, err)
	}
	rep := Report{Objects: len(objs)}
	present := make(map[string]bool, len(objs))
	for _, o := range objs {
		present[o.Key] = true
	}
	refs, err := readManifests(ctx, blobs, objs, present, &rep)
	if err != nil {
		return rep, err
	}
	keepAudit(refs, objs, present)
	rep.Orphans = orphans(objs, refs)
	if rep.PendingIndex, err = archive.ListPending(ctx, blobs); err != nil {
		return rep, fmt.Errorf("check: %w", err)
	}
	if err := uploads(ctx, blobs, opts, &rep); err != nil {
		return rep, err
	}
	if ts, ok := blobs.(tempStore); ok {
		if rep.Temps, err = ts.ListTemp(ctx, opts.staleTemp()); err != nil {
			return rep, fmt.Errorf("check: %w", err)
		}
	}
	if opts.Clean {
		if err := clean(ctx, blobs, opts, &rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// readManifests decodes every manifest, records missing references in rep
// and returns the set of keys that some manifest (or its recording's fixed
// layout) refers to.
func readManifests(ctx context.Context, blobs archive.Blobs, objs []archive.BlobInfo, present map[string]bool, rep *Report) (map[string]bool, error) {
	refs := map[string]bool{}
	for _, o := range objs {
		id, ok := manifestID(o.Key)
		if !ok {
			continue
		}
		refs[o.Key] = true
		refs[recordingsPrefix+id+"/"+posterName] = true
		rec, err := readManifest(ctx, blobs, o.Key)
		if errors.Is(err, archive.ErrNotFound) {
			continue // deleted while we looked; its objects count as orphans
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("check: %w", ctx.Err())
			}
			rep.Unreadable = append(rep.Unreadable, Unreadable{Key: o.Key, Err: err.Error()})
			// Keep everything of an unreadable recording: we cannot tell
			// what it refers to, and Clean must never guess.
			markAll(refs, objs, recordingsPrefix+id+"/")
			continue
		}
		rep.Recordings++
		for _, r := range references(id, rec) {
			refs[r.Key] = true
			if !present[r.Key] {
				rep.Missing = append(rep.Missing, r)
			}
		}
	}
	return refs, nil
}

func readManifest(ctx context.Context, blobs archive.Blobs, key string) (archive.Recording, error) {
	rc, _, err := blobs.Get(ctx, key, 0, -1)
	if err != nil {
		return archive.Recording{}, fmt.Errorf("check: read %s: %w", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxManifest))
	if err != nil {
		return archive.Recording{}, fmt.Errorf("check: read %s: %w", key, err)
	}
	var rec archive.Recording
	if err := json.Unmarshal(data, &rec); err != nil {
		return archive.Recording{}, fmt.Errorf("check: decode %s: %w", key, err)
	}
	return rec, nil
}

// references lists the objects a manifest points at.
func references(id string, rec archive.Recording) []Missing {
	var out []Missing
	if rec.Media != nil && rec.Media.Key != "" {
		out = append(out, Missing{RecordingID: id, Key: rec.Media.Key, Field: "media"})
	}
	if rec.Poster != nil && rec.Poster.Key != "" {
		out = append(out, Missing{RecordingID: id, Key: rec.Poster.Key, Field: "poster"})
	}
	for _, t := range rec.Tracks {
		if t.Key == "" {
			continue
		}
		for _, ext := range []string{".vtt", ".source"} {
			out = append(out, Missing{RecordingID: id, Key: t.Key + ext, Field: "track " + t.Lang + ext})
		}
	}
	return out
}

// manifestID returns the recording id when key is recordings/<id>/manifest.json.
func manifestID(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, recordingsPrefix)
	if !ok {
		return "", false
	}
	id, ok := strings.CutSuffix(rest, "/"+manifestName)
	if !ok || strings.Contains(id, "/") || id == "" {
		return "", false
	}
	return id, true
}

// keepAudit marks the audit entries of every recording whose manifest
// exists: no manifest lists them, and they are kept as long as it is.
func keepAudit(refs map[string]bool, objs []archive.BlobInfo, present map[string]bool) {
	for _, o := range objs {
		id, _, ok := strings.Cut(strings.TrimPrefix(o.Key, recordingsPrefix), "/")
		if ok && strings.HasPrefix(o.Key, archive.AuditPrefix(id)) && present[recordingsPrefix+id+"/manifest.json"] {
			refs[o.Key] = true
		}
	}
}

func markAll(refs map[string]bool, objs []archive.BlobInfo, prefix string) {
	for _, o := range objs {
		if strings.HasPrefix(o.Key, prefix) {
			refs[o.Key] = true
		}
	}
}

func orphans(objs []archive.BlobInfo, refs map[string]bool) []archive.BlobInfo {
	var out []archive.BlobInfo
	for _, o := range objs {
		if !refs[o.Key] {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b archive.BlobInfo) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// clean deletes orphans old enough not to belong to an upload in progress.
// An orphan that a manifest started referring to since the listing would
// be lost, so each one is re-checked against a fresh read of its
// recording's manifest just before deletion.
func clean(ctx context.Context, blobs archive.Blobs, opts Options, rep *Report) error {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	minAge := opts.MinAge
	if minAge == 0 {
		minAge = DefaultMinAge
	}
	cutoff := now().Add(-minAge)
	for _, o := range rep.Orphans {
		if minAge > 0 && o.ModTime.After(cutoff) {
			rep.Young++
			continue
		}
		if stillOrphan, err := recheck(ctx, blobs, o.Key); err != nil || !stillOrphan {
			if err != nil {
				return err
			}
			continue
		}
		if err := blobs.Delete(ctx, o.Key); err != nil {
			return fmt.Errorf("check: delete orphan %s: %w", o.Key, err)
		}
		rep.Removed = append(rep.Removed, o.Key)
	}
	if ts, ok := blobs.(tempStore); ok && len(rep.Temps) > 0 {
		n, err := ts.CleanTemp(ctx, opts.staleTemp())
		if err != nil {
			return fmt.Errorf("check: %w", err)
		}
		rep.TempFiles = n
	}
	return nil
}

// recheck reports whether key is still referenced by no manifest of its
// recording.
func recheck(ctx context.Context, blobs archive.Blobs, key string) (bool, error) {
	rest := strings.TrimPrefix(key, recordingsPrefix)
	id, _, ok := strings.Cut(rest, "/")
	if !ok {
		return true, nil
	}
	mkey := recordingsPrefix + id + "/" + manifestName
	rec, err := readManifest(ctx, blobs, mkey)
	if errors.Is(err, archive.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return false, fmt.Errorf("check: %w", ctx.Err())
		}
		return false, nil // unreadable now: keep it
	}
	for _, r := range references(id, rec) {
		if r.Key == key {
			return false, nil
		}
	}
	return true, nil
}

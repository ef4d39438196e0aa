package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// PendingPrefix holds one small marker object per index update that a
// write still owes the search index: pending/index/<recording id>/<stamp>.
//
// A write creates its marker in storage before it changes anything the
// index reflects (manifest, deletion) and removes it once the index has
// the new state. A marker left behind — the index was down, the process
// was killed — is work that survives the crash: Run (at start and every
// RetryEvery) lists this prefix, re-derives each marked recording's
// documents from storage, and removes the markers. Listing the markers is
// the only scan: no manifest is read unless it is marked.
//
// Several processes may share a store. Each write's marker has its own
// key, so one process never removes another's; re-deriving a recording is
// idempotent, so two processes repairing the same marker do no harm. A
// process removes a marker it did not write only after it has been listed
// for PendingGrace, so the write behind it has finished (or died) and the
// repair saw its outcome.
const PendingPrefix = "pending/index/"

// DefaultPendingGrace is how long a marker written by another process
// (or an earlier run of this one) must have been seen before a repair
// removes it.
const DefaultPendingGrace = time.Minute

// PendingIndex is one marked recording: index work not yet applied.
type PendingIndex struct {
	RecordingID string
	Keys        []string  // its marker objects
	Since       time.Time // the oldest marker's modification time
}

// ListPending reads the markers under PendingPrefix, grouped by recording
// and sorted by id. It reads nothing else, so it is cheap enough to run
// every few seconds.
func ListPending(ctx context.Context, blobs Blobs) ([]PendingIndex, error) {
	infos, err := blobs.List(ctx, PendingPrefix)
	if err != nil {
		return nil, fmt.Errorf("archive: list pending index work: %w", err)
	}
	var out []PendingIndex
	for _, in := range infos {
		id, _, ok := strings.Cut(strings.TrimPrefix(in.Key, PendingPrefix), "/")
		if !ok || !ValidID(id) {
			continue
		}
		if n := len(out); n > 0 && out[n-1].RecordingID == id {
			p := &out[n-1]
			p.Keys = append(p.Keys, in.Key)
			if in.ModTime.Before(p.Since) {
				p.Since = in.ModTime
			}
			continue
		}
		out = append(out, PendingIndex{RecordingID: id, Keys: []string{in.Key}, Since: in.ModTime})
	}
	return out, nil
}

// markState is what this process knows about one marker.
type markState struct {
	id      string
	seen    time.Time // first seen (monotonic clock of this process)
	own     bool      // written by this process, whose write has finished
	applied bool      // the recording was re-derived after the marker was seen
}

// beginIndex records in storage that id's index entry is about to change.
// A write that cannot record it does not proceed: a crash after it would
// leave the index wrong with nothing to repair it.
func (s *Service) beginIndex(ctx context.Context, id string) (string, error) {
	key := fmt.Sprintf("%s%s/%d-%s", PendingPrefix, id, s.now().UTC().UnixNano(), newRev())
	body, _ := json.Marshal(struct {
		RecordingID string    `json:"recording_id"`
		At          time.Time `json:"at"`
	}{id, s.now().UTC()})
	if _, err := s.blobs.Put(ctx, key, bytes.NewReader(body), int64(len(body)), PutOptions{ContentType: "application/json", IfNoneMatch: true}); err != nil {
		return "", fmt.Errorf("archive: record pending index update of %s: %w", id, err)
	}
	return key, nil
}

// dropMark removes the marker of a write that did not happen.
func (s *Service) dropMark(ctx context.Context, key string) {
	if err := s.blobs.Delete(context.WithoutCancel(ctx), key); err != nil {
		s.log.Warn("archive: cannot remove pending-index marker; the retry loop will", "key", key, "err", err)
	}
}

// finishIndex brings the index up to date with a recording that was just
// written (or deleted) and removes the write's marker. The write has
// succeeded whatever happens here: when the index fails the marker stays
// and Run retries.
//
// The update gets its own deadline and survives the caller's cancellation:
// the write is done, and a client hanging up must not leave search behind.
func (s *Service) finishIndex(ctx context.Context, id, key string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), indexTimeout)
	defer cancel()
	err := s.indexRecording(ctx, id)
	if err == nil {
		s.dropMark(ctx, key)
		return
	}
	s.logIndexFailure(ctx, id, err)
	s.mu.Lock()
	s.marks[key] = &markState{id: id, seen: time.Now(), own: true}
	s.mu.Unlock()
}

// change is update with the index kept in step: the marker first, then the
// manifest, then the index.
func (s *Service) change(ctx context.Context, id, ifMatch string, fn func(*Recording) error) (Recording, string, error) {
	key, err := s.beginIndex(ctx, id)
	if err != nil {
		return Recording{}, "", err
	}
	rec, etag, err := s.update(ctx, id, ifMatch, fn)
	if err != nil {
		s.dropMark(ctx, key)
		return Recording{}, "", err
	}
	s.finishIndex(ctx, id, key)
	return rec, etag, nil
}

// repairPending applies the index work recorded in storage: every marked
// recording whose markers were not yet applied is re-derived from storage,
// and markers are removed once applied (another process's only after
// PendingGrace). It stops early when the index is down.
func (s *Service) repairPending(ctx context.Context) {
	started := time.Now()
	list, err := ListPending(ctx, s.blobs)
	if err != nil {
		s.log.Debug("archive: pending index work unreadable; retrying", "err", err)
		return
	}
	todo := s.noteListed(list, started)
	if len(todo) > 0 && s.index.Ping(ctx) != nil {
		return // still down; try again next tick
	}
	for _, p := range list {
		if slices.Contains(todo, p.RecordingID) {
			err := s.indexRecording(ctx, p.RecordingID)
			if errors.Is(err, errManifestTooLarge) {
				// Nothing can be derived until an editor fixes the
				// manifest, and that write records its own marker.
				s.log.Warn("archive: pending index update dropped: the manifest is over the read limit", "recording", p.RecordingID, "err", err)
				err = nil
			}
			if err != nil {
				s.logIndexFailure(ctx, p.RecordingID, err)
				if errors.Is(err, ErrUnavailable) || ctx.Err() != nil {
					return
				}
				continue
			}
			s.mu.Lock()
			for _, k := range p.Keys {
				if m := s.marks[k]; m != nil {
					m.applied = true
				}
			}
			s.mu.Unlock()
		}
		s.removeApplied(ctx, p)
	}
}

// noteListed merges a listing into what this process knows and returns
// the recordings with markers not yet applied.
func (s *Service) noteListed(list []PendingIndex, started time.Time) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	listed := map[string]bool{}
	var todo []string
	for _, p := range list {
		need := false
		for _, k := range p.Keys {
			listed[k] = true
			m := s.marks[k]
			if m == nil {
				m = &markState{id: p.RecordingID, seen: started}
				s.marks[k] = m
			}
			need = need || !m.applied
		}
		if need {
			todo = append(todo, p.RecordingID)
		}
	}
	for k, m := range s.marks {
		if !listed[k] && m.seen.Before(started) {
			delete(s.marks, k) // removed by its writer or another process
		}
	}
	return todo
}

// removeApplied deletes the applied markers of p that may go: this
// process's own at once, others' once seen for PendingGrace.
func (s *Service) removeApplied(ctx context.Context, p PendingIndex) {
	for _, k := range p.Keys {
		s.mu.Lock()
		m := s.marks[k]
		ok := m != nil && m.applied && (m.own || time.Since(m.seen) >= s.pendingGrace)
		s.mu.Unlock()
		if !ok {
			continue
		}
		if err := s.blobs.Delete(ctx, k); err != nil {
			s.log.Debug("archive: cannot remove applied marker", "key", k, "err", err)
			continue
		}
		s.mu.Lock()
		delete(s.marks, k)
		s.mu.Unlock()
	}
}

// Pending returns how many recordings wait for an index update, as far as
// this process knows (its own failed updates and the last listing of
// markers).
func (s *Service) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := map[string]bool{}
	for _, m := range s.marks {
		if !m.applied {
			ids[m.id] = true
		}
	}
	return len(ids)
}

func (s *Service) logIndexFailure(ctx context.Context, id string, err error) {
	level := slog.LevelWarn
	if errors.Is(err, errNoIndex) {
		level = slog.LevelDebug // a command running beside a server: expected
	}
	s.log.Log(ctx, level, "archive: index update failed; will retry", "recording", id, "err", err)
}

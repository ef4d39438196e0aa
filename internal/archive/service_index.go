package archive

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// indexTimeout bounds one index update made on behalf of a write; past it
// the recording is marked for the retry loop instead.
const indexTimeout = 10 * time.Second

// afterWrite brings the search index up to date with a recording that was
// just written. The write has succeeded whatever happens here: when the
// index fails, the manifest is marked needs_reindex and Run retries. It
// returns the recording and its ETag as they now stand.
//
// The update gets its own deadline and survives the caller's cancellation:
// the write is done, and a client hanging up must not leave search behind.
func (s *Service) afterWrite(ctx context.Context, rec Recording, etag string) (Recording, string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), indexTimeout)
	defer cancel()
	err := s.indexRecording(ctx, rec.ID)
	if err == nil {
		return rec, etag
	}
	level := slog.LevelWarn
	if errors.Is(err, errNoIndex) {
		level = slog.LevelDebug // a command running beside a server: expected
	}
	s.log.Log(ctx, level, "archive: index update failed; will retry", "recording", rec.ID, "err", err)
	s.markPending(rec.ID)
	marked, newTag, ok := s.mark(ctx, rec.ID)
	if !ok {
		return rec, etag
	}
	return marked, newTag
}

// mark records needs_reindex in the manifest, so the mark outlives this
// process.
func (s *Service) mark(ctx context.Context, id string) (Recording, string, bool) {
	rec, etag, err := s.update(ctx, id, "", func(r *Recording) error {
		r.NeedsIndex = true
		return nil
	})
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			s.log.Warn("archive: cannot mark recording for reindex", "recording", id, "err", err)
		}
		return Recording{}, "", false
	}
	return rec, etag, true
}

// indexRecording replaces the recording's documents in the index with what
// viewers may see of the current manifest (nothing for drafts, deleted
// recordings lose theirs). Updates are serialised so an older state never
// overwrites a newer one from this process.
func (s *Service) indexRecording(ctx context.Context, id string) error {
	s.indexMu.Lock()
	defer s.indexMu.Unlock()
	return s.indexInto(ctx, s.index, id)
}

func (s *Service) indexInto(ctx context.Context, into Index, id string) error {
	rec, _, err := s.load(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return into.Delete(ctx, id)
	}
	if err != nil {
		return err
	}
	docs, err := s.docs(ctx, rec)
	if err != nil {
		return err
	}
	if err := into.Put(ctx, id, docs); err != nil {
		return fmt.Errorf("archive: index %s: %w: %w", id, ErrUnavailable, err)
	}
	return nil
}

func (s *Service) indexDelete(ctx context.Context, id string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), indexTimeout)
	defer cancel()
	s.indexMu.Lock()
	err := s.index.Delete(ctx, id)
	s.indexMu.Unlock()
	if err != nil {
		s.log.Warn("archive: index delete failed; will retry", "recording", id, "err", err)
		s.markPending(id)
	}
}

// docs builds the documents viewers may find: published recordings only,
// hidden speakers left out, anonymised ones under their pseudonym.
func (s *Service) docs(ctx context.Context, rec Recording) ([]CueDoc, error) {
	docs := []CueDoc{}
	if rec.Status != StatusPublished {
		return docs, nil
	}
	for _, t := range rec.Tracks {
		sc, err := s.cuesOf(ctx, t)
		if err != nil {
			return nil, err
		}
		cues := viewerCues(rec, fromSubtitle(sc))
		for i, c := range cues {
			d := CueDoc{
				RecordingID: rec.ID, Title: rec.Title, Event: rec.Event, Date: rec.Date,
				Lang: t.Lang, Kind: t.Kind, Source: t.Source, Seq: i,
				StartMS: c.StartMS, EndMS: c.EndMS, Speaker: c.Speaker, Text: c.Text,
			}
			if i+1 < len(cues) {
				d.Next = cues[i+1].Text
			}
			docs = append(docs, d)
		}
	}
	return docs, nil
}

func (s *Service) markPending(id string) {
	s.mu.Lock()
	s.pending[id] = true
	s.mu.Unlock()
}

// Run retries failed index updates until ctx ends. It first picks up
// recordings marked needs_reindex in storage (by this or another
// process), then retries every RetryEvery.
//
// Storage is scanned again every 12 retries, so recordings marked by
// another process (an import run while this server holds the index) are
// picked up too.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(s.retryEvery)
	defer t.Stop()
	for tick := 0; ; tick++ {
		if tick%12 == 0 {
			s.scanMarks(ctx)
		}
		s.retryPending(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// scanMarks queues every stored recording marked needs_reindex.
func (s *Service) scanMarks(ctx context.Context) {
	ids, err := s.listIDs(ctx)
	if err != nil {
		s.log.Warn("archive: scan for reindex marks", "err", err)
		return
	}
	for _, id := range ids {
		if rec, _, err := s.load(ctx, id); err == nil && rec.NeedsIndex {
			s.markPending(id)
		}
	}
}

// retryPending reindexes every pending recording once, clearing its
// needs_reindex mark on success.
func (s *Service) retryPending(ctx context.Context) {
	s.mu.Lock()
	ids := make([]string, 0, len(s.pending))
	for id := range s.pending {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	for _, id := range ids {
		if err := s.index.Ping(ctx); err != nil {
			return // still down; try again next tick
		}
		// Clear first and index last, so that once search shows the
		// recording nothing reports it pending any more. Should the update
		// fail after all, the mark is put back.
		s.mu.Lock()
		delete(s.pending, id)
		s.mu.Unlock()
		s.clearMark(ctx, id)
		if err := s.indexRecording(ctx, id); err != nil {
			s.log.Debug("archive: index still failing", "recording", id, "err", err)
			s.markPending(id)
			s.mark(ctx, id)
			return
		}
	}
}

func (s *Service) clearMark(ctx context.Context, id string) {
	rec, _, err := s.load(ctx, id)
	if err != nil || !rec.NeedsIndex {
		return
	}
	if _, _, err := s.update(ctx, id, "", func(r *Recording) error { r.NeedsIndex = false; return nil }); err != nil {
		s.log.Warn("archive: cannot clear reindex mark", "recording", id, "err", err)
	}
}

// Pending returns how many recordings wait for an index update.
func (s *Service) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// Reindex writes every recording in storage into the index into (usually
// a fresh one that then replaces the live index), reporting progress after
// each recording. Storage alone is read. needs_reindex marks are cleared,
// since the rebuilt index is the one that goes live.
func (s *Service) Reindex(ctx context.Context, into Index, progress func(done, total int, id string)) error {
	ids, err := s.listIDs(ctx)
	if err != nil {
		return err
	}
	for i, id := range ids {
		if err := s.indexInto(ctx, into, id); err != nil {
			return fmt.Errorf("archive: reindex %s: %w", id, err)
		}
		s.clearMark(ctx, id)
		if progress != nil {
			progress(i+1, len(ids), id)
		}
	}
	return nil
}

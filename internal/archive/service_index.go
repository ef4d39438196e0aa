package archive

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// indexTimeout bounds one index update made on behalf of a write; past it
// the update is left to the retry loop (its marker stays in storage).
const indexTimeout = 10 * time.Second

// DefaultPassTimeout bounds one of Run's passes (the embargo and pending
// markers, the listing of media work, a catalog snapshot).
const DefaultPassTimeout = time.Minute

// pass runs one background pass under its own deadline, within ctx.
func (s *Service) pass(ctx context.Context, f func(context.Context)) {
	ctx, cancel := context.WithTimeout(ctx, s.passTimeout)
	defer cancel()
	f(ctx)
}

// indexRecording replaces the recording's documents in the index with what
// viewers may see of the current manifest (nothing for drafts, deleted
// recordings lose theirs). Updates are serialised so an older state never
// overwrites a newer one from this process.
//
// The recording's catalog entry is brought in step first: every path that
// re-derives the index (a write's finish, a pending marker's repair, an
// embargo's end) re-derives the catalog too.
func (s *Service) indexRecording(ctx context.Context, id string) error {
	if err := s.catalogRecording(ctx, id); err != nil {
		return err
	}
	select {
	case s.indexLock <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("archive: index %s: waiting for another update: %w", id, ctx.Err())
	}
	defer func() { <-s.indexLock }()
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
	docs, next, err := s.docs(ctx, rec)
	if err != nil {
		return err
	}
	if err := into.Put(ctx, id, docs); err != nil {
		return fmt.Errorf("archive: index %s: %w: %w", id, ErrUnavailable, err)
	}
	s.noteEmbargo(ctx, id, next)
	return nil
}

// docs builds the documents viewers may find now, from the viewer's
// form of the recording (see viewer): nothing withheld is ever stored in
// the index. It also returns the earliest embargo still pending, when the
// documents must be made again.
func (s *Service) docs(ctx context.Context, rec Recording) ([]CueDoc, time.Time, error) {
	docs := []CueDoc{}
	v := newViewer(rec, s.now())
	vr, ok := v.recording()
	if !ok {
		return docs, v.next, nil
	}
	for _, t := range rec.Tracks {
		sc, err := s.cuesOf(ctx, t)
		if err == nil {
			sc, err = s.viewerSpeakers(ctx, rec, t.Lang, sc)
		}
		if err != nil {
			return nil, time.Time{}, err
		}
		cues := v.cues(sc)
		for i, c := range cues {
			if searchText(c) == "" {
				continue // a withheld gap: nothing to find
			}
			d := CueDoc{
				RecordingID: rec.ID, Title: vr.Title, Event: vr.Event, Date: rec.Date,
				Lang: t.Lang, Kind: t.Kind, Source: t.Source, Seq: i,
				StartMS: c.StartMS, EndMS: c.EndMS, Speaker: c.Speaker, Text: searchText(c),
				Version: rec.Version,
			}
			if i+1 < len(cues) {
				d.Next = searchText(cues[i+1])
			}
			docs = append(docs, d)
		}
	}
	return docs, v.next, nil
}

// Run applies pending index work until ctx ends: at once (what a crashed
// or index-less process left in storage), then every RetryEvery. Each
// pass lists the markers under PendingPrefix and EmbargoPrefix and
// nothing else. With MediaTools it also runs the media worker (runMedia)
// beside the loop, so a long remux never delays index repair. Beside it
// too, one goroutine keeps the catalog view fresh (every CatalogFresh;
// see the package doc); all end with ctx. Every pass has a deadline
// (PassTimeout; a media job, the claim's), so a store that stops
// answering stalls no loop and holds no lock a request needs past it.
func (s *Service) Run(ctx context.Context) error {
	catalog := make(chan struct{})
	go func() { defer close(catalog); s.keepCatalogFresh(ctx) }()
	defer func() { <-catalog }()
	t := time.NewTicker(s.retryEvery)
	defer t.Stop()
	if s.tools != nil {
		done := make(chan struct{})
		go func() { defer close(done); s.runMedia(ctx) }()
		defer func() { <-done }()
	}
	for {
		s.pass(ctx, s.liftEmbargoes)
		s.pass(ctx, s.repairPending)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// ReindexProgress is told about each recording Reindex handles; err is
// non-nil when the recording was skipped (its manifest or a track cannot
// be read), in which case Reindex carries on with the next.
type ReindexProgress func(done, total int, id string, err error)

// Reindex writes every recording in storage into the index into (usually
// a fresh one that then replaces the live index), reporting progress after
// each recording. Storage alone is read. A recording that cannot be read
// is reported and skipped; Reindex fails only when storage cannot be
// listed or the index refuses documents. Pending index markers listed
// before it started are removed once every recording has been written,
// since the rebuilt index reflects storage as it was read.
func (s *Service) Reindex(ctx context.Context, into Index, progress ReindexProgress) error {
	pending, err := ListPending(ctx, s.blobs)
	if err != nil {
		return err
	}
	ids, err := s.listIDs(ctx)
	if err != nil {
		return err
	}
	skipped := map[string]bool{}
	for i, id := range ids {
		err := s.catalogRecording(ctx, id)
		if err == nil {
			err = s.indexInto(ctx, into, id)
		}
		if err != nil && (errors.Is(err, ErrUnavailable) || ctx.Err() != nil) {
			return fmt.Errorf("archive: reindex %s: %w", id, err)
		}
		if err != nil {
			skipped[id] = true
			s.log.Warn("archive: reindex skips a recording", "recording", id, "err", err)
		}
		if progress != nil {
			progress(i+1, len(ids), id, err)
		}
	}
	if err := s.dropOrphanEntries(ctx, ids); err != nil {
		return err
	}
	if err := s.catalog.rebuild(ctx, s.blobs); err != nil {
		return err
	}
	if err := s.CompactCatalog(ctx); err != nil {
		return err
	}
	for _, p := range pending {
		if skipped[p.RecordingID] {
			continue
		}
		for _, k := range p.Keys {
			if err := s.blobs.Delete(ctx, k); err != nil {
				s.log.Warn("archive: cannot remove applied marker", "key", k, "err", err)
			}
		}
	}
	return nil
}

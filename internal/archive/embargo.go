package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Embargoes lapse by themselves. Pages and JSON decide with the Service's
// clock at read time; the index, which holds only what viewers may find,
// must be made again once an embargo passes. Whenever a recording is
// indexed while an embargo of it is pending, a marker object names the
// moment: pending/embargo/<id>/<unix seconds>. Run lists that prefix on
// every pass (every instance does, so it does not matter which one set the
// embargo or whether it still runs) and re-derives each recording whose
// moment has come, then removes the marker. No manifest is read to find
// them.
const EmbargoPrefix = "pending/embargo/"

func embargoKey(id string, at time.Time) string {
	return fmt.Sprintf("%s%s/%012d", EmbargoPrefix, id, at.Unix())
}

// noteEmbargo records in storage when id's index entries must be made
// again (nothing when no embargo is pending). The marker for a moment is
// written once; a stale one (the embargo was lifted early) only costs a
// harmless re-derivation.
func (s *Service) noteEmbargo(ctx context.Context, id string, next time.Time) {
	if next.IsZero() {
		return
	}
	// The second after the moment, so the re-derivation sees it passed.
	at := next.Truncate(time.Second).Add(time.Second)
	_, err := s.blobs.Put(ctx, embargoKey(id, at), bytes.NewReader(nil), 0, PutOptions{ContentType: "application/octet-stream", IfNoneMatch: true})
	if err != nil && !errors.Is(err, ErrPrecondition) {
		s.log.Warn("archive: cannot record an embargo's end; search shows it after the next reindex", "recording", id, "err", err)
	}
}

// liftEmbargoes re-derives the index entries of every recording whose
// marked embargo has passed and removes its marker.
func (s *Service) liftEmbargoes(ctx context.Context) {
	infos, err := s.blobs.List(ctx, EmbargoPrefix)
	if err != nil {
		s.log.Debug("archive: embargo markers unreadable; retrying", "err", err)
		return
	}
	now := s.now()
	for _, in := range infos {
		id, stamp, ok := strings.Cut(strings.TrimPrefix(in.Key, EmbargoPrefix), "/")
		sec, err := strconv.ParseInt(stamp, 10, 64)
		if !ok || err != nil || !ValidID(id) {
			continue
		}
		if now.Before(time.Unix(sec, 0)) {
			continue
		}
		if err := s.indexRecording(ctx, id); err != nil {
			s.logIndexFailure(ctx, id, err)
			continue // the marker stays: next pass
		}
		if err := s.blobs.Delete(ctx, in.Key); err != nil {
			s.log.Debug("archive: cannot remove embargo marker", "key", in.Key, "err", err)
		}
	}
}

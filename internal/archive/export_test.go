package archive

import (
	"context"
	"slices"
)

// ViewerCached reports whether the viewer cache holds, valid now, what
// viewers see of a track of the recording as stored now.
func ViewerCached(s *Service, id, lang string) bool {
	rec, etag, err := s.load(context.Background(), id)
	if err != nil {
		return false
	}
	i := slices.IndexFunc(rec.Tracks, func(t Track) bool { return t.Lang == lang })
	if i < 0 {
		return false
	}
	_, ok := s.viewed.get(viewerKey(rec, etag, rec.Tracks[i]), s.now())
	return ok
}

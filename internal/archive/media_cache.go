package archive

import (
	"context"
	"errors"
	"sync"
)

// Versioner is a store that tells an object's current version without
// opening it: a token that changes whenever the object is replaced
// (internal/disk: a stat of the file, whose identity changes with every
// write, as objects are replaced by rename). Without it the version is
// the object's ETag (Stat: a HEAD on S3).
type Versioner interface {
	Version(ctx context.Context, key string) (string, error)
}

// objectVersion is key's version token (see Versioner).
func objectVersion(ctx context.Context, blobs Blobs, key string) (string, error) {
	if v, ok := blobs.(Versioner); ok {
		return v.Version(ctx, key)
	}
	info, err := blobs.Stat(ctx, key)
	if err != nil {
		return "", err
	}
	return info.ETag, nil
}

// maxMediaCache bounds the media descriptions kept: a few hundred bytes
// each.
const maxMediaCache = 4096

// mediaCache keeps, per recording, what a media request needs of its
// manifest (status, embargo, media and poster descriptions) with the manifest's
// version when it was read. A media request checks the version (a stat,
// no read) and reads the manifest only when it changed, so a small range
// costs the stat and one open of the media; a change of status or media
// is seen by the next request, as the version changes with every write.
type mediaCache struct {
	mu sync.Mutex
	m  map[string]mediaCached
}

type mediaCached struct {
	version string
	rec     Recording // ID, Status, EmbargoUntil, Media and Poster only
}

func (c *mediaCache) get(id, version string) (Recording, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	return e.rec, ok && e.version == version
}

func (c *mediaCache) put(id, version string, rec Recording) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxMediaCache {
		c.m = map[string]mediaCached{} // start over: cheap, and bounded
	}
	c.m[id] = mediaCached{version: version, rec: rec}
}

func (c *mediaCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}

// mediaRecording is what a media request needs of id's manifest: from the
// cache when the manifest's version is the one cached, read (and cached)
// otherwise. The version is taken before the read, so a write between
// the two leaves a newer manifest under an older version: the next
// request reads it again, never the reverse.
func (s *Service) mediaRecording(ctx context.Context, id string) (Recording, error) {
	if err := checkID("load", id); err != nil {
		return Recording{}, err
	}
	version, err := objectVersion(ctx, s.blobs, manifestKey(id))
	if errors.Is(err, ErrNotFound) {
		s.mediaDesc.drop(id)
	}
	if err != nil {
		return Recording{}, manifestErr(id, err)
	}
	if rec, ok := s.mediaDesc.get(id, version); ok {
		return rec, nil
	}
	rec, err := s.loadForMedia(ctx, id)
	if err != nil {
		return Recording{}, err
	}
	small := Recording{ID: rec.ID, Status: rec.Status, EmbargoUntil: rec.EmbargoUntil, Media: rec.Media, Poster: rec.Poster}
	s.mediaDesc.put(id, version, small)
	return small, nil
}

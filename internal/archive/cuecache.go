package archive

import (
	"container/list"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/verbatim-archive/verbatim/internal/subtitle"
)

// DefaultCueCache is how many bytes of parsed cues the Service keeps:
// parsing a stored track is most of what a watch page or a page of JSON
// cues costs (a 20,000-cue track allocates some 150 MiB to parse), while
// its parsed cues take a few MiB. 64 MiB holds the dozen longest tracks.
// Viewer results (viewerCache) get a budget of the same size.
const DefaultCueCache = 64 << 20

// lru keeps values by key within a byte budget, least recently used first
// out. A nil *lru keeps nothing.
type lru[V any] struct {
	mu    sync.Mutex
	limit int64
	size  int64
	sizer func(V) int64
	order *list.List               // of *lruEntry[V], most recent at the front
	byKey map[string]*list.Element // key → element of order
}

type lruEntry[V any] struct {
	key  string
	v    V
	size int64
}

func newLRU[V any](limit int64, sizer func(V) int64) *lru[V] {
	return &lru[V]{limit: limit, sizer: sizer, order: list.New(), byKey: map[string]*list.Element{}}
}

func (c *lru[V]) get(key string) (V, bool) {
	var zero V
	if c == nil {
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return zero, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*lruEntry[V]).v, true
}

// put keeps v under key (replacing what was there) unless it alone
// exceeds the budget, evicting the least recently used entries to make
// room.
func (c *lru[V]) put(key string, v V) {
	if c == nil {
		return
	}
	size := c.sizer(v)
	if size > c.limit {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		c.remove(el)
	}
	c.byKey[key] = c.order.PushFront(&lruEntry[V]{key: key, v: v, size: size})
	c.size += size
	for c.size > c.limit {
		c.remove(c.order.Back())
	}
}

func (c *lru[V]) remove(el *list.Element) {
	e := el.Value.(*lruEntry[V])
	c.order.Remove(el)
	delete(c.byKey, e.key)
	c.size -= e.size
}

func (c *lru[V]) len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byKey)
}

// cueCache keeps parsed tracks by object key. A track's key is never
// reused for other content (every upload gets a fresh one), so an entry
// is never stale; it is only evicted.
type cueCache struct{ lru *lru[[]subtitle.Cue] }

func newCueCache(limit int64) *cueCache {
	return &cueCache{lru: newLRU(limit, cuesSize)}
}

// get returns a copy of the cached cues (callers may change the slice),
// or false.
func (c *cueCache) get(key string) ([]subtitle.Cue, bool) {
	if c == nil {
		return nil, false
	}
	cues, ok := c.lru.get(key)
	return slices.Clone(cues), ok
}

func (c *cueCache) put(key string, cues []subtitle.Cue) {
	if c != nil {
		c.lru.put(key, slices.Clone(cues))
	}
}

// cuesSize estimates the memory cues hold: their strings and the structs.
func cuesSize(cues []subtitle.Cue) int64 {
	const cueStruct, spanStruct = 96, 48
	var n int64
	for _, c := range cues {
		n += cueStruct + int64(len(c.Speaker)+len(c.Text)+len(c.Styled))
		for _, s := range c.Spans {
			n += spanStruct + int64(len(s.Speaker)+len(s.Text)+len(s.Styled))
		}
		for _, b := range c.Borrowed {
			n += 16 + int64(len(b))
		}
	}
	return n
}

// viewerCache keeps what viewers may see of a track, derived by the
// viewer (which costs some ten times reading the stored cues). The key
// names the manifest as read (id, ETag, version) and the track's object,
// so any change of a speaker, alias, redaction, embargo or the track is a
// new key, on every instance, as soon as the manifest is read again. The
// viewer also depends on the time, through embargoes only: an entry
// holds from when it was made until the earliest embargo then pending.
type viewerCache struct{ lru *lru[viewerCues] }

type viewerCues struct {
	cues        []Cue
	from, until time.Time // until zero: no embargo pending
}

func newViewerCache(limit int64) *viewerCache {
	return &viewerCache{lru: newLRU(limit, func(v viewerCues) int64 { return viewerCuesSize(v.cues) })}
}

func viewerKey(rec Recording, etag string, tr Track) string {
	return rec.ID + "\x00" + etag + "\x00" + strconv.FormatInt(rec.Version, 10) + "\x00" + tr.Key
}

// get returns the cached viewer cues if they still hold at now: a copy of
// the slice (the cues themselves are shared and must not be changed).
func (c *viewerCache) get(key string, now time.Time) ([]Cue, bool) {
	if c == nil {
		return nil, false
	}
	v, ok := c.lru.get(key)
	if !ok || now.Before(v.from) || !v.until.IsZero() && !now.Before(v.until) {
		return nil, false
	}
	return slices.Clone(v.cues), true
}

func (c *viewerCache) put(key string, cues []Cue, from, until time.Time) {
	if c != nil {
		c.lru.put(key, viewerCues{cues: slices.Clone(cues), from: from, until: until})
	}
}

func viewerCuesSize(cues []Cue) int64 {
	const cueStruct, spanStruct = 112, 56
	var n int64
	for _, c := range cues {
		n += cueStruct + int64(len(c.Speaker)+len(c.Text)+len(c.Styled))
		for _, s := range c.Spans {
			n += spanStruct + int64(len(s.Speaker)+len(s.Text)+len(s.Styled))
		}
	}
	return n
}

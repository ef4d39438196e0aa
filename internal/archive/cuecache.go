package archive

import (
	"container/list"
	"slices"
	"sync"

	"github.com/verbatim-archive/verbatim/internal/subtitle"
)

// DefaultCueCache is how many bytes of parsed cues the Service keeps:
// parsing a stored track is most of what a watch page or a page of JSON
// cues costs (a 20,000-cue track allocates some 150 MiB to parse), while
// its parsed cues take a few MiB. 64 MiB holds the dozen longest tracks.
const DefaultCueCache = 64 << 20

// cueCache keeps parsed tracks by object key, least recently used first
// out. A track's key is never reused for other content (every upload gets
// a fresh one), so an entry is never stale; it is only evicted.
type cueCache struct {
	mu    sync.Mutex
	limit int64
	size  int64
	order *list.List               // of *cacheEntry, most recent at the front
	byKey map[string]*list.Element // key → element of order
}

type cacheEntry struct {
	key  string
	cues []subtitle.Cue
	size int64
}

func newCueCache(limit int64) *cueCache {
	return &cueCache{limit: limit, order: list.New(), byKey: map[string]*list.Element{}}
}

// get returns a copy of the cached cues (callers may change the slice),
// or false.
func (c *cueCache) get(key string) ([]subtitle.Cue, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return slices.Clone(el.Value.(*cacheEntry).cues), true
}

// put keeps cues under key unless they alone exceed the budget, evicting
// the least recently used entries to make room.
func (c *cueCache) put(key string, cues []subtitle.Cue) {
	if c == nil {
		return
	}
	size := cuesSize(cues)
	if size > c.limit {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[key]; ok {
		return
	}
	c.byKey[key] = c.order.PushFront(&cacheEntry{key: key, cues: slices.Clone(cues), size: size})
	c.size += size
	for c.size > c.limit {
		el := c.order.Back()
		e := el.Value.(*cacheEntry)
		c.order.Remove(el)
		delete(c.byKey, e.key)
		c.size -= e.size
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
	}
	return n
}

package bleveindex

import (
	"container/list"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/vellum/levenshtein"
)

// What typo matching keeps between searches, each within a fixed bound:
//
//   - dfaCacheBytes of automata, by their estimated size (dfaCost): a word
//     searched again, by anyone, reuses its automaton instead of building
//     it. 32 MiB holds about 25 two-typo automata of 10-letter words, or
//     280 one-typo ones;
//   - expansionCacheTerms dictionary terms: the terms an automaton accepted
//     in one segment's field. Segments never change once written (scorch
//     writes new ones and merges old ones away), so the expansion of a
//     word in a segment stays true for as long as the segment lives; an
//     entry of a merged-away segment is simply never asked for again and
//     goes out with the least recently used.
//
// The least recently used go first in both.
const (
	dfaCacheBytes       = 32 << 20
	expansionCacheTerms = 1 << 16
)

// cache is a cost-bounded LRU, safe for concurrent use.
type cache[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List // front: most recently used
	byKey map[K]*list.Element
}

type cacheEntry[K comparable, V any] struct {
	key  K
	val  V
	cost int
}

func newCache[K comparable, V any](max int) *cache[K, V] {
	return &cache[K, V]{max: max, order: list.New(), byKey: map[K]*list.Element{}}
}

func (c *cache[K, V]) get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*cacheEntry[K, V]).val, true
	}
	var zero V
	return zero, false
}

// put keeps v, evicting the least recently used past the bound. A value
// costing more than the whole bound is not kept.
func (c *cache[K, V]) put(key K, v V, cost int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[key]; ok || cost > c.max {
		return
	}
	c.byKey[key] = c.order.PushFront(&cacheEntry[K, V]{key: key, val: v, cost: cost})
	c.size += cost
	for c.size > c.max {
		e := c.order.Back()
		ent := e.Value.(*cacheEntry[K, V])
		c.order.Remove(e)
		delete(c.byKey, ent.key)
		c.size -= ent.cost
	}
}

// expansionKey names the expansion of one automaton in one segment's
// field.
type expansionKey struct {
	seg   any // the segment.Segment, compared by identity
	field string
	dfa   string // dfaKey
}

// typoCaches are the caches every search shares, with counters that
// tests and benchmarks read.
type typoCaches struct {
	dfas       *cache[string, *levenshtein.DFA]
	expansions *cache[expansionKey, []string]

	// built counts automata built, expanded the fuzzy terms searched
	// (one per field and word), scanned the segment dictionaries read.
	built, expanded, scanned atomic.Int64
}

func newTypoCaches() *typoCaches {
	return &typoCaches{
		dfas:       newCache[string, *levenshtein.DFA](dfaCacheBytes),
		expansions: newCache[expansionKey, []string](expansionCacheTerms),
	}
}

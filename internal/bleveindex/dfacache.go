package bleveindex

import (
	"container/list"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/vellum/levenshtein"
)

// dfaCacheBytes bounds the automata kept between searches, by their
// estimated size (dfaCost): a word searched again, by anyone, reuses its
// automaton instead of building it. 32 MiB holds about 25 two-typo
// automata of 10-letter words, or 280 one-typo ones; the least recently
// used go first. A fixed bound: it is what one search may plan
// (automataBudget) plus room for the popular words.
const dfaCacheBytes = 32 << 20

// dfaCache is a size-bounded LRU of built automata. A DFA is read-only
// once built, so searches share them.
type dfaCache struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List // front: most recently used
	byKey map[string]*list.Element

	// builds counts automata built, expansions the dictionary
	// expansions run (one per fuzzy term and segment set): tests and
	// benchmarks read them.
	builds, expansions atomic.Int64
}

type dfaEntry struct {
	key  string
	dfa  *levenshtein.DFA
	cost int
}

func newDFACache(max int) *dfaCache {
	return &dfaCache{max: max, order: list.New(), byKey: map[string]*list.Element{}}
}

func (c *dfaCache) get(key string) *levenshtein.DFA {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*dfaEntry).dfa
	}
	return nil
}

// put keeps d, evicting the least recently used past the bound. An
// automaton larger than the whole bound is not kept.
func (c *dfaCache) put(key string, d *levenshtein.DFA, cost int) {
	c.builds.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[key]; ok || cost > c.max {
		return
	}
	c.byKey[key] = c.order.PushFront(&dfaEntry{key: key, dfa: d, cost: cost})
	c.size += cost
	for c.size > c.max {
		e := c.order.Back()
		ent := e.Value.(*dfaEntry)
		c.order.Remove(e)
		delete(c.byKey, ent.key)
		c.size -= ent.cost
	}
}

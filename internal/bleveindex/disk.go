package bleveindex

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/verbatim-archive/verbatim/internal/archive"
)

// On disk, dir holds generations gen-1, gen-2, … (each a bleve index) and a
// file CURRENT naming the one in use. Rebuild fills the next generation and
// switches CURRENT with a rename, which is atomic: a crash leaves either
// the old or the new generation current, never a mix. Open removes any
// generation CURRENT does not name (left over from a crash).
const currentFile = "CURRENT"

// openConfig bounds the wait for another process holding the index open.
// A bulk generation (one Rebuild fills) uses unsafe batches: a batch
// returns once it is searchable, not once it is on disk, so filling it
// never waits for a sync. That is safe there alone: until the switch the
// generation is not current, and a crash leaves it to be removed;
// Rebuild waits for everything to be on disk (persisted) and reopens the
// generation with safe batches before switching to it.
func openConfig(bulk bool) map[string]interface{} {
	c := map[string]interface{}{"bolt_timeout": "2s"}
	if bulk {
		c["unsafe_batch"] = true
	}
	return c
}

// Open opens the index in dir, creating it when dir holds none. Only one
// process may have it open at a time.
func Open(dir string) (*Index, error) {
	if dir == "" {
		return nil, fmt.Errorf("bleveindex: open: no directory: %w", archive.ErrInvalid)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("bleveindex: open %q: %w", dir, err)
	}
	gen, err := readCurrent(dir)
	if err != nil {
		return nil, err
	}
	var idx bleve.Index
	if gen == 0 {
		gen = 1
		idx, err = newDisk(dir, gen, false)
		if err == nil {
			err = writeCurrent(dir, gen)
		}
	} else {
		idx, err = bleve.OpenUsing(genPath(dir, gen), openConfig(false))
	}
	if err != nil {
		return nil, fmt.Errorf("bleveindex: open %q: %v: %w", dir, err, archive.ErrUnavailable)
	}
	removeStale(dir, gen)
	am, err := newAutomata()
	if err != nil {
		idx.Close()
		return nil, err
	}
	return &Index{dir: dir, idx: idx, gen: gen, automata: am}, nil
}

func genPath(dir string, gen int) string {
	return filepath.Join(dir, "gen-"+strconv.Itoa(gen))
}

func newDisk(dir string, gen int, bulk bool) (bleve.Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	p := genPath(dir, gen)
	if err := os.RemoveAll(p); err != nil {
		return nil, err
	}
	idx, err := bleve.NewUsing(p, m, scorch.Name, scorch.Name, openConfig(bulk))
	if err != nil {
		return nil, err
	}
	// bleve writes index_meta.json readable by all; the index holds the
	// archive's words, so it is the server user's alone, like the rest.
	if err := os.Chmod(filepath.Join(p, "index_meta.json"), 0o600); err != nil {
		idx.Close()
		return nil, err
	}
	return idx, nil
}

// readCurrent returns the current generation, or 0 when there is none.
func readCurrent(dir string) (int, error) {
	b, err := os.ReadFile(filepath.Join(dir, currentFile))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("bleveindex: open %q: %w", dir, err)
	}
	gen, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(string(b)), "gen-"))
	if err != nil || gen < 1 {
		return 0, fmt.Errorf("bleveindex: open %q: %s is %q: %w", dir, currentFile, b, archive.ErrInvalid)
	}
	return gen, nil
}

// writeCurrent points CURRENT at gen: write a temporary file, sync it,
// rename it over CURRENT, sync the directory.
func writeCurrent(dir string, gen int) error {
	tmp := filepath.Join(dir, currentFile+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "gen-%d\n", gen)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, currentFile))
	}
	if err != nil {
		return fmt.Errorf("bleveindex: switch to generation %d: %w", gen, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// removeStale deletes every generation but keep. Failing to is harmless:
// the next Open tries again.
func removeStale(dir string, keep int) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		n, ok := strings.CutPrefix(e.Name(), "gen-")
		if g, err := strconv.Atoi(n); ok && err == nil && g != keep {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// Rebuild builds a fresh index with build and then switches to it: for
// `verbatim reindex`, which puts every recording from storage into the
// fresh index. Searches keep using the old index until the switch; Puts and
// Deletes made meanwhile go to both, so the fresh index misses nothing
// written after build read it from storage. (A recording build reads
// before such a write and puts after it would go back to the older
// version; reindexing runs rarely, and the next write of that recording
// corrects it.) If build fails, the fresh index is dropped and the old one
// stays. On disk the switch is the atomic rename of CURRENT.
func (x *Index) Rebuild(ctx context.Context, build func(ctx context.Context, fresh *Index) error) error {
	fresh, err := x.startRebuild()
	if err != nil {
		return err
	}
	err = build(ctx, fresh)
	if err == nil {
		fresh.writeMu.Lock()
		err = fresh.flushCarry()
		fresh.writeMu.Unlock()
	}
	if err == nil {
		err = fresh.Compact(ctx)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.fresh = nil
	if err == nil && x.dir != "" {
		err = fresh.reopenSafe()
	}
	if err == nil && x.dir != "" {
		err = writeCurrent(x.dir, fresh.gen)
	}
	if err != nil {
		if fresh.idx != nil {
			fresh.idx.Close()
		}
		if x.dir != "" {
			os.RemoveAll(genPath(x.dir, fresh.gen))
		}
		return fmt.Errorf("bleveindex: rebuild: %w", err)
	}
	old, oldGen := x.idx, x.gen
	x.idx, x.gen = fresh.idx, fresh.gen
	if err := old.Close(); err != nil {
		return fmt.Errorf("bleveindex: rebuild: close generation %d: %w", oldGen, err)
	}
	if x.dir != "" {
		os.RemoveAll(genPath(x.dir, oldGen))
	}
	return nil
}

// Compact merges the index into one segment, and returns when done. A
// bulk load leaves many segments and every search visits each one; the
// background merger gets there slowly. Rebuild compacts before switching.
// In-memory indexes have nothing to merge.
func (x *Index) Compact(ctx context.Context) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	adv, err := x.idx.Advanced()
	if err != nil {
		return fmt.Errorf("bleveindex: compact: %w", err)
	}
	if s, ok := adv.(*scorch.Scorch); ok {
		if err := s.ForceMerge(ctx, nil); err != nil {
			return fmt.Errorf("bleveindex: compact: %w", err)
		}
	}
	return nil
}

// reopenSafe waits until every batch of the bulk generation is on disk,
// then closes it and opens it again with safe batches, as Open would.
// When it fails, x.idx is nil if it was closed. Writes to the index are
// blocked meanwhile (the caller holds the write
// lock of the index being rebuilt, whose Puts mirror to this one).
func (x *Index) reopenSafe() error {
	persisted := make(chan error, 1)
	b := x.idx.NewBatch()
	// An empty batch is introduced after every earlier one and the
	// compaction, and the persister reports it once all of them are on
	// disk.
	b.SetPersistedCallback(func(err error) { persisted <- err })
	if err := x.idx.Batch(b); err != nil {
		return fmt.Errorf("persist: %w", err)
	}
	if err := <-persisted; err != nil {
		return fmt.Errorf("persist: %w", err)
	}
	err := x.idx.Close()
	x.idx = nil
	if err != nil {
		return fmt.Errorf("close generation %d: %w", x.gen, err)
	}
	idx, err := bleve.OpenUsing(genPath(x.dir, x.gen), openConfig(false))
	if err != nil {
		return fmt.Errorf("reopen generation %d: %w", x.gen, err)
	}
	x.idx = idx
	return nil
}

func (x *Index) startRebuild() (*Index, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.fresh != nil {
		return nil, fmt.Errorf("bleveindex: rebuild already running: %w", archive.ErrConflict)
	}
	var (
		idx bleve.Index
		err error
	)
	gen := x.gen + 1
	if x.dir == "" {
		idx, err = newMem()
	} else {
		idx, err = newDisk(x.dir, gen, true)
	}
	if err != nil {
		return nil, fmt.Errorf("bleveindex: rebuild: %w", err)
	}
	x.fresh = &Index{dir: x.dir, idx: idx, gen: gen, automata: x.automata, bulk: true, carried: map[string]bool{}}
	return x.fresh, nil
}

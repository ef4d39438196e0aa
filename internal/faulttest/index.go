package faulttest

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// FlakyIndex wraps a real archive.Index and fails every call while it is
// down, as an unreachable Meilisearch would: the error wraps
// archive.ErrUnavailable. Calls made while up reach the real index.
type FlakyIndex struct {
	archive.Index
	down  atomic.Bool
	fails atomic.Int64
}

// SetDown takes the index down (true) or brings it back (false).
func (f *FlakyIndex) SetDown(down bool) { f.down.Store(down) }

// Fails counts the calls refused while down.
func (f *FlakyIndex) Fails() int64 { return f.fails.Load() }

func (f *FlakyIndex) check(op string) error {
	if f.down.Load() {
		f.fails.Add(1)
		return fmt.Errorf("faulttest: index %s: connection refused: %w", op, archive.ErrUnavailable)
	}
	return nil
}

func (f *FlakyIndex) Put(ctx context.Context, id string, docs []archive.CueDoc) error {
	if err := f.check("put"); err != nil {
		return err
	}
	return f.Index.Put(ctx, id, docs)
}

func (f *FlakyIndex) Delete(ctx context.Context, id string) error {
	if err := f.check("delete"); err != nil {
		return err
	}
	return f.Index.Delete(ctx, id)
}

func (f *FlakyIndex) Search(ctx context.Context, q archive.SearchQuery) (archive.SearchResult, error) {
	if err := f.check("search"); err != nil {
		return archive.SearchResult{}, err
	}
	return f.Index.Search(ctx, q)
}

func (f *FlakyIndex) Ping(ctx context.Context) error {
	if err := f.check("ping"); err != nil {
		return err
	}
	return f.Index.Ping(ctx)
}

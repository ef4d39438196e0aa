package disk

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// List returns the objects whose key starts with prefix, sorted by key.
func (s *Store) List(ctx context.Context, prefix string) ([]archive.BlobInfo, error) {
	return s.ListAfter(ctx, prefix, "")
}

// ListAfter is List less the keys up to and including after: the walk
// still reads the directory names, but only the keys past after are
// stat'ed and described (see archive.AfterLister).
func (s *Store) ListAfter(ctx context.Context, prefix, after string) ([]archive.BlobInfo, error) {
	return s.ListPage(ctx, prefix, after, -1)
}

// ListPage is ListAfter cut to its first limit keys (limit < 0: all):
// only those are stat'ed and described (see archive.PageLister).
func (s *Store) ListPage(ctx context.Context, prefix, after string, limit int) ([]archive.BlobInfo, error) {
	if prefix != "" {
		if err := archive.ValidKey(strings.TrimSuffix(prefix, "/")); err != nil {
			return nil, fmt.Errorf("disk: list: prefix: %w", err)
		}
	}
	keys, err := s.keys(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("disk: list %q: %w", prefix, err)
	}
	if after != "" {
		i, _ := slices.BinarySearch(keys, after)
		for i < len(keys) && keys[i] <= after {
			i++
		}
		keys = keys[i:]
	}
	infos := make([]archive.BlobInfo, 0, len(keys))
	for _, key := range keys {
		if limit >= 0 && len(infos) >= limit {
			break
		}
		info, err := s.Stat(ctx, key)
		if errors.Is(err, archive.ErrNotFound) {
			continue // deleted since the walk
		}
		if err != nil {
			return nil, fmt.Errorf("disk: list %q: %w", prefix, err)
		}
		infos = append(infos, info)
	}
	return infos, nil
}

// keys walks the directories that can hold keys with prefix and returns
// those keys, sorted. Hidden names are the store's own files.
func (s *Store) keys(ctx context.Context, prefix string) ([]string, error) {
	start := "."
	if i := strings.LastIndexByte(prefix, '/'); i > 0 {
		start = prefix[:i]
	}
	var keys []string
	err := fs.WalkDir(s.root.FS(), start, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			if name == start && notExist(err) {
				return fs.SkipAll
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if name == "." {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if !strings.HasPrefix(name+"/", prefix) && !strings.HasPrefix(prefix, name+"/") {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && strings.HasPrefix(name, prefix) {
			keys = append(keys, name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The walk is sorted per directory, which is not key order: "a-b" sorts
	// before "a/c" as a key but after it in the walk.
	slices.Sort(keys)
	return keys, nil
}

// Delete removes the object; a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := archive.ValidKey(key); err != nil {
		return fmt.Errorf("disk: delete: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("disk: delete %q: %w", key, err)
	}
	if err := s.remove(key); err != nil {
		return fmt.Errorf("disk: delete %q: %w", key, err)
	}
	s.prune(path.Dir(key))
	return nil
}

func (s *Store) remove(key string) error {
	unlock, err := s.lock(key, true)
	if err != nil {
		return err
	}
	defer unlock()
	fi, err := s.root.Lstat(key)
	if notExist(err) || (err == nil && fi.IsDir()) {
		return nil // no object; a directory is only a prefix of other keys
	}
	if err != nil {
		return err
	}
	if err := s.root.Remove(key); err != nil && !notExist(err) {
		return err
	}
	if err := s.root.Remove(metaName(key)); err != nil && !notExist(err) {
		return err
	}
	// A concurrent Delete may already have pruned the emptied directory:
	// then there is nothing left to sync.
	if err := s.syncDir(path.Dir(key)); err != nil && !notExist(err) {
		return err
	}
	return nil
}

// prune removes dir and its parents while they are empty, so that deleted
// recordings leave no directories behind. Removing a non-empty directory
// fails, which ends the climb.
func (s *Store) prune(dir string) {
	for dir != "." && dir != "/" {
		if s.root.Remove(dir) != nil {
			return
		}
		dir = path.Dir(dir)
	}
}

// ListTemp returns the temporary files untouched for longer than age:
// what writers that crashed or were killed left behind (a write in
// progress touches its file with every chunk). Key is the file's path in
// the store, ModTime its last write.
func (s *Store) ListTemp(ctx context.Context, age time.Duration) ([]archive.BlobInfo, error) {
	cutoff := time.Now().Add(-age)
	var out []archive.BlobInfo
	err := fs.WalkDir(s.root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			if notExist(err) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() && d.Name() == lockDir {
			return fs.SkipDir
		}
		if d.IsDir() || !strings.HasPrefix(d.Name(), tempPrefix) {
			return nil
		}
		fi, err := d.Info()
		if err != nil || fi.ModTime().After(cutoff) {
			return nil
		}
		out = append(out, archive.BlobInfo{Key: name, Size: fi.Size(), ModTime: fi.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("disk: list temporary files: %w", err)
	}
	return out, nil
}

// CleanTemp removes temporary files untouched for longer than age, left
// behind by writers that crashed, and returns how many it removed. A
// younger temporary file may belong to an upload still in progress, in
// this or another process.
func (s *Store) CleanTemp(ctx context.Context, age time.Duration) (int, error) {
	temps, err := s.ListTemp(ctx, age)
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, t := range temps {
		if err := s.root.Remove(t.Key); err == nil {
			removed++
		}
	}
	return removed, nil
}

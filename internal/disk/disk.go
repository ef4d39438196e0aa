// Package disk implements archive.Blobs on a directory.
//
// Each object is a plain file at its key, so the data directory reads like
// the bucket it stands in for. Next to it a small hidden sidecar
// (".<name>.meta") keeps the ETag and content type. Names starting with a
// dot never come from keys (archive.ValidKey), so temporary files
// (".tmp-*"), sidecars and the lock directory (".locks") cannot collide
// with an object and List never shows them.
//
// The ETag is the first 128 bits of the SHA-256 of the content, in hex,
// computed while the object streams in. Being a pure function of the bytes,
// it can always be recomputed: a sidecar that no longer describes its file
// (a crash between the two renames of a Put, or a copy of the directory
// that lost modification times) is detected by size and modification time
// and repaired from the content.
//
// Writes go to a temporary file in the object's directory, are fsynced and
// renamed into place, and the directory is fsynced, so a reader sees the
// old object or the whole new one. Conditional writes check and rename
// while holding an flock(2) on one of 256 lock files chosen by the key's
// hash; flock excludes other processes on the same directory (a CLI writing
// while the server runs) as well as other goroutines, since each operation
// opens the lock file afresh. Readers take the same lock shared while they
// pair a file with its sidecar.
package disk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"syscall"
)

const (
	lockDir    = ".locks"
	tempPrefix = ".tmp-"
	metaSuffix = ".meta"
	bufSize    = 256 << 10
)

// Store is an archive.Blobs on one directory. It is safe for concurrent use
// by many goroutines and by several processes on the same directory.
type Store struct {
	root    *os.Root
	beneath *beneath // one-call opens under root where the kernel has them (nil: none)
	dir     string

	// beforeRename, when set by tests, runs between a conditional write's
	// check and its rename, to widen the window a missing lock would leave.
	beforeRename func()
}

// Open opens the store in dir, creating the directory if needed.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("disk: open: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("disk: open: %w", err)
	}
	if err := root.Mkdir(lockDir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		root.Close()
		return nil, fmt.Errorf("disk: open: %w", err)
	}
	return &Store{root: root, beneath: openBeneath(root), dir: dir}, nil
}

// Close releases the directory handles.
func (s *Store) Close() error {
	return errors.Join(s.beneath.close(), s.root.Close())
}

// Dir returns the directory the store was opened on.
func (s *Store) Dir() string { return s.dir }

// Ping reports whether the directory is still there and writable.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("disk: ping: %w", err)
	}
	f, name, err := s.createTemp(".")
	if err != nil {
		return fmt.Errorf("disk: ping: %w", err)
	}
	f.Close()
	if err := s.root.Remove(name); err != nil {
		return fmt.Errorf("disk: ping: %w", err)
	}
	return nil
}

// metaName is the sidecar of the object at key.
func metaName(key string) string {
	dir, base := path.Split(key)
	return dir + "." + base + metaSuffix
}

// createTemp creates a new temporary file in dir (relative to the root),
// creating dir first. A concurrent Delete may prune an empty dir between
// the two steps, or a parent while MkdirAll walks down ("mkdirat a/b: no
// such file or directory"), hence the retries on either.
func (s *Store) createTemp(dir string) (*os.File, string, error) {
	var err error
	for range 5 {
		if err = s.root.MkdirAll(dir, 0o700); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, "", err
		}
		name := path.Join(dir, tempPrefix+randomSuffix())
		var f *os.File
		f, err = s.root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			return f, name, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, "", err
		}
	}
	return nil, "", err
}

func randomSuffix() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// syncDir makes renames and removals in dir durable.
func (s *Store) syncDir(dir string) error {
	d, err := s.root.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// notExist reports whether err means the path is not there, including a
// parent that is a file rather than a directory.
func notExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

package disk

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"os"
	"path"
	"strconv"
	"syscall"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Get opens the object, or a byte range of it; see archive.Blobs.
func (s *Store) Get(ctx context.Context, key string, offset, length int64) (io.ReadCloser, archive.BlobInfo, error) {
	if err := archive.ValidKey(key); err != nil {
		return nil, archive.BlobInfo{}, fmt.Errorf("disk: get: %w", err)
	}
	if offset < 0 {
		return nil, archive.BlobInfo{}, fmt.Errorf("disk: get %q: negative offset %d: %w", key, offset, archive.ErrInvalid)
	}
	if err := ctx.Err(); err != nil {
		return nil, archive.BlobInfo{}, fmt.Errorf("disk: get %q: %w", key, err)
	}
	f, info, err := s.open(key)
	if err != nil {
		return nil, archive.BlobInfo{}, fmt.Errorf("disk: get %q: %w", key, err)
	}
	whole := offset == 0 && length < 0
	if !whole && offset >= info.Size {
		f.Close()
		return nil, archive.BlobInfo{}, fmt.Errorf("disk: get %q: offset %d of %d bytes: %w",
			key, offset, info.Size, archive.ErrRangeNotSatisfy)
	}
	n := info.Size - offset
	if length >= 0 && length < n {
		n = length
	}
	// A file just opened is at offset 0 (open reads the sidecar and hashes
	// with pread only), so whole reads such as manifests skip the lseek.
	if offset > 0 {
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			f.Close()
			return nil, archive.BlobInfo{}, fmt.Errorf("disk: get %q: %w", key, err)
		}
	}
	return &rangeReader{lr: &io.LimitedReader{R: f, N: n}, f: f}, info, nil
}

// rangeReader reads a byte range of an open file.
type rangeReader struct {
	lr *io.LimitedReader
	f  *os.File
}

func (r *rangeReader) Read(p []byte) (int, error) { return r.lr.Read(p) }

// WriteTo hands the writer the *io.LimitedReader of an *os.File, which
// net/http's response writer turns into sendfile(2).
func (r *rangeReader) WriteTo(w io.Writer) (int64, error) { return io.Copy(w, r.lr) }

func (r *rangeReader) Close() error { return r.f.Close() }

// Stat returns the object's metadata; see archive.Blobs.
func (s *Store) Stat(ctx context.Context, key string) (archive.BlobInfo, error) {
	if err := archive.ValidKey(key); err != nil {
		return archive.BlobInfo{}, fmt.Errorf("disk: stat: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return archive.BlobInfo{}, fmt.Errorf("disk: stat %q: %w", key, err)
	}
	f, info, err := s.open(key)
	if err != nil {
		return archive.BlobInfo{}, fmt.Errorf("disk: stat %q: %w", key, err)
	}
	f.Close()
	return info, nil
}

// open opens the object's file and pairs it with its sidecar while holding
// the key's shared lock, so that no Put is half-way between its two renames.
func (s *Store) open(key string) (*os.File, archive.BlobInfo, error) {
	unlock, err := s.lock(key, false)
	if err != nil {
		return nil, archive.BlobInfo{}, err
	}
	f, info, stale, err := s.openLocked(key)
	unlock()
	if err != nil {
		return nil, archive.BlobInfo{}, err
	}
	if stale {
		s.repair(key, f, info)
	}
	return f, info, nil
}

// statLocked is open for a caller that already holds the key's lock.
func (s *Store) statLocked(key string) (archive.BlobInfo, error) {
	f, info, _, err := s.openLocked(key)
	if err != nil {
		return archive.BlobInfo{}, err
	}
	f.Close()
	return info, nil
}

// openLocked opens the file and reads its sidecar. When the sidecar does not
// describe the file, the ETag is recomputed from the content and stale is
// true.
func (s *Store) openLocked(key string) (f *os.File, info archive.BlobInfo, stale bool, err error) {
	// Object and sidecar share a directory: walking to it once and opening
	// both from there saves a walk of the path (an openat and a close per
	// directory) on every read.
	// When that fails (a missing directory, or a file where a directory
	// should be) the whole path is opened from the root instead, so that
	// every error is classified as before.
	dir, name := s.root, key
	if d, err := s.root.OpenRoot(path.Dir(key)); err == nil {
		defer d.Close()
		dir, name = d, path.Base(key)
	}
	f, err = openRead(dir, name)
	if notExist(err) {
		return nil, info, false, fmt.Errorf("no such object: %w", archive.ErrNotFound)
	}
	if err != nil {
		return nil, info, false, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("not an object: %w", archive.ErrNotFound)
	}
	if err != nil {
		f.Close()
		return nil, info, false, err
	}
	sidecar := metaName(key)
	if dir != s.root {
		sidecar = path.Base(sidecar)
	}
	m, merr := readMeta(dir, sidecar)
	if merr == nil && m.Size == fi.Size() && m.MTimeNS == fi.ModTime().UnixNano() {
		return f, m.info(key), false, nil
	}
	// The sidecar is missing or describes another version of the file.
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, fi.Size())); err != nil {
		f.Close()
		return nil, info, false, err
	}
	if merr != nil || m.ContentType == "" {
		m.ContentType = guessType(key)
	}
	m = meta{ETag: etag(h), ContentType: m.ContentType, Size: fi.Size(), MTimeNS: fi.ModTime().UnixNano()}
	return f, m.info(key), true, nil
}

// maxMetaSize bounds what is read of a sidecar; a real one is a few
// hundred bytes, and a longer one fails to decode and counts as stale.
const maxMetaSize = 64 << 10

func readMeta(dir *os.Root, name string) (meta, error) {
	f, err := openRead(dir, name)
	if err != nil {
		return meta{}, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxMetaSize))
	if err != nil {
		return meta{}, err
	}
	var m meta
	err = json.Unmarshal(b, &m)
	return m, err
}

// openRead opens a file for reading with O_NONBLOCK. Every read opens two
// files (object and sidecar); without the flag the os package spends two
// fcntl calls per open switching a regular file to non-blocking mode and
// back. Linux ignores O_NONBLOCK for regular files, so reads and sendfile
// behave the same; and a FIFO planted in the data directory cannot block
// the open (it is then refused as not a regular file).
func openRead(dir *os.Root, name string) (*os.File, error) {
	return dir.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// repair rewrites a stale sidecar so that the hash is computed once, unless
// the file was replaced in the meantime. It is best effort: a failure only
// means the next reader recomputes the ETag again.
func (s *Store) repair(key string, f *os.File, info archive.BlobInfo) {
	m := meta{ETag: info.ETag, ContentType: info.ContentType, Size: info.Size, MTimeNS: info.ModTime.UnixNano()}
	tmp, err := s.writeMeta(path.Dir(key), m)
	if err != nil {
		return
	}
	defer s.root.Remove(tmp)
	unlock, err := s.lock(key, true)
	if err != nil {
		return
	}
	defer unlock()
	opened, err1 := f.Stat()
	current, err2 := s.root.Lstat(key)
	if err1 != nil || err2 != nil || !os.SameFile(opened, current) {
		return
	}
	if s.root.Rename(tmp, metaName(key)) == nil {
		s.syncDir(path.Dir(key))
	}
}

// guessType gives a file without a sidecar (copied in by hand) a content
// type from its extension.
func guessType(key string) string {
	if t := mime.TypeByExtension(path.Ext(key)); t != "" {
		return t
	}
	return defaultContentType
}

// OpenRange opens a byte range of an object without its metadata, for a
// caller that already has the object's description from elsewhere (media,
// described by the manifest). It takes neither the key's lock nor the
// sidecar: objects are replaced by rename, so the open sees one whole
// version of the file, and the sidecar is only needed for BlobInfo. Errors
// are those of Get.
func (s *Store) OpenRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if err := archive.ValidKey(key); err != nil {
		return nil, fmt.Errorf("disk: get: %w", err)
	}
	if offset < 0 {
		return nil, fmt.Errorf("disk: get %q: negative offset %d: %w", key, offset, archive.ErrInvalid)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("disk: get %q: %w", key, err)
	}
	f, size, err := s.openObject(key)
	if err != nil {
		return nil, fmt.Errorf("disk: get %q: %w", key, err)
	}
	if !(offset == 0 && length < 0) && offset >= size {
		f.Close()
		return nil, fmt.Errorf("disk: get %q: offset %d of %d bytes: %w", key, offset, size, archive.ErrRangeNotSatisfy)
	}
	n := size - offset
	if length >= 0 && length < n {
		n = length
	}
	if offset > 0 {
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			f.Close()
			return nil, fmt.Errorf("disk: get %q: %w", key, err)
		}
	}
	return &rangeReader{lr: &io.LimitedReader{R: f, N: n}, f: f}, nil
}

// openObject opens an object's file alone and returns its size.
func (s *Store) openObject(key string) (*os.File, int64, error) {
	f, err := s.beneath.openRead(key)
	if errors.Is(err, errFallback) {
		f, err = openRead(s.root, key)
	}
	if notExist(err) {
		return nil, 0, fmt.Errorf("no such object: %w", archive.ErrNotFound)
	}
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("not an object: %w", archive.ErrNotFound)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// Version returns a token that changes whenever the object is replaced,
// from a stat of its file alone (no open, no lock, no sidecar): every Put
// renames a new file into place, so its inode changes, and so do its
// modification time or size (see archive.Versioner). A missing object
// wraps archive.ErrNotFound.
func (s *Store) Version(ctx context.Context, key string) (string, error) {
	if err := archive.ValidKey(key); err != nil {
		return "", fmt.Errorf("disk: version: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("disk: version %q: %w", key, err)
	}
	tok, err := s.beneath.version(key)
	if errors.Is(err, errFallback) {
		tok, err = s.rootVersion(key)
	}
	if notExist(err) || errors.Is(err, errNotRegular) {
		return "", fmt.Errorf("disk: version %q: no such object: %w", key, archive.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("disk: version %q: %w", key, err)
	}
	return tok, nil
}

var errNotRegular = errors.New("not a regular file")

// rootVersion is Version through os.Root's Lstat.
func (s *Store) rootVersion(key string) (string, error) {
	fi, err := s.root.Lstat(key)
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", errNotRegular
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return versionToken(uint64(st.Dev), uint64(st.Ino), fi.ModTime().UnixNano(), fi.Size()), nil
	}
	return strconv.FormatInt(fi.ModTime().UnixNano(), 10) + "-" + strconv.FormatInt(fi.Size(), 10), nil
}

// versionToken is the one format of a version token: the file's identity,
// modification time and size.
func versionToken(dev, ino uint64, mtimeNS, size int64) string {
	b := make([]byte, 0, 64)
	b = strconv.AppendUint(b, dev, 10)
	b = append(b, '-')
	b = strconv.AppendUint(b, ino, 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, mtimeNS, 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, size, 10)
	return string(b)
}

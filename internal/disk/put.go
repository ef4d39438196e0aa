package disk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

const defaultContentType = "application/octet-stream"

// meta is the sidecar of an object. Size and MTimeNS identify the file it
// describes, so that a sidecar left behind by a crash is recognised.
type meta struct {
	ETag        string `json:"etag"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	MTimeNS     int64  `json:"mtime_ns"`
}

// Put stores r under key; see archive.Blobs.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, opts archive.PutOptions) (archive.BlobInfo, error) {
	if err := archive.ValidKey(key); err != nil {
		return archive.BlobInfo{}, fmt.Errorf("disk: put: %w", err)
	}
	opts.IfMatch = strings.Trim(opts.IfMatch, `"`) // as an HTTP If-Match header carries it
	if opts.IfMatch != "" && opts.IfNoneMatch {
		return archive.BlobInfo{}, fmt.Errorf("disk: put %q: both IfMatch and IfNoneMatch: %w", key, archive.ErrInvalid)
	}
	info, err := s.put(ctx, key, r, size, opts)
	if err != nil {
		return archive.BlobInfo{}, fmt.Errorf("disk: put %q: %w", key, err)
	}
	return info, nil
}

func (s *Store) put(ctx context.Context, key string, r io.Reader, size int64, opts archive.PutOptions) (archive.BlobInfo, error) {
	if opts.IfNoneMatch || opts.IfMatch != "" {
		// A condition that fails already fails before a large body is
		// stored for nothing. publish checks again, atomically.
		if err := s.precheck(key, opts); err != nil {
			return archive.BlobInfo{}, err
		}
	}
	dir := path.Dir(key)
	data, err := s.writeData(ctx, dir, r, size)
	if err != nil {
		return archive.BlobInfo{}, err
	}
	defer s.root.Remove(data.name) // a no-op once renamed
	m := data.meta
	m.ContentType = opts.ContentType
	if m.ContentType == "" {
		m.ContentType = defaultContentType
	}
	metaTmp, err := s.writeMeta(dir, m)
	if err != nil {
		return archive.BlobInfo{}, err
	}
	defer s.root.Remove(metaTmp)
	if err := s.publish(ctx, key, data.name, metaTmp, opts); err != nil {
		return archive.BlobInfo{}, err
	}
	return m.info(key), nil
}

// publish checks the write's condition and renames the temporary files into
// place, under the key's exclusive lock.
func (s *Store) publish(ctx context.Context, key, dataTmp, metaTmp string, opts archive.PutOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	unlock, err := s.lock(key, true)
	if err != nil {
		return err
	}
	defer unlock()
	if err := s.check(key, opts); err != nil {
		return err
	}
	if s.beforeRename != nil {
		s.beforeRename()
	}
	if err := s.root.Rename(dataTmp, key); err != nil {
		return conflictOr(err)
	}
	if err := s.root.Rename(metaTmp, metaName(key)); err != nil {
		return err
	}
	return s.syncDir(path.Dir(key))
}

func (s *Store) precheck(key string, opts archive.PutOptions) error {
	unlock, err := s.lock(key, false)
	if err != nil {
		return err
	}
	defer unlock()
	return s.check(key, opts)
}

// check enforces opts' condition. The caller holds the key's lock.
func (s *Store) check(key string, opts archive.PutOptions) error {
	switch {
	case opts.IfNoneMatch:
		_, err := s.root.Lstat(key)
		if err == nil {
			return fmt.Errorf("key exists: %w", archive.ErrPrecondition)
		}
		if !notExist(err) {
			return err
		}
	case opts.IfMatch != "":
		cur, err := s.statLocked(key)
		if errors.Is(err, archive.ErrNotFound) {
			return fmt.Errorf("if-match %q: key does not exist: %w", opts.IfMatch, archive.ErrPrecondition)
		}
		if err != nil {
			return err
		}
		if cur.ETag != opts.IfMatch {
			return fmt.Errorf("if-match %q: current ETag is %q: %w", opts.IfMatch, cur.ETag, archive.ErrPrecondition)
		}
	}
	return nil
}

// conflictOr marks the failure to store a key where a directory is (key "a"
// while "a/b" exists) or below a file (key "a/b/c" while "a/b" exists) as a
// conflict between keys.
func conflictOr(err error) error {
	var le *os.LinkError
	if errors.As(err, &le) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("key clashes with an object or prefix on disk: %w: %w", archive.ErrConflict, err)
	}
	return err
}

type tempData struct {
	name string
	meta meta
}

// writeData streams r into a new temporary file in dir, hashing it on the
// way, and makes it durable.
func (s *Store) writeData(ctx context.Context, dir string, r io.Reader, size int64) (tempData, error) {
	f, name, err := s.createTemp(dir)
	if err != nil {
		return tempData{}, conflictOr(err)
	}
	ok := false
	defer func() {
		f.Close()
		if !ok {
			s.root.Remove(name)
		}
	}()
	h := sha256.New()
	n, err := copyBody(ctx, io.MultiWriter(f, h), r, size)
	if err != nil {
		return tempData{}, err
	}
	// An explicit nanosecond mtime makes the (size, mtime) identity that the
	// sidecar records practically unique per write.
	mtime := time.Now()
	if err := s.root.Chtimes(name, mtime, mtime); err != nil {
		return tempData{}, err
	}
	if err := f.Sync(); err != nil {
		return tempData{}, err
	}
	if err := f.Close(); err != nil {
		return tempData{}, err
	}
	ok = true
	return tempData{name: name, meta: meta{ETag: etag(h), Size: n, MTimeNS: mtime.UnixNano()}}, nil
}

// copyBody copies r to w with a bounded buffer, stopping when ctx ends, and
// checks the length against size when size is known.
func copyBody(ctx context.Context, w io.Writer, r io.Reader, size int64) (int64, error) {
	src := io.Reader(ctxReader{ctx, r})
	if size >= 0 {
		src = io.LimitReader(src, size+1)
	}
	n, err := io.CopyBuffer(w, src, make([]byte, bufSize))
	if err != nil {
		return n, err
	}
	if size >= 0 && n < size {
		return n, fmt.Errorf("body ended after %d bytes, announced %d: %w", n, size, archive.ErrInvalid)
	}
	if size >= 0 && n > size {
		return n, fmt.Errorf("body longer than the announced %d bytes: %w", size, archive.ErrInvalid)
	}
	return n, nil
}

func etag(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)[:16]) }

// ctxReader stops a copy once the context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// writeMeta writes m to a durable temporary file in dir.
func (s *Store) writeMeta(dir string, m meta) (string, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	f, name, err := s.createTemp(dir)
	if err != nil {
		return "", err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		s.root.Remove(name)
		return "", err
	}
	return name, nil
}

func (m meta) info(key string) archive.BlobInfo {
	return archive.BlobInfo{
		Key:         key,
		Size:        m.Size,
		ETag:        m.ETag,
		ModTime:     time.Unix(0, m.MTimeNS),
		ContentType: m.ContentType,
	}
}

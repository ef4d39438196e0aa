//go:build linux

package disk

import (
	"errors"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// beneath opens paths under the store's directory in one openat(2) call each,
// confined as os.Root confines them: RESOLVE_BENEATH keeps the lookup
// inside, RESOLVE_NO_SYMLINKS refuses every symbolic link. os.Root walks a
// path one component at a time (an open and a close per directory: seven
// system calls for a media file), which dominated the cost of a small
// range. Whatever this path cannot answer (a kernel without openat2, a
// symlink inside the store) goes to os.Root, which stays the authority:
// errFallback says so.
type beneath struct {
	dir syscall.RawConn // the store's directory, held open
	f   *os.File
}

var errFallback = errors.New("disk: ask os.Root")

func openBeneath(root *os.Root) *beneath {
	f, err := root.Open(".")
	if err != nil {
		return nil
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil
	}
	return &beneath{dir: rc, f: f}
}

func (b *beneath) close() error {
	if b == nil {
		return nil
	}
	return b.f.Close()
}

// openat2 opens name relative to the store's directory. A missing
// component is fs.ErrNotExist; every other failure is errFallback.
func (b *beneath) openat2(name string, flags uint64) (int, error) {
	if b == nil {
		return -1, errFallback
	}
	how := unix.OpenHow{Flags: flags | unix.O_CLOEXEC, Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS}
	fd, errno := -1, error(nil)
	// Control holds the directory open for the call, so a concurrent
	// Close cannot hand its descriptor number to another file meanwhile.
	if err := b.dir.Control(func(dirfd uintptr) {
		for {
			fd, errno = unix.Openat2(int(dirfd), name, &how)
			if errno != unix.EINTR {
				return
			}
		}
	}); err != nil {
		return -1, errFallback
	}
	switch {
	case errno == nil:
		return fd, nil
	case errno == unix.ENOENT:
		return -1, fs.ErrNotExist
	}
	return -1, errFallback
}

// openRead opens name for reading, as openRead does through os.Root
// (non-blocking, so that a FIFO planted in the store cannot hang the open).
func (b *beneath) openRead(name string) (*os.File, error) {
	fd, err := b.openat2(name, unix.O_RDONLY|unix.O_NONBLOCK)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), name), nil
}

// version is Store.Version's token from an O_PATH open and fstat(2),
// formatted as versionToken formats os.Root's Lstat.
func (b *beneath) version(name string) (string, error) {
	fd, err := b.openat2(name, unix.O_PATH|unix.O_NOFOLLOW)
	if err != nil {
		return "", err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return "", errFallback
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return "", errNotRegular
	}
	return versionToken(uint64(st.Dev), st.Ino, st.Mtim.Nano(), st.Size), nil
}

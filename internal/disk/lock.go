package disk

import (
	"fmt"
	"hash/fnv"
	"os"
	"syscall"
)

const lockStripes = 256

// lock takes an flock on the key's lock file, exclusive or shared, and
// returns the function that releases it. Striping bounds the number of lock
// files; they are never removed, because removing a lock file that another
// process has open would let two holders lock different files.
func (s *Store) lock(key string, exclusive bool) (unlock func(), err error) {
	h := fnv.New32a()
	h.Write([]byte(key))
	name := fmt.Sprintf("%s/%02x", lockDir, h.Sum32()%lockStripes)
	f, err := s.root.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock: %w", err)
	}
	// Closing the file releases the lock.
	return func() { f.Close() }, nil
}

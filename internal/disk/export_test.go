package disk

import "time"

// SlowRename makes every write of s pause for d between its condition check
// and its rename.
func SlowRename(s *Store, d time.Duration) {
	s.beforeRename = func() { time.Sleep(d) }
}

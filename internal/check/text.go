package check

import (
	"fmt"
	"io"
)

// WriteText prints the report for a person at a terminal: one line per
// finding, then a summary line. It is what `verbatim check` shows.
func (r Report) WriteText(w io.Writer) error {
	var err error
	p := func(format string, args ...any) {
		if err == nil {
			_, err = fmt.Fprintf(w, format, args...)
		}
	}
	for _, m := range r.Missing {
		p("MISSING   %s: %s points at %s, which does not exist\n", m.RecordingID, m.Field, m.Key)
	}
	for _, u := range r.Unreadable {
		p("UNREADABLE %s: %s\n", u.Key, u.Err)
	}
	removed := make(map[string]bool, len(r.Removed))
	for _, k := range r.Removed {
		removed[k] = true
	}
	for _, o := range r.Orphans {
		state := "orphan "
		if removed[o.Key] {
			state = "removed"
		}
		p("%s   %s (%d bytes, %s)\n", state, o.Key, o.Size, o.ModTime.UTC().Format("2006-01-02T15:04:05Z"))
	}
	verdict := "consistent"
	if !r.OK() {
		verdict = "INCONSISTENT"
	}
	p("%s: %d recordings, %d objects, %d orphans (%d bytes), %d removed, %d kept as too young, %d missing, %d unreadable, %d temporary files removed\n",
		verdict, r.Recordings, r.Objects, len(r.Orphans), r.OrphanBytes(), len(r.Removed), r.Young, len(r.Missing), len(r.Unreadable), r.TempFiles)
	return err
}

package check

import (
	"fmt"
	"io"
)

// WriteText prints the report for a person at a terminal: one line per
// finding, then a summary. It is what `verbatim check` shows.
func (r Report) WriteText(w io.Writer) error {
	var err error
	p := func(format string, args ...any) {
		if err == nil {
			_, err = fmt.Fprintf(w, format, args...)
		}
	}
	p("recordings: %d, objects: %d\n", r.Recordings, r.Objects)
	for _, m := range r.Missing {
		p("missing: recording %s: %s -> %s does not exist\n", m.RecordingID, m.Field, m.Key)
	}
	for _, u := range r.Unreadable {
		p("unreadable manifest: %s: %s\n", u.Key, u.Err)
	}
	for _, o := range r.Orphans {
		p("orphan: %s (%d bytes, %s)\n", o.Key, o.Size, o.ModTime.UTC().Format("2006-01-02T15:04:05Z"))
	}
	p("orphans: %d (%d bytes), %d kept as too young to remove\n", len(r.Orphans), r.OrphanBytes(), r.Young)
	var tempBytes int64
	for _, t := range r.Temps {
		p("temporary file: %s (%d bytes, last written %s)\n", t.Key, t.Size, t.ModTime.UTC().Format("2006-01-02T15:04:05Z"))
		tempBytes += t.Size
	}
	if len(r.Temps) > 0 {
		p("temporary files: %d (%d bytes) left by killed or crashed writes; --clean removes them\n", len(r.Temps), tempBytes)
	}
	for _, k := range r.Removed {
		p("removed: %s\n", k)
	}
	if len(r.Removed) > 0 || r.TempFiles > 0 {
		p("removed: %d orphans, %d temporary files\n", len(r.Removed), r.TempFiles)
	}
	for _, u := range r.Uploads {
		state := "resumable"
		if u.Expired {
			state = "expired"
		}
		p("upload: %s %s (%d objects, %d bytes, last write %s)\n", u.ID, state, u.Objects, u.Bytes, u.LastWrite.UTC().Format("2006-01-02T15:04:05Z"))
	}
	for _, pi := range r.PendingIndex {
		p("pending index update: recording %s (%d since %s)\n", pi.RecordingID, len(pi.Keys), pi.Since.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if n := len(r.PendingIndex); n > 0 {
		p("pending: %d recordings wait for an index update: start the server (it applies them at start) or run 'verbatim reindex'\n", n)
	}
	if r.OK() {
		p("ok: every manifest points at objects that exist\n")
	} else {
		p("INCONSISTENT: %d missing objects, %d unreadable manifests\n", len(r.Missing), len(r.Unreadable))
	}
	return err
}

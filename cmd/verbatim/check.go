package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/verbatim-archive/verbatim/internal/check"
)

const checkAbout = `Check that storage is consistent: every manifest readable and pointing at
objects that exist, and no objects that no manifest refers to (orphans,
left by an upload that failed or a process that was killed). Reports and
exits 1 when a manifest is broken. --clean removes orphans older than
--min-age (default 1h, so uploads in progress on a running server are left
alone) and temporary files of crashed writers. Works while a server runs.`

// errInconsistent makes check exit non-zero without a usage message.
var errInconsistent = errors.New("check: storage is inconsistent")

func runCheck(ctx context.Context, args []string, io Stdio) error {
	fs, cfg, err := flags("check", "[--clean] [--min-age D] [flags]", checkAbout, io)
	if err != nil {
		return err
	}
	clean := fs.Bool("clean", false, "remove orphans older than --min-age")
	minAge := fs.Duration("min-age", check.DefaultMinAge, "only orphans older than this `duration` are removed")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *minAge <= 0 {
		return fmt.Errorf("%w: --min-age must be positive", errUsage)
	}
	d, err := open(ctx, cfg, withoutIndex, newLogger(io.Stderr))
	if err != nil {
		return err
	}
	defer d.Close()
	rep, err := check.Run(ctx, d.blobs, check.Options{Clean: *clean, MinAge: *minAge})
	if err != nil {
		return err
	}
	w := io.Stdout
	fmt.Fprintf(w, "recordings: %d, objects: %d\n", rep.Recordings, rep.Objects)
	for _, m := range rep.Missing {
		fmt.Fprintf(w, "missing: recording %s: %s -> %s does not exist\n", m.RecordingID, m.Field, m.Key)
	}
	for _, u := range rep.Unreadable {
		fmt.Fprintf(w, "unreadable manifest: %s: %s\n", u.Key, u.Err)
	}
	for _, o := range rep.Orphans {
		fmt.Fprintf(w, "orphan: %s (%d bytes, %s)\n", o.Key, o.Size, o.ModTime.UTC().Format("2006-01-02 15:04:05Z"))
	}
	fmt.Fprintf(w, "orphans: %d (%d bytes), %d younger than %s kept\n", len(rep.Orphans), rep.OrphanBytes(), rep.Young, *minAge)
	if *clean {
		for _, k := range rep.Removed {
			fmt.Fprintf(w, "removed: %s\n", k)
		}
		fmt.Fprintf(w, "removed: %d orphans, %d temporary files\n", len(rep.Removed), rep.TempFiles)
	}
	if !rep.OK() {
		return errInconsistent
	}
	fmt.Fprintln(w, "ok: every manifest points at objects that exist")
	return nil
}

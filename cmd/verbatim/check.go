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
exits 1 when a manifest is broken. Also lists the temporary files of
killed or crashed writes (untouched for a minute, or three body idle
timeouts if that is longer). --clean removes orphans older than --min-age
(default 1h, so uploads in progress on a running server are left alone) and
those temporary files. --min-age 0 removes everything unreferenced at once:
only when no server writes to the store. Works while a server runs.`

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
	if *minAge < 0 {
		return fmt.Errorf("%w: --min-age must not be negative", errUsage)
	}
	opts := check.Options{Clean: *clean, MinAge: *minAge, UploadExpiry: cfg.UploadExpiry,
		StaleTemp: max(check.DefaultStaleTemp, 3*cfg.Limits.BodyIdleTimeout)}
	if *minAge == 0 {
		opts.MinAge = -1 // any age
		if *clean {
			fmt.Fprintln(io.Stderr, "warning: --min-age 0 removes orphans and temporary files of any age, uploads in progress included: use it only when no server writes to this store")
		} else {
			fmt.Fprintln(io.Stderr, "warning: --min-age 0 counts temporary files of any age, uploads in progress included")
		}
	}
	d, err := open(ctx, cfg, withoutIndex, newLogger(io.Stderr, cfg))
	if err != nil {
		return err
	}
	defer d.Close()
	rep, err := check.Run(ctx, d.blobs, opts)
	if err != nil {
		return err
	}
	if err := rep.WriteText(io.Stdout); err != nil {
		return err
	}
	if !rep.OK() {
		return errInconsistent
	}
	return nil
}

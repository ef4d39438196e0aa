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
	d, err := open(ctx, cfg, withoutIndex, newLogger(io.Stderr, cfg))
	if err != nil {
		return err
	}
	defer d.Close()
	rep, err := check.Run(ctx, d.blobs, check.Options{Clean: *clean, MinAge: *minAge, UploadExpiry: cfg.UploadExpiry})
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

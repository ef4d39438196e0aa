package main

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/verbatim-archive/verbatim/internal/testenv"
)

const rangeID = "bench-range"

// rangeCase is one shape of range load.
type rangeCase struct {
	length int64
	conns  int
}

var rangeCases = []rangeCase{{8 << 20, 1}, {8 << 20, 8}, {64 << 10, 1}, {64 << 10, 8}}

func (c rangeCase) String() string {
	size := fmt.Sprintf("%d KiB", c.length>>10)
	if c.length >= 1<<20 {
		size = fmt.Sprintf("%d MiB", c.length>>20)
	}
	return fmt.Sprintf("%s ranges, %d conn", size, c.conns)
}

// mediaFile writes the served file once per run, in a directory of its
// own that nginx uses as its root.
func (e *env) mediaFile() (string, error) {
	if e.media != "" {
		return e.media, nil
	}
	dir := filepath.Join(e.dir, "www")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	p := filepath.Join(dir, "sample.mp4")
	e.logf("writing a %d MiB media file", e.cfg.fileSize>>20)
	if err := writeMediaFile(p, e.cfg.fileSize); err != nil {
		return "", err
	}
	e.media = p
	return p, nil
}

// rangeSection: Verbatim on disk vs nginx on the same file, then Verbatim
// on S3 (proxying) vs presigned GETs straight from versitygw.
func rangeSection(ctx context.Context, e *env) ([]row, error) {
	file, err := e.mediaFile()
	if err != nil {
		return nil, err
	}
	disk, err := e.verbatimWithMedia(ctx, "range-disk", nil, file)
	if err != nil {
		return nil, err
	}
	peerURL, skip := "", ""
	if bin := findNginx(); bin == "" {
		skip = "skipped: nginx not installed"
	} else if base, err := e.startNginx(ctx, bin, filepath.Dir(file)); err != nil {
		skip = "skipped: nginx failed to start: " + err.Error()
	} else {
		peerURL = base + "/sample.mp4"
	}
	rows, err := e.compareRanges(ctx, "range (disk)", disk.base+"/media/"+rangeID, "nginx", peerURL, skip, file)
	if err != nil {
		return rows, err
	}

	s3, err := e.versity(ctx)
	if err != nil {
		return append(rows, row{section: "range (S3)", measure: "all", ours: math.NaN(), skipped: "skipped: versitygw did not start: " + err.Error()}), nil
	}
	proxied, err := e.verbatimWithMedia(ctx, "range-s3", e.s3Env(s3), file)
	if err != nil {
		return rows, err
	}
	direct, err := presignedCopy(ctx, s3, file)
	if err != nil {
		return rows, fmt.Errorf("direct copy in versitygw: %w", err)
	}
	more, err := e.compareRanges(ctx, "range (S3)", proxied.base+"/media/"+rangeID, "versitygw direct", direct, "", file)
	return append(rows, more...), err
}

// verbatimWithMedia starts a server, creates a published recording and
// uploads file as its media.
func (e *env) verbatimWithMedia(ctx context.Context, name string, extraEnv []string, file string) (*verbatim, error) {
	v, err := e.startVerbatim(ctx, name, "serve", extraEnv)
	if err != nil {
		return nil, err
	}
	if err := v.editor(ctx); err != nil {
		return nil, err
	}
	if err := v.createPublished(ctx, rangeID, "Range benchmark"); err != nil {
		return nil, err
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := v.putMedia(ctx, rangeID, f, fi.Size()); err != nil {
		return nil, err
	}
	return v, nil
}

// presignedCopy puts file into the bucket next to Verbatim's objects and
// returns a presigned GET URL valid for the whole run.
func presignedCopy(ctx context.Context, s3 *testenv.S3Server, file string) (string, error) {
	bucket := s3.Bucket
	mc, err := s3.Client()
	if err != nil {
		return "", err
	}
	const key = "direct/sample.mp4"
	if _, err := mc.FPutObject(ctx, bucket, key, file, minio.PutObjectOptions{ContentType: "video/mp4"}); err != nil {
		return "", err
	}
	u, err := mc.PresignedGetObject(ctx, bucket, key, 6*time.Hour, url.Values{})
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// compareRanges runs every range case against ours and the peer, one after
// the other, and turns them into rows.
func (e *env) compareRanges(ctx context.Context, sec, ours, peerName, peer, skip, file string) ([]row, error) {
	size := e.cfg.fileSize
	if err := verifySame(ctx, ours, file, size); err != nil {
		return nil, err
	}
	if peer != "" {
		if err := verifySame(ctx, peer, file, size); err != nil {
			skip, peer = "skipped: "+peerName+" serves other bytes: "+err.Error(), ""
		}
	}
	var rows []row
	for _, c := range rangeCases {
		// A-B-B-A halves, so drifting load from elsewhere on the machine
		// weighs on both servers alike.
		e.logf("%s: %s, Verbatim and %s in turn", sec, c, peerName)
		half := e.cfg.duration / 2
		var o, p rangeResult
		o.merge(measureRanges(ctx, ours, size, c.length, c.conns, half))
		if peer != "" {
			p.merge(measureRanges(ctx, peer, size, c.length, c.conns, half))
			p.merge(measureRanges(ctx, peer, size, c.length, c.conns, half))
		}
		o.merge(measureRanges(ctx, ours, size, c.length, c.conns, half))
		tp := row{section: sec, measure: c.String() + ": throughput", ours: o.throughput(), peer: peerName, peerVal: p.throughput(), unit: "MiB/s", higherBetter: true, skipped: skip}
		tt := row{section: sec, measure: c.String() + ": TTFB p50", ours: ms(o.ttfb.pct(50)), peer: peerName, peerVal: ms(p.ttfb.pct(50)), unit: "ms", skipped: skip}
		tp.note = errorNote(o, p, peerName)
		rows = append(rows, tp, tt)
		if ctx.Err() != nil {
			return rows, ctx.Err()
		}
	}
	return rows, nil
}

func errorNote(o, p rangeResult, peerName string) string {
	note := ""
	if o.errors > 0 {
		note = fmt.Sprintf("Verbatim: %d of %d requests failed, first: %v. ", o.errors, o.requests, o.firstErr)
	}
	if p.errors > 0 {
		note += fmt.Sprintf("%s: %d of %d requests failed, first: %v.", peerName, p.errors, p.requests, p.firstErr)
	}
	return note
}

package main

import (
	"context"
	"fmt"
	"github.com/verbatim-archive/verbatim/internal/testenv"
	"time"

	"github.com/minio/minio-go/v7"
)

const uploadID = "bench-upload"

// uploadSection streams the same bytes into the same versitygw twice per
// round: through Verbatim's PUT /api/v1/recordings/<id>/media, and with a
// direct minio-go PutObject using the same part size. Two rounds, best of
// each, so one cold cache does not decide. The server is fresh, so its
// VmHWM is the peak of start-up plus these uploads.
func uploadSection(ctx context.Context, e *env) ([]row, error) {
	s3, err := e.versity(ctx)
	if err != nil {
		return nil, fmt.Errorf("versitygw: %w", err)
	}
	v, err := e.startVerbatim(ctx, "upload", "serve", e.s3Env(s3))
	if err != nil {
		return nil, err
	}
	if err := v.editor(ctx); err != nil {
		return nil, err
	}
	if err := v.createPublished(ctx, uploadID, "Upload benchmark"); err != nil {
		return nil, err
	}
	mc, err := s3.Client()
	if err != nil {
		return nil, err
	}
	size := e.cfg.upload
	var bestOurs, bestDirect time.Duration
	for round := range 2 {
		e.logf("upload round %d: direct PutObject of %d MiB", round+1, size>>20)
		direct, err := mediaBody(9, size)
		if err != nil {
			return nil, err
		}
		t0 := time.Now()
		_, err = mc.PutObject(ctx, s3.Bucket, fmt.Sprintf("direct/upload-%d.bin", round), direct, size,
			minio.PutObjectOptions{ContentType: "video/mp4", PartSize: uint64(e.cfg.partSize)})
		if err != nil {
			return nil, fmt.Errorf("direct PutObject: %w", err)
		}
		bestDirect = fastest(bestDirect, time.Since(t0))

		e.logf("upload round %d: through Verbatim", round+1)
		ours, err := mediaBody(9, size)
		if err != nil {
			return nil, err
		}
		t0 = time.Now()
		if err := v.putMedia(ctx, uploadID, ours, size); err != nil {
			return nil, err
		}
		bestOurs = fastest(bestOurs, time.Since(t0))
	}
	rss, err := testenv.PeakRSS(v.cmd.Process.Pid)
	if err != nil {
		return nil, err
	}
	label := fmt.Sprintf("%d MiB to S3", size>>20)
	return []row{
		{section: "upload", measure: label + ": throughput", ours: mibps(size, bestOurs), peer: "minio-go PutObject", peerVal: mibps(size, bestDirect), unit: "MiB/s", higherBetter: true,
			note: fmt.Sprintf("best of 2 rounds each, part size %d MiB for both", e.cfg.partSize>>20)},
		{section: "upload", measure: label + ": Verbatim peak RSS (VmHWM)", ours: float64(rss) / (1 << 20), peer: "aim", peerVal: 100, unit: "MiB"},
	}, nil
}

func fastest(best, d time.Duration) time.Duration {
	if best == 0 || d < best {
		return d
	}
	return best
}

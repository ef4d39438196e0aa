package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/verbatim-archive/verbatim/internal/testenv"
)

// versity returns the run's versitygw (built from tools/versitygw on first
// use), started on a loopback port with its data in the temporary dir.
func (e *env) versity(ctx context.Context) (*testenv.S3Server, error) {
	if e.s3 != nil {
		return e.s3, nil
	}
	s, err := testenv.Start(ctx, testenv.Options{Dir: filepath.Join(e.dir, "versitygw"), Bucket: "verbatim-bench", Logf: e.logf})
	if err != nil {
		return nil, err
	}
	e.onClose(func() {
		if err := s.Close(); err != nil {
			e.logf("stop versitygw: %v", err)
		}
	})
	e.s3 = s
	return s, nil
}

// s3Env configures a verbatim process for the run's versitygw.
func (e *env) s3Env(s *testenv.S3Server) []string {
	return []string{
		"VERBATIM_S3_ENDPOINT=" + s.Endpoint,
		"VERBATIM_S3_BUCKET=" + s.Bucket,
		"VERBATIM_S3_REGION=" + s.Region,
		"VERBATIM_S3_ACCESS_KEY=" + s.AccessKey,
		"VERBATIM_S3_SECRET_KEY=" + s.SecretKey,
		fmt.Sprintf("VERBATIM_S3_PART_SIZE=%d", e.cfg.partSize),
	}
}

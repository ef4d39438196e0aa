// Package testenv starts the real services that tests and benchmarks run
// against: a versitygw S3 server on loopback, built from the version pinned
// in tools/versitygw, so that `go test ./...` needs nothing but Go.
package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Options configure Start. Zero values get test defaults.
type Options struct {
	Binary    string // versitygw executable; empty: Binary builds or finds it
	Dir       string // posix backend root; empty: a new temporary directory, removed by Close
	AccessKey string
	SecretKey string
	Region    string
	Bucket    string // created on start; empty: "verbatim-test"
	Logf      func(format string, args ...any)
}

// S3Server is a running versitygw with one bucket, on 127.0.0.1.
type S3Server struct {
	Endpoint  string // host:port, plain HTTP
	AccessKey string
	SecretKey string
	Bucket    string
	Region    string
	Dir       string // the posix backend root: one directory per bucket

	binary  string
	tempDir bool
	logf    func(string, ...any)

	mu    sync.Mutex
	procs []*process // running, in start order
	// launch starts the server's processes and waits until they answer:
	// versitygw is one, SeaweedFS several (seaweedfs.go).
	launch func(ctx context.Context) ([]*process, error)
}

// StartVersityGW starts a versitygw for the test, with a bucket, and stops
// it when the test ends. The first call on a machine builds the binary,
// which takes a few minutes. Set VERBATIM_TEST_SKIP_S3=1 to skip instead.
func StartVersityGW(tb testing.TB) *S3Server {
	tb.Helper()
	return startForTest(tb, "versitygw", "TestBinaryIsCached", Start)
}

// startForTest starts one of the S3 servers the tests build from tools/
// (name) with start, and stops it when the test ends: skipped with
// VERBATIM_TEST_SKIP_S3=1, and a first build cut by the test timeout says
// how to finish it (cachedTest builds the binary alone).
func startForTest(tb testing.TB, name, cachedTest string, start func(context.Context, Options) (*S3Server, error)) *S3Server {
	tb.Helper()
	if os.Getenv("VERBATIM_TEST_SKIP_S3") == "1" {
		tb.Skip("VERBATIM_TEST_SKIP_S3=1: skipping the test that needs a " + name + " S3 server")
	}
	ctx, cancel := buildContext(tb)
	defer cancel()
	s, err := start(ctx, Options{Dir: tb.TempDir(), Logf: tb.Logf})
	if errors.Is(err, context.DeadlineExceeded) {
		tb.Fatalf("start %s: %v\nThe first build of %s did not finish before the test timeout. "+
			"What it compiled is cached: run the tests again, or build it first with\n"+
			"\tgo test -timeout 30m -run %s ./internal/testenv", name, err, name, cachedTest)
	}
	if err != nil {
		tb.Fatalf("start %s: %v", name, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("stop %s: %v", name, err)
		}
	})
	return s
}

// buildContext ends shortly before the test binary's -timeout would panic,
// so that a slow first build fails the test with advice instead of a dump.
func buildContext(tb testing.TB) (context.Context, context.CancelFunc) {
	if t, ok := tb.(interface{ Deadline() (time.Time, bool) }); ok {
		if deadline, ok := t.Deadline(); ok {
			return context.WithDeadline(context.Background(), deadline.Add(-15*time.Second))
		}
	}
	return context.WithTimeout(context.Background(), 30*time.Minute)
}

// Start builds (if needed) and starts a versitygw on a free loopback port,
// waits until it answers and creates the bucket. Stop or Close it.
func Start(ctx context.Context, opts Options) (*S3Server, error) {
	s := &S3Server{
		AccessKey: or(opts.AccessKey, "verbatim-access"),
		SecretKey: or(opts.SecretKey, "verbatim-secret-key"),
		Region:    or(opts.Region, "us-east-1"),
		Bucket:    or(opts.Bucket, "verbatim-test"),
		Dir:       opts.Dir,
		binary:    opts.Binary,
		logf:      opts.Logf,
	}
	if s.logf == nil {
		s.logf = func(string, ...any) {}
	}
	if err := s.prepare(ctx); err != nil {
		return nil, err
	}
	var err error
	for range 3 { // a free port may be taken before versitygw binds it
		s.Endpoint, err = freePort()
		if err == nil {
			err = s.start(ctx)
		}
		if err == nil || !errors.Is(err, errAddrInUse) {
			break
		}
	}
	if err == nil {
		err = s.createBucket(ctx)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("testenv: versitygw: %w", err)
	}
	return s, nil
}

func (s *S3Server) prepare(ctx context.Context) error {
	if s.binary == "" {
		bin, err := Binary(ctx, s.logf)
		if err != nil {
			return err
		}
		s.binary = bin
	}
	if s.Dir != "" {
		return os.MkdirAll(s.Dir, 0o755)
	}
	dir, err := os.MkdirTemp("", "versitygw-")
	if err != nil {
		return fmt.Errorf("testenv: versitygw: %w", err)
	}
	s.Dir, s.tempDir = dir, true
	return nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

var errAddrInUse = errors.New("address already in use")

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// Stop kills the server (as a crash would) and waits for it to exit. The
// data stays; Restart brings the server back on the same port.
func (s *S3Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	for i := len(s.procs) - 1; i >= 0; i-- {
		err = errors.Join(err, s.procs[i].kill())
	}
	s.procs = nil
	return err
}

// Restart stops the server if it runs and starts it again on the same port
// and directory.
func (s *S3Server) Restart(ctx context.Context) error {
	if err := s.Stop(); err != nil {
		return fmt.Errorf("testenv: versitygw: restart: %w", err)
	}
	if err := s.start(ctx); err != nil {
		return fmt.Errorf("testenv: versitygw: restart: %w", err)
	}
	return nil
}

// Close stops the server and removes the directory Start created, if any.
func (s *S3Server) Close() error {
	err := s.Stop()
	if s.tempDir {
		if rerr := os.RemoveAll(s.Dir); err == nil {
			err = rerr
		}
	}
	return err
}

// Client returns a minio-go client for the server.
func (s *S3Server) Client() (*minio.Client, error) {
	return minio.New(s.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""),
		Region:       s.Region,
		BucketLookup: minio.BucketLookupPath,
	})
}

func (s *S3Server) createBucket(ctx context.Context) error {
	c, err := s.Client()
	if err != nil {
		return err
	}
	if err := c.MakeBucket(ctx, s.Bucket, minio.MakeBucketOptions{Region: s.Region}); err != nil {
		return fmt.Errorf("create bucket %q: %w", s.Bucket, err)
	}
	return nil
}

// start launches the server and waits until it answers.
func (s *S3Server) start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.procs != nil {
		return errors.New("already running")
	}
	launch := s.launch
	if launch == nil {
		launch = s.launchVersityGW
	}
	procs, err := launch(ctx)
	if err != nil {
		return err
	}
	s.procs = procs
	return nil
}

// launchVersityGW starts versitygw on s.Endpoint.
func (s *S3Server) launchVersityGW(ctx context.Context) ([]*process, error) {
	p, err := launch(s.binary, s.args())
	if err != nil {
		return nil, err
	}
	if err := p.waitReady(ctx, s.Endpoint); err != nil {
		p.kill()
		return nil, err
	}
	return []*process{p}, nil
}

func (s *S3Server) args() []string {
	args := []string{
		"--access", s.AccessKey, "--secret", s.SecretKey, "--region", s.Region,
		"--port", s.Endpoint, "--quiet", "--keep-alive",
		"posix",
	}
	if !xattrsWork(s.Dir) {
		// Without user xattrs (tmpfs on older kernels) versitygw keeps
		// object metadata in a sidecar directory instead.
		args = append(args, "--sidecar", s.Dir+".meta")
		os.MkdirAll(s.Dir+".meta", 0o755)
	}
	return append(args, s.Dir)
}

// process is one run of a server program.
type process struct {
	cmd    *exec.Cmd
	out    *tailBuffer
	exited chan struct{}
	err    error // set before exited closes
}

func launch(bin string, args []string) (*process, error) {
	p := &process{cmd: exec.Command(bin, args...), out: &tailBuffer{max: 16 << 10}, exited: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = sysProcAttr()
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// waitReady polls until the server answers HTTP, fails or ctx ends.
func (p *process) waitReady(ctx context.Context, endpoint string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+endpoint+"/", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-p.exited:
			out := p.out.String()
			if strings.Contains(out, "address already in use") {
				return fmt.Errorf("%w: %s", errAddrInUse, endpoint)
			}
			return fmt.Errorf("exited before answering (%v):\n%s", p.err, out)
		case <-ctx.Done():
			return fmt.Errorf("no answer on %s: %w\n%s", endpoint, ctx.Err(), p.out.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (p *process) kill() error {
	select {
	case <-p.exited:
		return nil
	default:
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	<-p.exited
	return nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if extra := t.buf.Len() - t.max; extra > 0 {
		t.buf.Next(extra)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}

// BucketDir is the directory that holds the bucket's objects.
func (s *S3Server) BucketDir() string { return filepath.Join(s.Dir, s.Bucket) }

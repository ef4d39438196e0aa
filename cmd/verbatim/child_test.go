package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/testenv"
)

// The verbatim binary, built once per test run for the tests that drive
// the real program as a child process (signals, exit codes, two processes).
var prog struct {
	once     sync.Once
	dir, bin string
	err      error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if prog.dir != "" {
		os.RemoveAll(prog.dir)
	}
	os.Exit(code)
}

func verbatimBin(t *testing.T) string {
	t.Helper()
	prog.once.Do(func() {
		if prog.dir, prog.err = os.MkdirTemp("", "verbatim-bin-"); prog.err != nil {
			return
		}
		prog.bin = filepath.Join(prog.dir, "verbatim")
		cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", prog.bin, ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			prog.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if prog.err != nil {
		t.Fatal(prog.err)
	}
	return prog.bin
}

// child is a verbatim process started by a test, with its whole log.
type child struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string // http://127.0.0.1:port of the public listener
	log  *testenv.SyncBuffer
	exit chan error
	env  []string
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// serveChild runs `verbatim serve` with env on a free port and waits until
// /healthz answers. It is killed when the test ends if still running.
func serveChild(t *testing.T, env []string, args ...string) *child {
	t.Helper()
	addr := freePort(t)
	c := &child{t: t, base: "http://" + addr, log: &testenv.SyncBuffer{}, exit: make(chan error, 1),
		env: append(append(os.Environ(), "VERBATIM_DATA=", "VERBATIM_ADDR=", "VERBATIM_METRICS_ADDR="), env...)}
	c.cmd = exec.Command(verbatimBin(t), append([]string{"serve", "--addr", addr}, args...)...)
	c.cmd.Env, c.cmd.Stdout, c.cmd.Stderr = c.env, c.log, c.log
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.exit <- c.cmd.Wait() }()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		err := <-c.exit
		c.exit <- err
		if t.Failed() {
			t.Logf("verbatim serve log:\n%s", c.log)
		}
	})
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(c.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c
			}
		}
		select {
		case err := <-c.exit:
			c.exit <- err
			t.Fatalf("verbatim serve exited at start: %v\n%s", err, c.log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("verbatim serve not healthy after 30s\n%s", c.log)
		}
	}
}

// run runs a verbatim command with the child's environment.
func (c *child) run(args ...string) (string, error) {
	c.t.Helper()
	cmd := exec.Command(verbatimBin(c.t), args...)
	cmd.Env = c.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out) + stderr.String(), fmt.Errorf("verbatim %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out) + stderr.String(), nil
}

// wait waits up to d for the process to exit and returns its exit code.
func (c *child) wait(d time.Duration) (int, error) {
	select {
	case err := <-c.exit:
		c.exit <- err
		if err == nil {
			return 0, nil
		}
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), nil
		}
		return -1, err
	case <-time.After(d):
		return -1, fmt.Errorf("still running after %s", d)
	}
}

func (c *child) sigterm() {
	c.t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		c.t.Fatal(err)
	}
}

// request sends one request with an optional bearer token.
func request(ctx context.Context, method, url, token string, body io.Reader, size int64, hdr ...string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, nil, err
	}
	if body != nil {
		req.ContentLength = size
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp, data, err
}

// throttled sends size bytes in chunks, one chunk every pace; sent is
// closed once after the first after bytes, and once stall is reached the
// body blocks until stop is closed (then fails), modelling a client whose
// upload outlives the grace period. stall 0 never stalls.
type throttled struct {
	head                      []byte // sent first (a media file's headers), then a pattern
	size, chunk, after, stall int64
	pace                      time.Duration
	read                      int64
	sent                      chan struct{}
	stop                      <-chan struct{}
	once                      sync.Once
}

func (b *throttled) Read(p []byte) (int, error) {
	if b.read >= b.size {
		return 0, io.EOF
	}
	if b.stall > 0 && b.read >= b.stall {
		<-b.stop
		return 0, io.ErrUnexpectedEOF
	}
	if b.read > 0 {
		time.Sleep(b.pace)
	}
	n := min(int64(len(p)), b.chunk, b.size-b.read)
	for i := range p[:n] {
		p[i] = byte((b.read + int64(i)) % 251)
	}
	if b.read < int64(len(b.head)) {
		copy(p[:n], b.head[b.read:])
	}
	b.read += n
	if b.read >= b.after {
		b.once.Do(func() { close(b.sent) })
	}
	return int(n), nil
}

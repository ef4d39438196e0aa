package faulttest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/verbatim-archive/verbatim/internal/testenv"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The verbatim binary is built once per test run, on first use.
var build struct {
	once sync.Once
	bin  string
	err  error
	dir  string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// verbatimBinary builds ./cmd/verbatim from this source tree.
func verbatimBinary(t *testing.T) string {
	t.Helper()
	build.once.Do(func() {
		build.dir, build.err = os.MkdirTemp("", "faulttest-bin-")
		if build.err != nil {
			return
		}
		build.bin = filepath.Join(build.dir, "verbatim")
		cmd := exec.Command("go", "build", "-o", build.bin, "github.com/verbatim-archive/verbatim/cmd/verbatim")
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build ./cmd/verbatim: %v\n%s", err, out)
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.bin
}

// process is a verbatim process started by a test.
type process struct {
	t     *testing.T
	cmd   *exec.Cmd
	base  string
	data  string
	env   []string
	token string
	out   *testenv.SyncBuffer
	exit  chan error
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startServer runs `verbatim serve` on data with extra environment and
// waits until /healthz answers. The process is killed when the test ends.
func startServer(t *testing.T, data string, env ...string) *process {
	t.Helper()
	addr := freeAddr(t)
	s := &process{
		t: t, base: "http://" + addr, data: data, out: &testenv.SyncBuffer{}, exit: make(chan error, 1),
		env: append(append(os.Environ(), "VERBATIM_DATA=", "VERBATIM_ADDR="), env...),
	}
	s.cmd = exec.Command(verbatimBinary(t), "serve", "--data", data, "--addr", addr)
	s.cmd.Env, s.cmd.Stdout, s.cmd.Stderr = s.env, s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start verbatim: %v", err)
	}
	go func() { s.exit <- s.cmd.Wait() }()
	t.Cleanup(func() {
		s.kill()
		if t.Failed() {
			t.Logf("verbatim log:\n%s", s.out.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if resp, err := http.Get(s.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case err := <-s.exit:
			s.exit <- err
			t.Fatalf("verbatim exited at start: %v\n%s", err, s.out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("verbatim not healthy after 30s:\n%s", s.out.String())
		}
	}
}

// kill sends SIGKILL (as a crash or the OOM killer would) and waits.
func (s *process) kill() {
	if s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	err := <-s.exit
	s.exit <- err
}

// editor creates an editor account with `verbatim user add`.
func (s *process) editor() {
	s.t.Helper()
	cmd := exec.Command(verbatimBinary(s.t), "user", "add", fmt.Sprintf("ed%d", time.Now().UnixNano()%1e6), "--role", "editor", "--data", s.data)
	cmd.Env = s.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		s.t.Fatalf("verbatim user add: %v: %s", err, stderr.String())
	}
	s.token = strings.TrimSpace(string(out))
}

// cli runs `verbatim <args> --data <data>` with the server's environment
// and returns its standard output.
func (s *process) cli(args ...string) (string, error) {
	s.t.Helper()
	cmd := exec.Command(verbatimBinary(s.t), append(args, "--data", s.data)...)
	cmd.Env = s.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("verbatim %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

// do sends one request as the editor (when there is a token).
func (s *process) do(ctx context.Context, method, path string, body io.Reader, size int64, hdr map[string]string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, body)
	if err != nil {
		return nil, nil, err
	}
	if body != nil {
		req.ContentLength = size
	}
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp, data, err
}

// must sends a request that has to answer want.
func (s *process) must(method, path string, body []byte, want int, hdr map[string]string) (*http.Response, []byte) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	resp, data, err := s.do(ctx, method, path, r, int64(len(body)), hdr)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	if resp.StatusCode != want {
		s.t.Fatalf("%s %s = %s %s; want %d", method, path, resp.Status, data, want)
	}
	return resp, data
}

// create makes a recording with the given id and status.
func (s *process) create(id string, status string) {
	s.t.Helper()
	body, _ := json.Marshal(map[string]string{"id": id, "title": "Fault test " + id, "status": status, "date": "2026-01-01"})
	s.must(http.MethodPost, "/api/v1/recordings", body, http.StatusCreated, map[string]string{"Content-Type": "application/json"})
}

// recording is the part of the manifest the tests read.
type recording struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Version int64  `json:"version"`
	Media   *struct {
		Size int64 `json:"size"`
	} `json:"media"`
}

func (s *process) get(id string) (recording, string) {
	s.t.Helper()
	resp, data := s.must(http.MethodGet, "/api/v1/recordings/"+id, nil, http.StatusOK, nil)
	var r recording
	if err := json.Unmarshal(data, &r); err != nil {
		s.t.Fatalf("decode recording %s: %v: %s", id, err, data)
	}
	return r, resp.Header.Get("ETag")
}

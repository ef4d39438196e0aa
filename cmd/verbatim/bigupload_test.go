package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
	"github.com/verbatim-archive/verbatim/internal/testenv"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestUpload1GiB uploads 1 GiB through the API of the real binary, run as
// a child process on a directory store, and reads the child's peak
// resident set (VmHWM) from /proc: streaming must keep it under 100 MiB.
// The body comes from a generator, never from memory. Slow and disk
// hungry, so it runs only with VERBATIM_BIG_UPLOAD=1:
//
//	VERBATIM_BIG_UPLOAD=1 go test -run TestUpload1GiB -v ./cmd/verbatim
func TestUpload1GiB(t *testing.T) {
	if os.Getenv("VERBATIM_BIG_UPLOAD") != "1" || testing.Short() {
		t.Skip("set VERBATIM_BIG_UPLOAD=1 to upload 1 GiB through the real binary")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/<pid>/status")
	}
	const size = 1 << 30
	const limit = 100 << 20
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	data := filepath.Join(dir, "data")

	out, err := exec.Command(bin, "user", "add", "bench", "--role", "editor", "--data", data).Output()
	if err != nil {
		t.Fatalf("user add: %v", err)
	}
	token := strings.TrimSpace(string(out))

	srv, base := startChild(t, bin, "serve", "--addr", "127.0.0.1:0", "--data", data)
	api := func(method, path string, body io.Reader, n int64) *http.Response {
		req, _ := http.NewRequest(method, base+path, body)
		req.ContentLength = n
		req.Header.Set("Authorization", "Bearer "+token)
		if method == "POST" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return resp
	}
	resp := api("POST", "/api/v1/recordings", strings.NewReader(`{"id":"big","title":"Big","status":"published"}`), -1)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create = %d", resp.StatusCode)
	}
	before := vmHWM(t, srv.Process.Pid)

	// A valid MP4's headers (the archive probes what it keeps), then
	// generated media data.
	head := mediatest.Header(t, size)
	gen := &generator{rng: rand.NewChaCha8([32]byte{7}), left: size - int64(len(head)), sum: sha256.New()}
	gen.sum.Write(head)
	start := time.Now()
	resp = api("PUT", "/api/v1/recordings/big/media?name=big.mp4", io.MultiReader(bytes.NewReader(head), gen), size)
	elapsed := time.Since(start)
	var m struct {
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
	}
	json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT 1 GiB = %d", resp.StatusCode)
	}
	peak := vmHWM(t, srv.Process.Pid)
	want := hex.EncodeToString(gen.sum.Sum(nil))
	if m.Size != size || m.SHA256 != want {
		t.Errorf("stored %d bytes, sha256 %s; want %d bytes, %s", m.Size, m.SHA256, int64(size), want)
	}
	t.Logf("1 GiB upload in %s (%.0f MiB/s); server VmHWM %.1f MiB before, %.1f MiB after (limit %d MiB)",
		elapsed.Round(time.Millisecond), float64(size)/(1<<20)/elapsed.Seconds(), float64(before)/(1<<20), float64(peak)/(1<<20), limit>>20)
	if peak >= limit {
		t.Errorf("server peak RSS %.1f MiB; want under %d MiB", float64(peak)/(1<<20), limit>>20)
	}

	// The tail comes back exactly, and only the range is read.
	req, _ := http.NewRequest("GET", base+"/media/big", nil)
	req.Header.Set("Range", "bytes=-1000")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	tail, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || string(tail) != string(gen.last) {
		t.Errorf("last 1000 bytes: %d, %d bytes, equal=%v; want 206 and the generated tail", resp.StatusCode, len(tail), string(tail) == string(gen.last))
	}
}

// generator yields size pseudo-random bytes (incompressible, so no
// filesystem can cheat), hashing them and keeping the last 1000.
type generator struct {
	rng  *rand.ChaCha8
	left int64
	sum  interface {
		io.Writer
		Sum([]byte) []byte
	}
	last []byte
}

func (g *generator) Read(p []byte) (int, error) {
	if g.left == 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), g.left)]
	g.rng.Read(p)
	g.sum.Write(p)
	g.left -= int64(len(p))
	if g.left < 1000 {
		keep := append(g.last, p...)
		g.last = keep[max(0, len(keep)-1000):]
	} else if g.left < 1000+int64(len(p)) {
		g.last = append(g.last[:0], p...)
	}
	return len(p), nil
}

func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "verbatim")
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

var listening = regexp.MustCompile(`url=(http://\S+)/`)

// startChild runs the binary and waits for the URL it logs.
func startChild(t *testing.T, bin string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	lines := bufio.NewScanner(stderr)
	urls := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if m := listening.FindStringSubmatch(lines.Text()); m != nil {
				select {
				case urls <- m[1]:
				default:
				}
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	select {
	case u := <-urls:
		return cmd, u
	case <-ctx.Done():
		t.Fatal("server did not start within 30s")
	}
	return nil, ""
}

// vmHWM reads a process's peak resident set size in bytes.
func vmHWM(t *testing.T, pid int) int64 {
	t.Helper()
	n, err := testenv.PeakRSS(pid)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

package hostile

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/testenv"
)

const (
	mib = 1 << 20
	// rssCap is where the watchdog kills the server: far above every
	// case's bound, far below what would hurt a shared machine.
	rssCap = 1 << 30
	// overallBound is the bound on the server's peak RSS.
	overallBound = 256 * mib
)

// setup is built once per test binary: the verbatim binary and a data
// directory holding the samples and an editor account.
var setup struct {
	once     sync.Once
	err      error
	dir      string
	bin      string
	template string
	token    string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if setup.dir != "" {
		os.RemoveAll(setup.dir)
	}
	os.Exit(code)
}

// prepare builds the binary and seeds the template data directory.
func prepare(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the hostile suite reads the server's peak RSS from Linux's /proc")
	}
	setup.once.Do(func() { setup.err = seed() })
	if setup.err != nil {
		t.Fatal(setup.err)
	}
}

func seed() error {
	dir, err := os.MkdirTemp("", "hostile-")
	if err != nil {
		return err
	}
	setup.dir = dir
	setup.bin = filepath.Join(dir, "verbatim")
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", setup.bin, "github.com/verbatim-archive/verbatim/cmd/verbatim")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/verbatim: %v\n%s", err, out)
	}
	_, file, _, _ := runtime.Caller(0)
	samples := filepath.Join(filepath.Dir(file), "..", "..", "subtitles")
	setup.template = filepath.Join(dir, "template")
	if out, err := command("import", "--data", setup.template, samples).CombinedOutput(); err != nil {
		return fmt.Errorf("verbatim import %s: %v\n%s", samples, err, out)
	}
	cmd := command("user", "add", "editor", "--role", "editor", "--data", setup.template)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("verbatim user add: %v\n%s", err, stderr.Bytes())
	}
	setup.token = strings.TrimSpace(string(out))
	return nil
}

// command is the verbatim binary with a clean VERBATIM_* environment.
func command(args ...string) *exec.Cmd {
	cmd := exec.Command(setup.bin, args...)
	cmd.Env = cleanEnv()
	return cmd
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VERBATIM_") {
			env = append(env, kv)
		}
	}
	return env
}

// server is one `verbatim serve` child on its own copy of the template.
type server struct {
	t      *testing.T
	data   string
	env    []string
	base   string
	addr   string
	token  string
	client *http.Client
	log    *testenv.SyncBuffer

	cmd    *exec.Cmd
	exit   chan error
	stop   chan struct{}
	killed atomic.Int64 // the RSS at which the watchdog killed it, or 0
}

// start copies the template data directory and serves it with the extra
// VERBATIM_* settings in env ("NAME=value"). The server is killed when the
// test ends; its log is shown when the test failed.
func start(t *testing.T, env ...string) *server {
	t.Helper()
	data := seededData(t)
	s := &server{
		t: t, data: data, token: setup.token, log: &testenv.SyncBuffer{},
		env: append(cleanEnv(), env...),
		client: &http.Client{Transport: &http.Transport{
			MaxIdleConnsPerHost: 32, DisableCompression: true, ResponseHeaderTimeout: 90 * time.Second,
		}},
	}
	t.Cleanup(func() {
		s.kill()
		s.client.CloseIdleConnections()
		if t.Failed() {
			t.Logf("verbatim log (tail):\n%s", tail(s.log.String(), 6000))
		}
	})
	s.launch()
	return s
}

// seededData copies the template data directory (the samples and the
// editor account) for one test.
func seededData(t *testing.T) string {
	t.Helper()
	prepare(t)
	data := filepath.Join(t.TempDir(), "data")
	if out, err := exec.Command("cp", "-a", setup.template, data).CombinedOutput(); err != nil {
		t.Fatalf("copy the template data: %v\n%s", err, out)
	}
	return data
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// launch starts the process on a free port and waits for /healthz.
func (s *server) launch() {
	s.t.Helper()
	s.addr = freeAddr(s.t)
	s.base = "http://" + s.addr
	s.cmd = exec.Command(setup.bin, "serve", "--data", s.data, "--addr", s.addr)
	s.cmd.Env, s.cmd.Stdout, s.cmd.Stderr = s.env, s.log, s.log
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("start verbatim serve: %v", err)
	}
	s.exit, s.stop = make(chan error, 1), make(chan struct{})
	s.killed.Store(0)
	go func() { s.exit <- s.cmd.Wait() }()
	go s.watch(s.cmd.Process, s.stop)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if resp, err := http.Get(s.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-s.exit:
			s.exit <- err
			s.t.Fatalf("verbatim serve exited at start: %v\n%s", err, s.log.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("verbatim serve not healthy after 20s:\n%s", s.log.String())
		}
	}
}

// watch kills the process when its resident set passes rssCap.
func (s *server) watch(p *os.Process, stop chan struct{}) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		rss, err := testenv.PeakRSS(p.Pid)
		if err != nil {
			return
		}
		if rss > rssCap {
			s.killed.Store(rss)
			p.Signal(syscall.SIGKILL)
			return
		}
	}
}

// kill sends SIGKILL, as a crash or the OOM killer would, and waits.
func (s *server) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	close(s.stop)
	s.cmd.Process.Signal(syscall.SIGKILL)
	err := <-s.exit
	s.exit <- err
	s.cmd = nil
}

// restart kills the server with SIGKILL and starts it again on the same
// data directory.
func (s *server) restart() {
	s.t.Helper()
	s.kill()
	s.client.CloseIdleConnections()
	s.launch()
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

// peak is the server's peak resident set so far, in bytes.
func (s *server) peak() int64 {
	s.t.Helper()
	if n := s.killed.Load(); n > 0 {
		return n
	}
	n, err := testenv.PeakRSS(s.cmd.Process.Pid)
	if err != nil {
		s.t.Fatalf("peak RSS: %v", err)
	}
	return n
}

// checkPeak fails the test when the server's peak RSS is at or over
// bound, and logs the figure either way.
func (s *server) checkPeak(bound int64) {
	s.t.Helper()
	if n := s.killed.Load(); n > 0 {
		s.t.Fatalf("the watchdog killed the server at %.0f MiB RSS (bound %d MiB)", float64(n)/mib, bound/mib)
	}
	n := s.peak()
	s.t.Logf("server VmHWM %.1f MiB (bound %d MiB)", float64(n)/mib, bound/mib)
	if n >= bound {
		s.t.Errorf("server peak RSS %.1f MiB; want under %d MiB", float64(n)/mib, bound/mib)
	}
}

// alive fails the test when the server died (the watchdog, a crash).
func (s *server) alive() {
	s.t.Helper()
	if n := s.killed.Load(); n > 0 {
		s.t.Fatalf("the watchdog killed the server at %.0f MiB RSS", float64(n)/mib)
	}
	select {
	case err := <-s.exit:
		s.exit <- err
		s.t.Fatalf("the server exited: %v", err)
	default:
	}
}

// noErrorLogs fails the test for every ERROR line in the server's log.
func (s *server) noErrorLogs() {
	s.t.Helper()
	for line := range strings.Lines(s.log.String()) {
		if strings.Contains(line, "level=ERROR") {
			s.t.Errorf("server logged an error: %s", strings.TrimSpace(line))
		}
	}
}

// reply is what one request got.
type reply struct {
	status int
	header http.Header
	body   []byte
	took   time.Duration
}

// maxReply bounds what the suite reads of any answer.
const maxReply = 16 << 20

// req is a request to send. Header holds name, value pairs; editor adds
// the editor's token.
type req struct {
	method  string
	path    string
	body    io.Reader
	size    int64 // ContentLength when body is set; 0 means len of a *bytes.Reader
	editor  bool
	header  []string
	timeout time.Duration // 0 means 15s
}

// do sends r and reads at most maxReply bytes of the answer.
func (s *server) do(r req) (reply, error) {
	if r.method == "" {
		r.method = http.MethodGet
	}
	if r.timeout == 0 {
		r.timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, r.method, s.base+r.path, r.body)
	if err != nil {
		return reply{}, err
	}
	if r.size > 0 {
		hr.ContentLength = r.size
	}
	if r.editor {
		hr.Header.Set("Authorization", "Bearer "+s.token)
	}
	for i := 0; i+1 < len(r.header); i += 2 {
		hr.Header.Set(r.header[i], r.header[i+1])
	}
	begin := time.Now()
	resp, err := s.client.Do(hr)
	if err != nil {
		return reply{}, s.explain(r, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	rep := reply{status: resp.StatusCode, header: resp.Header, body: body, took: time.Since(begin)}
	if err != nil {
		return rep, s.explain(r, fmt.Errorf("read the answer: %w", err))
	}
	return rep, nil
}

// explain shortens a failed request's error (the URL may be 100 KB) and
// says when the watchdog killed the server.
func (s *server) explain(r req, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if n := s.killed.Load(); n > 0 {
		return fmt.Errorf("%s %s: %v (the watchdog killed the server at %.0f MiB RSS)", r.method, short(r.path), err, float64(n)/mib)
	}
	return fmt.Errorf("%s %s: %v", r.method, short(r.path), err)
}

// must sends r and fails the test unless it answers want.
func (s *server) must(r req, want int) reply {
	s.t.Helper()
	rep, err := s.do(r)
	if err != nil {
		s.t.Fatal(err)
	}
	if rep.status != want {
		s.t.Fatalf("%s %s = %d %s; want %d", orGet(r.method), short(r.path), rep.status, short(string(rep.body)), want)
	}
	return rep
}

func orGet(m string) string {
	if m == "" {
		return http.MethodGet
	}
	return m
}

// short keeps a long path or body readable in a failure message.
func short(s string) string {
	if len(s) > 200 {
		return s[:200] + "…(" + strconv.Itoa(len(s)) + " bytes)"
	}
	return s
}

// jsonBody is a request header pair for JSON bodies.
var jsonBody = []string{"Content-Type", "application/json"}

// createRecording makes a recording as the editor.
func (s *server) createRecording(id, status string) {
	s.t.Helper()
	body := fmt.Sprintf(`{"id":%q,"title":"Hostile %s","status":%q,"date":"2026-01-01"}`, id, id, status)
	s.must(req{method: http.MethodPost, path: "/api/v1/recordings", body: strings.NewReader(body), editor: true, header: jsonBody}, http.StatusCreated)
}

// putTrack uploads a subtitle file as the editor and returns the answer.
func (s *server) putTrack(id, lang string, data []byte) reply {
	s.t.Helper()
	rep, err := s.do(req{method: http.MethodPut, path: "/api/v1/recordings/" + id + "/tracks/" + lang, body: bytes.NewReader(data), editor: true, timeout: 60 * time.Second})
	if err != nil {
		s.t.Fatalf("PUT track %s/%s: %v", id, lang, err)
	}
	return rep
}

// rawConn is a hand-driven HTTP/1.1 connection, for bodies that arrive
// slowly or never.
type rawConn struct {
	net.Conn
	r *bufio.Reader
}

// dialHead connects and sends a request head (no body yet).
func (s *server) dialHead(method, path string, length int64, header ...string) (*rawConn, error) {
	c, err := net.DialTimeout("tcp", s.addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", method, path, s.addr, length)
	for i := 0; i+1 < len(header); i += 2 {
		fmt.Fprintf(&b, "%s: %s\r\n", header[i], header[i+1])
	}
	b.WriteString("\r\n")
	c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, b.String()); err != nil {
		c.Close()
		return nil, err
	}
	return &rawConn{Conn: c, r: bufio.NewReader(c)}, nil
}

// status reads the status code of the answer, waiting at most wait.
func (c *rawConn) status(wait time.Duration) (int, error) {
	c.SetReadDeadline(time.Now().Add(wait))
	line, err := c.r.ReadString('\n')
	if err != nil {
		return 0, err
	}
	f := strings.Fields(line)
	if len(f) < 2 {
		return 0, fmt.Errorf("status line %q", line)
	}
	return strconv.Atoi(f[1])
}

// zeros is an endless body of the letter x, written from a fixed buffer.
type zeros struct{ left int64 }

var xs = bytes.Repeat([]byte("x"), 64<<10)

func (z *zeros) Read(p []byte) (int, error) {
	if z.left <= 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(int64(len(p)), z.left)], xs)
	z.left -= int64(n)
	return n, nil
}

// trackPath is a published recording's track, the target of upload attacks.
const trackPath = "/api/v1/recordings/hrc47-side-event/tracks/en"

// vtt builds a WebVTT file of cues, one per "speaker: text" line, two
// seconds each.
func vtt(lines ...string) []byte {
	var b bytes.Buffer
	b.WriteString("WEBVTT\n\n")
	for i, l := range lines {
		sp, text, _ := strings.Cut(l, ": ")
		s, e := i*2, i*2+2
		b.WriteString(ts(s) + " --> " + ts(e) + "\n<v " + sp + ">" + text + "\n\n")
	}
	return b.Bytes()
}

func ts(sec int) string {
	return twoDigits(sec/3600) + ":" + twoDigits(sec/60%60) + ":" + twoDigits(sec%60) + ".000"
}

func twoDigits(n int) string { return string([]byte{byte('0' + n/10%10), byte('0' + n%10)}) }

// words is n bytes of lowercase words of 6 to 14 letters, the shape of the
// query that took the server to 17.5 GB: every long word built a fuzzy
// automaton.
func words(n int, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 9))
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		for range 6 + rng.IntN(9) {
			b.WriteByte(byte('a' + rng.IntN(26)))
		}
	}
	return b.String()[:n]
}

// errorMessage is the message of a JSON error body, or "".
func errorMessage(body []byte) string {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.Error.Message
}

// run runs the verbatim binary and returns its stdout and stderr.
func run(args ...string) (string, string, error) {
	cmd := command(args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

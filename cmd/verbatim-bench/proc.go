package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// binary returns the verbatim binary, building it from the source tree on
// first use.
func (e *env) binary(ctx context.Context) (string, error) {
	if e.bin != "" {
		return e.bin, nil
	}
	if e.cfg.verbatim != "" {
		e.bin = e.cfg.verbatim
		return e.bin, nil
	}
	out := filepath.Join(e.dir, "verbatim")
	e.logf("building ./cmd/verbatim")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/verbatim")
	cmd.Dir = e.cfg.repo
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build verbatim: %v\n%s", err, msg)
	}
	e.bin = out
	return out, nil
}

// verbatim is a running child verbatim process.
type verbatim struct {
	name  string
	cmd   *exec.Cmd
	base  string // http://127.0.0.1:port
	data  string
	env   []string
	bin   string
	token string
	log   string
	exit  chan error
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startVerbatim runs `verbatim <sub> --data D --addr A` with extra
// environment (VERBATIM_S3_* …) and waits until /healthz answers.
func (e *env) startVerbatim(ctx context.Context, name, sub string, extraEnv []string) (*verbatim, error) {
	bin, err := e.binary(ctx)
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	v := &verbatim{
		name: name, base: "http://" + addr, data: filepath.Join(e.dir, name+"-data"), bin: bin,
		env: append(append(os.Environ(), "VERBATIM_DATA=", "VERBATIM_ADDR="), extraEnv...),
		log: filepath.Join(e.dir, name+".log"), exit: make(chan error, 1),
	}
	logf, err := os.Create(v.log)
	if err != nil {
		return nil, err
	}
	v.cmd = exec.Command(bin, sub, "--data", v.data, "--addr", addr)
	v.cmd.Env, v.cmd.Stdout, v.cmd.Stderr = v.env, logf, logf
	v.cmd.SysProcAttr = dieWithUs()
	if err := v.cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start verbatim %s: %w", sub, err)
	}
	go func() { v.exit <- v.cmd.Wait(); logf.Close() }()
	e.onClose(v.stop)
	if err := v.waitHealthy(ctx, 90*time.Second); err != nil {
		return nil, err
	}
	return v, nil
}

func (v *verbatim) waitHealthy(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case err := <-v.exit:
			v.exit <- err
			return fmt.Errorf("verbatim exited before it was healthy (%v); log:\n%s", err, v.tail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		resp, err := http.Get(v.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("verbatim not healthy after %s; log:\n%s", limit, v.tail())
}

// tail returns the end of the process log, for error messages.
func (v *verbatim) tail() string {
	data, _ := os.ReadFile(v.log)
	if len(data) > 4000 {
		data = data[len(data)-4000:]
	}
	return string(data)
}

func (v *verbatim) stop() {
	if v.cmd.Process == nil {
		return
	}
	_ = v.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-v.exit:
		v.exit <- err
	case <-time.After(10 * time.Second):
		_ = v.cmd.Process.Kill()
	}
}

// dieWithUs makes a child get SIGKILL when the driver dies, however it
// dies, so an interrupted run leaves no server behind.
func dieWithUs() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }

// editor creates an editor account with `verbatim user add` and keeps its
// API token. Accounts live in the store, which servers on S3 share, so
// each server gets its own account name.
func (v *verbatim) editor(ctx context.Context) error {
	cmd := exec.CommandContext(ctx, v.bin, "user", "add", "bench-"+v.name, "--role", "editor", "--data", v.data)
	cmd.Env = v.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("verbatim user add: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	v.token = strings.TrimSpace(string(out))
	if v.token == "" || strings.ContainsAny(v.token, " \n") {
		return fmt.Errorf("verbatim user add printed %q, not one token", out)
	}
	return nil
}

// call does one API request as the editor and decodes a JSON answer into
// out (when not nil). Any status ≥ 300 is an error.
func (v *verbatim) call(ctx context.Context, method, path string, body io.Reader, size int64, ctype string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, v.base+path, body)
	if err != nil {
		return err
	}
	req.ContentLength = size
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Authorization", "Bearer "+v.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2000))
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, msg)
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// createPublished creates a published recording with the given id.
func (v *verbatim) createPublished(ctx context.Context, id, title string) error {
	body, _ := json.Marshal(map[string]string{"id": id, "title": title, "event": "Benchmark", "date": "2026-01-01", "status": "published"})
	return v.call(ctx, http.MethodPost, "/api/v1/recordings", bytes.NewReader(body), int64(len(body)), "application/json", nil)
}

// putMedia streams size bytes of r as the recording's media.
func (v *verbatim) putMedia(ctx context.Context, id string, r io.Reader, size int64) error {
	return v.call(ctx, http.MethodPut, "/api/v1/recordings/"+id+"/media", r, size, "video/mp4", nil)
}

package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// tool is a server the tests build from a module of its own under tools/,
// which pins its version.
type tool struct {
	name     string // the tools/ directory and the cached binary's prefix
	module   string // the pinned module
	pkg      string // the main package to build
	envVar   string // names the executable when set
	fallback string // version when the tools module cannot be read
}

var versitygw = tool{
	name: "versitygw", module: "github.com/versity/versitygw", pkg: "github.com/versity/versitygw/cmd/versitygw",
	envVar: "VERBATIM_VERSITYGW", fallback: "v1.8.0",
}

// Binary returns the path of a versitygw executable built from
// tools/versitygw (a module of its own that pins the version), building it
// on first use. $VERBATIM_VERSITYGW names the executable when set: it is
// used as is if it exists, and built there otherwise. Without it the binary
// is cached as <user cache dir>/verbatim/versitygw-<version>. A file lock
// makes parallel test binaries build it once; the first build takes a few
// minutes, reported through logf.
func Binary(ctx context.Context, logf func(format string, args ...any)) (string, error) {
	return versitygw.binary(ctx, logf)
}

func (tl tool) binary(ctx context.Context, logf func(format string, args ...any)) (string, error) {
	src, err := tl.toolsDir()
	if err != nil {
		return "", fmt.Errorf("testenv: %s: %w", tl.name, err)
	}
	bin, err := tl.binaryPath(tl.versionOf(src))
	if err != nil {
		return "", fmt.Errorf("testenv: %s: %w", tl.name, err)
	}
	if isFile(bin) {
		return bin, nil
	}
	if err := tl.buildLocked(ctx, src, bin, logf); err != nil {
		return "", fmt.Errorf("testenv: build %s: %w", tl.name, err)
	}
	return bin, nil
}

// toolsDir finds tools/<name> from this source file, or failing that
// from the main module of the working directory.
func (tl tool) toolsDir() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok {
		dir := filepath.Join(filepath.Dir(file), "..", "..", "tools", tl.name)
		if isFile(filepath.Join(dir, "go.mod")) {
			return dir, nil
		}
	}
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find the module: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the verbatim module: cannot find tools/" + tl.name)
	}
	dir := filepath.Join(filepath.Dir(gomod), "tools", tl.name)
	if !isFile(filepath.Join(dir, "go.mod")) {
		return "", fmt.Errorf("no go.mod in %s", dir)
	}
	return dir, nil
}

// versionOf reads the pinned version from the tools module, so that
// changing the pin changes the cached binary's name.
func (tl tool) versionOf(src string) string {
	b, err := os.ReadFile(filepath.Join(src, "go.mod"))
	if err != nil {
		return tl.fallback
	}
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		if len(f) >= 2 && f[0] == tl.module {
			return f[1]
		}
	}
	return tl.fallback
}

func (tl tool) binaryPath(version string) (string, error) {
	if p := os.Getenv(tl.envVar); p != "" {
		return filepath.Abs(p)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	return filepath.Join(cache, "verbatim", tl.name+"-"+version), nil
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// buildLocked builds bin under an exclusive lock on bin+".lock", unless
// another process built it while this one waited for the lock.
func (tl tool) buildLocked(ctx context.Context, src, bin string, logf func(string, ...any)) error {
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return err
	}
	lock, err := os.OpenFile(bin+".lock", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer lock.Close()
	logf("testenv: waiting for the %s build lock %s", tl.name, lock.Name())
	if err := flock(ctx, lock); err != nil {
		return err
	}
	if isFile(bin) {
		return nil
	}
	// A build cut short (a test binary that hit its timeout) leaves its
	// output behind; the packages it compiled stay in the Go build cache, so
	// this build resumes where it stopped.
	if stale, _ := filepath.Glob(bin + ".tmp-*"); len(stale) > 0 {
		for _, p := range stale {
			os.Remove(p)
		}
	}
	return tl.build(ctx, src, bin, logf)
}

// flock takes an exclusive lock on f, giving up when ctx ends.
func flock(ctx context.Context, f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// build runs go build in the tools module and renames the result into place,
// so that bin never exists half-written.
func (tl tool) build(ctx context.Context, src, bin string, logf func(string, ...any)) error {
	tmp := fmt.Sprintf("%s.tmp-%d", bin, os.Getpid())
	defer os.Remove(tmp)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", tmp, tl.pkg)
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOWORK=off")
	cmd.SysProcAttr = sysProcAttr() // dies with this process, which holds the lock
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	logf("testenv: building %s from %s into %s (the first build takes a few minutes)", tl.name, src, bin)
	start := time.Now()
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(20 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				logf("testenv: still building %s (%s)", tl.name, time.Since(start).Round(time.Second))
			}
		}
	}()
	err := cmd.Run()
	close(done)
	if ctx.Err() != nil {
		return fmt.Errorf("stopped after %s: %w", time.Since(start).Round(time.Second), ctx.Err())
	}
	if err != nil {
		return fmt.Errorf("%w\n%s", err, out.Bytes())
	}
	logf("testenv: built %s in %s", tl.name, time.Since(start).Round(time.Second))
	return os.Rename(tmp, bin)
}

package testenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// seaweedfs is SeaweedFS's weed program, pinned in tools/seaweedfs.
var seaweedfs = tool{
	name: "seaweedfs", module: "github.com/seaweedfs/seaweedfs", pkg: "github.com/seaweedfs/seaweedfs/weed",
	envVar: "VERBATIM_SEAWEEDFS", fallback: "v0.0.0-20261109003541-7506e5f91cd6",
}

// SeaweedFSBinary returns the path of the weed executable built from
// tools/seaweedfs, building it on first use like Binary does versitygw
// ($VERBATIM_SEAWEEDFS names it when set).
func SeaweedFSBinary(ctx context.Context, logf func(format string, args ...any)) (string, error) {
	return seaweedfs.binary(ctx, logf)
}

// StartSeaweedFS starts a distributed SeaweedFS for the test — a master,
// two volume servers, a filer and the filer's S3 gateway, each its own
// process on loopback ports — with a bucket, and stops it when the test
// ends. Every file is stored twice (replication 001: on both volume
// servers), so a write is acknowledged only once the cluster has it. The
// first call on a machine builds weed (several minutes). Set
// VERBATIM_TEST_SKIP_S3=1 to skip instead.
func StartSeaweedFS(tb testing.TB) *S3Server {
	tb.Helper()
	return startForTest(tb, "SeaweedFS", "TestSeaweedFSBinaryIsCached", StartSeaweed)
}

// seaweedPorts are the cluster's loopback ports, kept across Restart.
type seaweedPorts struct {
	master, masterGRPC, filer, filerGRPC, s3, s3GRPC int
	volume, volumeGRPC                               [2]int
}

// StartSeaweed builds (if needed) and starts the cluster, waits until the
// master sees both volume servers and the gateway answers, and creates the
// bucket. Options.Binary names weed. Stop or Close it.
func StartSeaweed(ctx context.Context, opts Options) (*S3Server, error) {
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
	if s.binary == "" {
		bin, err := SeaweedFSBinary(ctx, s.logf)
		if err != nil {
			return nil, err
		}
		s.binary = bin
	}
	if s.Dir == "" {
		dir, err := os.MkdirTemp("", "seaweedfs-")
		if err != nil {
			return nil, fmt.Errorf("testenv: seaweedfs: %w", err)
		}
		s.Dir, s.tempDir = dir, true
	}
	var err error
	for range 3 { // a free port may be taken before weed binds it
		var ports *seaweedPorts
		if ports, err = freeSeaweedPorts(); err != nil {
			break
		}
		s.Endpoint = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports.s3))
		s.launch = func(ctx context.Context) ([]*process, error) { return s.launchSeaweed(ctx, ports) }
		if err = s.start(ctx); err == nil || !errors.Is(err, errAddrInUse) {
			break
		}
	}
	if err == nil {
		err = s.createBucketRetrying(ctx)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("testenv: seaweedfs: %w", err)
	}
	return s, nil
}

func freeSeaweedPorts() (*seaweedPorts, error) {
	var ps []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range 10 { // all held open at once, so they differ
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ps = append(ps, l.Addr().(*net.TCPAddr).Port)
	}
	return &seaweedPorts{
		master: ps[0], masterGRPC: ps[1], filer: ps[2], filerGRPC: ps[3], s3: ps[4], s3GRPC: ps[5],
		volume: [2]int{ps[6], ps[8]}, volumeGRPC: [2]int{ps[7], ps[9]},
	}, nil
}

// launchSeaweed starts master, volume servers, filer and gateway in that
// order, each once the one before answers.
func (s *S3Server) launchSeaweed(ctx context.Context, p *seaweedPorts) (procs []*process, err error) {
	defer func() {
		if err != nil {
			for i := len(procs) - 1; i >= 0; i-- {
				procs[i].kill()
			}
			procs = nil
		}
	}()
	addr := func(port, grpc int) string { return fmt.Sprintf("127.0.0.1:%d.%d", port, grpc) }
	master := addr(p.master, p.masterGRPC)
	dir := func(name string) string {
		d := filepath.Join(s.Dir, name)
		os.MkdirAll(d, 0o755)
		return d
	}
	common := []string{"-ip=127.0.0.1", "-ip.bind=127.0.0.1"}
	start := func(name string, port int, ready string, args ...string) error {
		proc, err := launch(s.binary, append([]string{name}, args...))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		procs = append(procs, proc)
		if err := proc.waitHTTP(ctx, fmt.Sprintf("http://127.0.0.1:%d%s", port, ready)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}
	if err := start("master", p.master, "/cluster/status", append(common,
		"-port="+strconv.Itoa(p.master), "-port.grpc="+strconv.Itoa(p.masterGRPC), "-mdir="+dir("master"),
		"-defaultReplication=001", "-volumeSizeLimitMB=64", "-peers=none")...); err != nil {
		return procs, err
	}
	for i := range 2 {
		if err := start("volume", p.volume[i], "/status", append(common,
			"-port="+strconv.Itoa(p.volume[i]), "-port.grpc="+strconv.Itoa(p.volumeGRPC[i]),
			"-dir="+dir(fmt.Sprintf("volume%d", i+1)), "-max=200", "-master="+master, "-minFreeSpace=1MiB")...); err != nil {
			return procs, err
		}
	}
	if err := waitVolumes(ctx, p, procs[0]); err != nil {
		return procs, err
	}
	if err := start("filer", p.filer, "/", append(common,
		"-port="+strconv.Itoa(p.filer), "-port.grpc="+strconv.Itoa(p.filerGRPC),
		"-master="+master, "-defaultStoreDir="+dir("filer"))...); err != nil {
		return procs, err
	}
	cfg := filepath.Join(s.Dir, "s3.json")
	identities := fmt.Sprintf(`{"identities": [{"name": "verbatim", "credentials": [{"accessKey": %q, "secretKey": %q}], "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}`,
		s.AccessKey, s.SecretKey)
	if err := os.WriteFile(cfg, []byte(identities), 0o600); err != nil {
		return procs, err
	}
	err = start("s3", p.s3, "/", "-ip.bind=127.0.0.1",
		"-port="+strconv.Itoa(p.s3), "-port.grpc="+strconv.Itoa(p.s3GRPC),
		"-filer="+addr(p.filer, p.filerGRPC), "-config="+cfg)
	return procs, err
}

// waitVolumes waits until the master lists both volume servers: with
// replication 001 no file can be written before.
func waitVolumes(ctx context.Context, p *seaweedPorts, master *process) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	url := fmt.Sprintf("http://127.0.0.1:%d/dir/status", p.master)
	var body string
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
			if strings.Contains(body, fmt.Sprintf(":%d", p.volume[0])) && strings.Contains(body, fmt.Sprintf(":%d", p.volume[1])) {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the master does not list both volume servers: %w\n%s\n%s", ctx.Err(), body, master.out.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// waitHTTP polls url until it answers (any status), the process exits or
// ctx ends.
func (p *process) waitHTTP(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
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
				return fmt.Errorf("%w: %s", errAddrInUse, url)
			}
			return fmt.Errorf("exited before answering (%v):\n%s", p.err, out)
		case <-ctx.Done():
			return fmt.Errorf("no answer on %s: %w\n%s", url, ctx.Err(), p.out.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// createBucketRetrying creates the bucket, retrying while the gateway has
// not yet reached the filer.
func (s *S3Server) createBucketRetrying(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		err := s.createBucket(ctx)
		if err == nil || strings.Contains(err.Error(), "already own it") || strings.Contains(err.Error(), "BucketAlreadyOwnedByYou") {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (%v)", err, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

const nginxPath = "/usr/sbin/nginx"

// findNginx returns the nginx binary, or "" when it is not installed.
func findNginx() string {
	if _, err := os.Stat(nginxPath); err == nil {
		return nginxPath
	}
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	return ""
}

// startNginx serves root on a loopback port with a configuration written
// for the benchmark: sendfile on, no access log, as many workers as cores,
// like a production static file server. It returns the base URL.
func (e *env) startNginx(ctx context.Context, bin, root string) (string, error) {
	addr, err := freeAddr()
	if err != nil {
		return "", err
	}
	prefix := filepath.Join(e.dir, "nginx")
	if err := os.MkdirAll(filepath.Join(prefix, "tmp"), 0o755); err != nil {
		return "", err
	}
	user := ""
	if os.Geteuid() == 0 {
		// Workers would otherwise drop to nobody, who cannot read our
		// private temporary directory.
		user = "user root;"
	}
	conf := fmt.Sprintf(`%s
worker_processes auto;
daemon off;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types { video/mp4 mp4; }
  default_type application/octet-stream;
  client_body_temp_path %[2]s/tmp/body;
  proxy_temp_path %[2]s/tmp/proxy;
  fastcgi_temp_path %[2]s/tmp/fastcgi;
  uwsgi_temp_path %[2]s/tmp/uwsgi;
  scgi_temp_path %[2]s/tmp/scgi;
  server {
    listen %[3]s;
    root %[4]s;
  }
}
`, user, prefix, addr, root)
	confPath := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return "", err
	}
	cmd := exec.Command(bin, "-p", prefix, "-c", confPath)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = dieWithUs()
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start nginx: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	e.onClose(func() {
		_ = cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	base := "http://" + addr
	for range 100 {
		select {
		case err := <-exited:
			return "", fmt.Errorf("nginx exited: %v", err)
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if resp, err := http.Get(base + "/"); err == nil {
			resp.Body.Close()
			return base, nil
		}
	}
	return "", fmt.Errorf("nginx did not answer on %s", addr)
}

package clip

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// feed serves each running job's media to ffmpeg over loopback HTTP, with
// Range, reading only the ranges ffmpeg asks for.
type feed struct {
	srv  *http.Server
	ln   net.Listener
	base string

	mu      sync.Mutex
	sources map[string]Source
}

func startFeed(log *slog.Logger) (*feed, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("clip: loopback listener: %w", err)
	}
	f := &feed{ln: ln, base: "http://" + ln.Addr().String() + "/", sources: map[string]Source{}}
	f.srv = &http.Server{
		Handler: f,
		// A small send buffer: when ffmpeg seeks it drops the connection,
		// and what the kernel had buffered for it was read from storage
		// for nothing.
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetWriteBuffer(128 << 10)
			}
			return ctx
		},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	go func() {
		if err := f.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("clip: loopback feed stopped", "err", err)
		}
	}()
	return f, nil
}

func (f *feed) close() error { return f.srv.Close() }

// serve makes src readable at the returned URL until done is called.
func (f *feed) serve(src Source) (url string, done func()) {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (Go 1.24+)
	token := hex.EncodeToString(b[:])
	f.mu.Lock()
	f.sources[token] = src
	f.mu.Unlock()
	return f.base + token, func() {
		f.mu.Lock()
		delete(f.sources, token)
		f.mu.Unlock()
	}
}

func (f *feed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	src, ok := f.sources[strings.TrimPrefix(r.URL.Path, "/")]
	f.mu.Unlock()
	if !ok || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	rs := &rangeReader{ctx: r.Context(), src: src}
	defer rs.Close()
	// ServeContent answers Range (and ffmpeg's seeks) by seeking rs, which
	// only moves an offset: bytes are opened from storage at the first
	// Read after a seek, from there on.
	http.ServeContent(w, r, "", time.Time{}, rs)
}

// rangeReader is an io.ReadSeeker over a Source that opens storage lazily
// at its current offset.
type rangeReader struct {
	ctx context.Context
	src Source
	off int64
	rc  io.ReadCloser
}

func (r *rangeReader) Read(p []byte) (int, error) {
	if r.off >= r.src.Size {
		return 0, io.EOF
	}
	if r.rc == nil {
		rc, err := r.src.Open(r.ctx, r.off, -1)
		if err != nil {
			return 0, err
		}
		r.rc = rc
	}
	n, err := r.rc.Read(p)
	r.off += int64(n)
	return n, err
}

func (r *rangeReader) Seek(offset int64, whence int) (int64, error) {
	var to int64
	switch whence {
	case io.SeekStart:
		to = offset
	case io.SeekCurrent:
		to = r.off + offset
	case io.SeekEnd:
		to = r.src.Size + offset
	}
	if to < 0 {
		return r.off, errors.New("clip: seek before the start")
	}
	if to != r.off {
		r.Close()
		r.off = to
	}
	return to, nil
}

func (r *rangeReader) Close() error {
	if r.rc == nil {
		return nil
	}
	err := r.rc.Close()
	r.rc = nil
	return err
}

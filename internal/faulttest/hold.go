package faulttest

import (
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
)

// HoldProxy is an HTTP reverse proxy on loopback that forwards requests to
// an upstream server but holds, unanswered, every request its Hold
// function picks, until Release or the client goes away. It makes a crash
// land at an exact step: hold the write of a manifest, then kill the
// process that sent it.
//
// The Host header is passed on unchanged, so AWS signatures made for the
// proxy's address stay valid upstream.
type HoldProxy struct {
	srv *http.Server
	ln  net.Listener

	mu      sync.Mutex
	hold    func(*http.Request) bool
	release chan struct{}
	drop    chan struct{}
	held    chan *http.Request // one value per request held
}

// NewHoldProxy starts a proxy to upstream (host:port, plain HTTP).
func NewHoldProxy(upstream string) (*HoldProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	target := &url.URL{Scheme: "http", Host: upstream}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host
		},
		// An unreachable upstream drops the client's connection, as the
		// dead server itself would, instead of answering 502.
		ErrorHandler: func(http.ResponseWriter, *http.Request, error) { panic(http.ErrAbortHandler) },
		ErrorLog:     log.New(io.Discard, "", 0),
	}
	h := &HoldProxy{ln: ln, release: make(chan struct{}), drop: make(chan struct{}), held: make(chan *http.Request, 64)}
	h.srv = &http.Server{ErrorLog: log.New(io.Discard, "", 0), Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.shouldHold(r) {
			select {
			case h.held <- r:
			default:
			}
			release, drop := h.gates()
			select {
			case <-release:
			case <-drop:
				panic(http.ErrAbortHandler) // the request never reaches upstream
			case <-r.Context().Done():
				return
			}
		}
		rp.ServeHTTP(w, r)
	})}
	go h.srv.Serve(ln)
	return h, nil
}

// Addr is the proxy's host:port.
func (h *HoldProxy) Addr() string { return h.ln.Addr().String() }

// Hold sets which requests to hold from now on (nil: none).
func (h *HoldProxy) Hold(f func(*http.Request) bool) {
	h.mu.Lock()
	h.hold = f
	h.mu.Unlock()
}

// Held delivers each request as it is held.
func (h *HoldProxy) Held() <-chan *http.Request { return h.held }

// Release lets every held request through and stops holding.
func (h *HoldProxy) Release() {
	h.mu.Lock()
	h.hold = nil
	close(h.release)
	h.release = make(chan struct{})
	h.mu.Unlock()
}

// Close stops the proxy.
func (h *HoldProxy) Close() error {
	h.Release()
	return h.srv.Close()
}

func (h *HoldProxy) shouldHold(r *http.Request) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hold != nil && h.hold(r)
}

// Drop aborts every held request without forwarding it, and stops
// holding. A held request whose sender died is not necessarily gone: its
// body may sit complete in the proxy's socket buffer, and Release would
// deliver it. Drop models the crash that came before the request left.
func (h *HoldProxy) Drop() {
	h.mu.Lock()
	h.hold = nil
	close(h.drop)
	h.drop = make(chan struct{})
	h.mu.Unlock()
}

func (h *HoldProxy) gates() (release, drop chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.release, h.drop
}

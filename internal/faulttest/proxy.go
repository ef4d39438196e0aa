package faulttest

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// Mode is how a Proxy treats traffic.
type Mode int

const (
	Pass      Mode = iota // forward as is
	Delay                 // forward each chunk after the proxy's delay
	Blackhole             // accept, read nothing, forward nothing
)

// Proxy is a loopback TCP proxy in front of one upstream address. Its mode
// can change at any time and applies to connections already open: a
// blackholed connection stalls mid-stream, like a server that stopped
// answering without closing its sockets.
type Proxy struct {
	ln       net.Listener
	upstream string

	mu      sync.Mutex
	mode    Mode
	delay   time.Duration
	changed chan struct{} // closed and replaced on every mode change
	conns   map[net.Conn]bool
	closed  bool
	wg      sync.WaitGroup
}

// NewProxy listens on a free loopback port and forwards to upstream.
func NewProxy(upstream string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, upstream: upstream, changed: make(chan struct{}), conns: map[net.Conn]bool{}}
	p.wg.Go(p.accept)
	return p, nil
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Set switches the mode; delay applies to Delay.
func (p *Proxy) Set(m Mode, delay time.Duration) {
	p.mu.Lock()
	p.mode, p.delay = m, delay
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
}

// Close stops listening and drops every connection.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.track(c) {
			c.Close()
			return
		}
		p.wg.Go(func() { p.serve(c) })
	}
}

func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = true
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}

func (p *Proxy) serve(client net.Conn) {
	defer p.untrack(client)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := p.gate(ctx); err != nil {
		return
	}
	up, err := net.Dial("tcp", p.upstream)
	if err != nil {
		return
	}
	if !p.track(up) {
		up.Close()
		return
	}
	defer p.untrack(up)
	var wg sync.WaitGroup
	wg.Go(func() { p.pipe(ctx, up, client); cancel() })
	wg.Go(func() { p.pipe(ctx, client, up); cancel() })
	<-ctx.Done()
	client.Close()
	up.Close()
	wg.Wait()
}

// pipe copies src to dst chunk by chunk, passing each chunk through the
// gate so a mode change takes effect mid-stream.
func (p *Proxy) pipe(ctx context.Context, dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if p.gate(ctx) != nil {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				if cw, ok := dst.(interface{ CloseWrite() error }); ok {
					_ = cw.CloseWrite()
				}
			}
			return
		}
	}
}

// gate returns when traffic may flow: at once in Pass, after the delay in
// Delay, and only after a mode change in Blackhole. It fails when ctx ends
// or the proxy closes.
func (p *Proxy) gate(ctx context.Context) error {
	for {
		p.mu.Lock()
		mode, delay, changed, closed := p.mode, p.delay, p.changed, p.closed
		p.mu.Unlock()
		if closed {
			return net.ErrClosed
		}
		switch mode {
		case Pass:
			return nil
		case Delay:
			select {
			case <-time.After(delay):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			case <-changed:
			}
		case Blackhole:
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-changed:
			}
		}
	}
}

package faulttest

import (
	"bufio"
	"errors"
	"net"
	"os"
	"runtime"
	"testing"
	"time"
)

// echoServer answers every line with the same line.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if _, err := c.Write([]byte(line)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// roundTrip sends a line through conn and waits up to wait for the echo.
func roundTrip(c net.Conn, r *bufio.Reader, wait time.Duration) (string, error) {
	if _, err := c.Write([]byte("ping\n")); err != nil {
		return "", err
	}
	c.SetReadDeadline(time.Now().Add(wait))
	return r.ReadString('\n')
}

func TestProxyModes(t *testing.T) {
	p, err := NewProxy(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)

	if got, err := roundTrip(c, r, 5*time.Second); err != nil || got != "ping\n" {
		t.Fatalf("Pass: roundTrip = %q, %v; want ping", got, err)
	}

	p.Set(Blackhole, 0)
	if got, err := roundTrip(c, r, 300*time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Blackhole: roundTrip = %q, %v; want a deadline error", got, err)
	}

	// Traffic held by the blackhole flows again once it lifts.
	p.Set(Pass, 0)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if got, err := r.ReadString('\n'); err != nil || got != "ping\n" {
		t.Fatalf("after Blackhole: read %q, %v; want the held ping", got, err)
	}

	const delay = 150 * time.Millisecond
	p.Set(Delay, delay)
	t0 := time.Now()
	if got, err := roundTrip(c, r, 5*time.Second); err != nil || got != "ping\n" {
		t.Fatalf("Delay: roundTrip = %q, %v; want ping", got, err)
	}
	// Each direction waits once: the echo cannot come back sooner.
	if d := time.Since(t0); d < 2*delay {
		t.Errorf("Delay(%s): round trip took %s; want at least %s", delay, d, 2*delay)
	}
}

func TestProxyCloseLeavesNoGoroutines(t *testing.T) {
	upstream := echoServer(t)
	before := runtime.NumGoroutine()
	p, err := NewProxy(upstream)
	if err != nil {
		t.Fatal(err)
	}
	p.Set(Blackhole, 0)
	var conns []net.Conn
	for range 5 {
		c, err := net.Dial("tcp", p.Addr())
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("stuck\n"))
		conns = append(conns, c)
	}
	if err := p.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
	for _, c := range conns {
		c.Close()
	}
	if after := settleGoroutines(before, 5*time.Second); after > before {
		t.Errorf("goroutines: %d before the proxy, %d after Close", before, after)
	}
}

// settleGoroutines waits up to limit for the goroutine count to come back
// to at most want, and returns the last count seen.
func settleGoroutines(want int, limit time.Duration) int {
	deadline := time.Now().Add(limit)
	n := runtime.NumGoroutine()
	for n > want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

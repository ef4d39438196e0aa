package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
)

// rangeResult is what a range-read load produced.
type rangeResult struct {
	bytes    int64
	requests int
	errors   int
	elapsed  time.Duration
	ttfb     latencies
	firstErr error
}

func (r rangeResult) throughput() float64 { return mibps(r.bytes, r.elapsed) }

// merge adds the figures of another run of the same load.
func (r *rangeResult) merge(o rangeResult) {
	r.bytes += o.bytes
	r.requests += o.requests
	r.errors += o.errors
	r.elapsed += o.elapsed
	r.ttfb = append(r.ttfb, o.ttfb...)
	if r.firstErr == nil {
		r.firstErr = o.firstErr
	}
}

// newClient returns a client that keeps conns connections to one host and
// never asks for compression (media is not compressed, and neither is the
// peer's answer).
func newClient(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true,
		IdleConnTimeout: 30 * time.Second,
	}}
}

// measureRanges has conns workers fetch rangeLen-byte ranges at random
// 4 KiB-aligned offsets of a size-byte object for dur. Worker i draws the
// same offsets against every server, so peers read the same ranges.
func measureRanges(ctx context.Context, url string, size, rangeLen int64, conns int, dur time.Duration) rangeResult {
	client := newClient(conns)
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, dur+30*time.Second)
	defer cancel()
	deadline := time.Now().Add(dur)
	var (
		mu  sync.Mutex
		res rangeResult
		wg  sync.WaitGroup
	)
	start := time.Now()
	for i := range conns {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			buf := make([]byte, 256<<10)
			for time.Now().Before(deadline) && ctx.Err() == nil {
				off := rng.Int64N((size-rangeLen)/4096+1) * 4096
				ttfb, n, err := fetchRange(ctx, client, url, off, rangeLen, buf)
				mu.Lock()
				res.requests++
				res.bytes += n
				if err != nil {
					res.errors++
					if res.firstErr == nil {
						res.firstErr = err
					}
				} else {
					res.ttfb = append(res.ttfb, ttfb)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// fetchRange GETs one range and reads it whole, returning the time to the
// first body byte and the bytes read.
func fetchRange(ctx context.Context, c *http.Client, url string, off, n int64, buf []byte) (time.Duration, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+n-1))
	t0 := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent {
		_, _ = io.Copy(io.Discard, resp.Body)
		return 0, 0, fmt.Errorf("GET %s range %d+%d: %s, want 206", url, off, n, resp.Status)
	}
	k, err := io.ReadAtLeast(resp.Body, buf[:1], 1)
	ttfb := time.Since(t0)
	if err != nil {
		return 0, int64(k), err
	}
	rest, err := io.CopyBuffer(io.Discard, resp.Body, buf)
	got := int64(k) + rest
	if err == nil && got != n {
		err = fmt.Errorf("GET %s range %d+%d: got %d bytes", url, off, n, got)
	}
	return ttfb, got, err
}

// verifySame checks that url serves the same bytes as the local file at a
// few offsets, so every server in a comparison serves the same object.
func verifySame(ctx context.Context, url, path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	c := newClient(1)
	defer c.CloseIdleConnections()
	for _, off := range []int64{0, 1000, size/2 + 123, size - 65536} {
		want := make([]byte, 65536)
		if _, err := f.ReadAt(want, off); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+65535))
		resp, err := c.Do(req)
		if err != nil {
			return fmt.Errorf("verify %s: %w", url, err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusPartialContent || !bytes.Equal(got, want) {
			return fmt.Errorf("verify %s at %d: status %s, %d bytes, equal %v, err %v", url, off, resp.Status, len(got), bytes.Equal(got, want), err)
		}
	}
	return nil
}

// writeMediaFile writes a media file of size bytes to path (see mediaBody).
func writeMediaFile(path string, size int64) error {
	body, err := mediaBody(7, size)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// mediaBody is an MP4 of size bytes that Verbatim's probe accepts: a
// real header (mediatest.BuildHeader), then media data of pseudo-random
// bytes (incompressible, the same in every run for a seed).
func mediaBody(seed uint64, size int64) (io.Reader, error) {
	h, err := mediatest.BuildHeader(size)
	if err != nil {
		return nil, err
	}
	return io.MultiReader(bytes.NewReader(h), io.LimitReader(newPattern(seed), size-int64(len(h)))), nil
}

// pattern is an endless deterministic stream of incompressible bytes: one
// random MiB, repeated. Cheap enough not to be what a benchmark measures.
type pattern struct {
	block []byte
	pos   int
}

func newPattern(seed uint64) *pattern {
	rng := rand.New(rand.NewChaCha8([32]byte{byte(seed)}))
	b := make([]byte, 1<<20)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return &pattern{block: b}
}

func (p *pattern) Read(b []byte) (int, error) {
	n := copy(b, p.block[p.pos:])
	p.pos = (p.pos + n) % len(p.block)
	return n, nil
}

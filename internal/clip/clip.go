// Package clip cuts a quote's passage out of a stored recording with
// ffmpeg: stream copy from the keyframe at or before the start (-ss before
// -i), for the quote's duration (-t), with the quote's captions as a soft
// subtitle track (mov_text in MP4, WebVTT in WebM). Nothing is re-encoded,
// so a clip costs about what it weighs to read.
//
// The media is never copied whole: ffmpeg reads it over HTTP from a
// loopback listener owned by the Cutter, which answers byte ranges from
// the caller's Source (a disk file or an S3 object, read range by range).
// Each job gets its own unguessable path, valid while it runs.
//
// Cost is bounded: at most Options.Jobs ffmpeg processes at once, one job
// per key at a time (callers asking for a clip being cut wait for that job
// instead of starting another), a timeout per job, and the temporary
// files removed whatever happens. The output is handed to Request.Store
// only after ffmpeg has finished successfully, so a failed or interrupted
// cut never reaches storage. The server runs without ffmpeg: New then
// returns ErrNoFFmpeg.
package clip

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrNoFFmpeg means ffmpeg is not installed (or not where Options.FFmpeg
// says): there are no clips.
var ErrNoFFmpeg = errors.New("clip: ffmpeg not found")

// ErrUnsupported means the media's container cannot be cut into a clip
// by stream copy (only MP4/QuickTime and WebM are).
var ErrUnsupported = errors.New("clip: media type cannot be cut by stream copy")

// ErrBusy means every ffmpeg slot stayed taken for as long as the caller
// would wait.
var ErrBusy = errors.New("clip: every ffmpeg slot is busy")

// Options bound the work.
type Options struct {
	FFmpeg  string        // the ffmpeg binary: a path, or a name looked up on PATH; default "ffmpeg"
	Jobs    int           // ffmpeg processes at once; default 2
	Timeout time.Duration // per job; default 2 minutes
	TempDir string        // where output is written before Store; default os.TempDir()
	Log     *slog.Logger
}

// Source is the media to cut: its size and content type, and a way to
// read a byte range of it (length < 0: to the end).
type Source struct {
	Size        int64
	ContentType string
	Open        func(ctx context.Context, offset, length int64) (io.ReadCloser, error)
}

// Caption is one cue of the clip's subtitle track, timed on the source
// recording's timeline (the cut shifts it).
type Caption struct {
	StartMS, EndMS int64
	Text           string
}

// Request is one clip to cut.
type Request struct {
	Key            string // one job per key at a time (the quote's id)
	Source         Source
	StartMS, EndMS int64
	Captions       []Caption
	// Store receives the finished clip (size bytes, positioned at 0) and
	// keeps it; it runs inside the job, so callers waiting on the same key
	// find it stored when they wake.
	Store func(ctx context.Context, f *os.File, size int64) error
}

// Format names the clip container for a source content type: ".mp4" or
// ".webm", with the clip's content type. ok is false for anything else.
func Format(contentType string) (ext, clipType string, ok bool) {
	ct, _, _ := strings.Cut(contentType, ";")
	switch strings.TrimSpace(strings.ToLower(ct)) {
	case "video/mp4", "video/quicktime", "audio/mp4", "video/x-m4v":
		return ".mp4", "video/mp4", true
	case "video/webm", "audio/webm":
		return ".webm", "video/webm", true
	}
	return "", "", false
}

// Cutter runs ffmpeg jobs.
type Cutter struct {
	ffmpeg  string
	timeout time.Duration
	tmp     string
	log     *slog.Logger
	slots   chan struct{}
	feed    *feed

	mu      sync.Mutex
	flights map[string]*flight
}

type flight struct {
	done    chan struct{}
	err     error
	callers int // Cut calls waiting for this job
	// started: the job has its ffmpeg slot and runs to its end.
	// abandoned: every caller left before it started; it never will.
	started, abandoned bool
	wanted             context.Context // cancelled when abandoned
	unwanted           context.CancelFunc
}

// New looks ffmpeg up (Options.FFmpeg) and starts the loopback listener
// ffmpeg reads media from. Close stops it.
func New(opts Options) (*Cutter, error) {
	if opts.FFmpeg == "" {
		opts.FFmpeg = "ffmpeg"
	}
	bin, err := exec.LookPath(opts.FFmpeg)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrNoFFmpeg, opts.FFmpeg, err)
	}
	if opts.Jobs <= 0 {
		opts.Jobs = 2
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Minute
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	f, err := startFeed(opts.Log)
	if err != nil {
		return nil, err
	}
	return &Cutter{
		ffmpeg: bin, timeout: opts.Timeout, tmp: opts.TempDir, log: opts.Log,
		slots: make(chan struct{}, opts.Jobs), feed: f, flights: map[string]*flight{},
	}, nil
}

// Jobs is how many ffmpeg processes may run at once.
func (c *Cutter) Jobs() int { return cap(c.slots) }

// Close stops the loopback listener; jobs still running fail.
func (c *Cutter) Close() error { return c.feed.close() }

// Cut cuts req's clip and hands it to req.Store. A job already running
// for req.Key is joined instead of started again: its outcome is this
// call's. ctx bounds how long this caller waits. A job waits for an
// ffmpeg slot only while someone waits for it, and once started it runs
// to its end (bounded by the Cutter's timeout), so a caller giving up does
// not waste work the next one would repeat.
func (c *Cutter) Cut(ctx context.Context, req Request) error {
	if err := check(req); err != nil {
		return err
	}
	c.mu.Lock()
	f, running := c.flights[req.Key]
	if !running {
		f = &flight{done: make(chan struct{})}
		f.wanted, f.unwanted = context.WithCancel(context.WithoutCancel(ctx))
		c.flights[req.Key] = f
		go c.fly(f, req)
	}
	f.callers++
	c.mu.Unlock()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		c.mu.Lock()
		if f.callers--; f.callers == 0 && !f.started {
			f.abandoned = true
			f.unwanted()
			if c.flights[req.Key] == f {
				delete(c.flights, req.Key) // the next caller starts afresh
			}
		}
		c.mu.Unlock()
		return fmt.Errorf("clip %s: %w", req.Key, context.Cause(ctx))
	}
}

func (c *Cutter) fly(f *flight, req Request) {
	err := c.job(f, req)
	c.mu.Lock()
	if c.flights[req.Key] == f {
		delete(c.flights, req.Key)
	}
	c.mu.Unlock()
	f.unwanted()
	f.err = err
	close(f.done)
}

func check(req Request) error {
	switch {
	case req.Key == "":
		return errors.New("clip: request without a key")
	case req.Store == nil || req.Source.Open == nil:
		return errors.New("clip: request without a source or a store")
	case req.StartMS < 0 || req.EndMS <= req.StartMS:
		return fmt.Errorf("clip %s: range %d..%d ms is empty or negative", req.Key, req.StartMS, req.EndMS)
	}
	if _, _, ok := Format(req.Source.ContentType); !ok {
		return fmt.Errorf("clip %s: %q: %w", req.Key, req.Source.ContentType, ErrUnsupported)
	}
	return nil
}

// job takes a slot (waiting while anyone still wants the clip), then runs
// ffmpeg under the timeout.
func (c *Cutter) job(f *flight, req Request) error {
	abandoned := fmt.Errorf("clip %s: %w: every caller left before a slot was free", req.Key, ErrBusy)
	select {
	case c.slots <- struct{}{}:
	case <-f.wanted.Done():
		return abandoned
	}
	defer func() { <-c.slots }()
	c.mu.Lock()
	if f.abandoned { // the slot came as the last caller left
		c.mu.Unlock()
		return abandoned
	}
	f.started = true
	c.mu.Unlock()
	jctx, cancel := context.WithTimeout(context.WithoutCancel(f.wanted), c.timeout)
	defer cancel()
	return c.run(jctx, req)
}

// run cuts into a temporary directory that is removed afterwards, and
// stores the output only when ffmpeg succeeded.
func (c *Cutter) run(ctx context.Context, req Request) error {
	dir, err := os.MkdirTemp(c.tmp, "verbatim-clip-")
	if err != nil {
		return fmt.Errorf("clip %s: temp dir: %w", req.Key, err)
	}
	defer os.RemoveAll(dir)
	subs := dir + "/captions.vtt"
	if err := writeCaptions(subs, req); err != nil {
		return fmt.Errorf("clip %s: %w", req.Key, err)
	}
	ext, _, _ := Format(req.Source.ContentType)
	out := dir + "/clip" + ext
	url, done := c.feed.serve(req.Source)
	defer done()
	start := time.Now()
	if err := c.ffmpegRun(ctx, args(url, subs, out, req)); err != nil {
		return fmt.Errorf("clip %s: %w", req.Key, err)
	}
	f, err := os.Open(out)
	if err != nil {
		return fmt.Errorf("clip %s: ffmpeg wrote no output: %w", req.Key, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return fmt.Errorf("clip %s: ffmpeg output is empty or unreadable (%v)", req.Key, err)
	}
	c.log.Info("clip: cut", "key", req.Key, "bytes", fi.Size(), "took", time.Since(start).Round(time.Millisecond))
	if err := req.Store(ctx, f, fi.Size()); err != nil {
		return fmt.Errorf("clip %s: store: %w", req.Key, err)
	}
	return nil
}

// args is the ffmpeg command line. The demuxer is named from the content
// type and ffmpeg may only open our loopback HTTP URL for the media and
// the one caption file, so a crafted upload (a playlist, a reference
// movie) cannot make ffmpeg read anything else.
func args(url, subs, out string, req Request) []string {
	ext, _, _ := Format(req.Source.ContentType)
	demux, mux, subCodec := "mov", "mp4", "mov_text"
	if ext == ".webm" {
		demux, mux, subCodec = "matroska", "webm", "webvtt"
	}
	a := []string{
		"-nostdin", "-hide_banner", "-loglevel", "error", "-y",
		"-protocol_whitelist", "http,tcp", "-f", demux,
		"-ss", seconds(req.StartMS), "-i", url,
		"-protocol_whitelist", "file", "-f", "webvtt", "-i", subs,
		"-t", seconds(req.EndMS - req.StartMS),
		"-map", "0:v:0?", "-map", "0:a:0?", "-map", "1:s:0",
		"-c:v", "copy", "-c:a", "copy", "-c:s", subCodec,
		"-map_metadata", "-1", "-map_chapters", "-1",
	}
	if mux == "mp4" {
		a = append(a, "-movflags", "+faststart")
	}
	return append(a, "-f", mux, out)
}

func seconds(ms int64) string {
	return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)
}

// tailBuffer keeps the last 2 KiB ffmpeg said, for the error.
type tailBuffer struct{ b []byte }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 2048 {
		t.b = t.b[len(t.b)-2048:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return strings.TrimSpace(string(t.b)) }

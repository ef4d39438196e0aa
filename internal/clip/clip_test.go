package clip_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/clip"
	"github.com/verbatim-archive/verbatim/internal/clip/cliptest"
)

// fileSource reads a file range by range and counts the bytes read.
func fileSource(tb testing.TB, name, contentType string, read *atomic.Int64) clip.Source {
	tb.Helper()
	fi, err := os.Stat(name)
	if err != nil {
		tb.Fatal(err)
	}
	return clip.Source{Size: fi.Size(), ContentType: contentType, Open: func(ctx context.Context, off, n int64) (io.ReadCloser, error) {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			f.Close()
			return nil, err
		}
		if n < 0 {
			n = fi.Size() - off
		}
		return struct {
			io.Reader
			io.Closer
		}{&countReader{io.LimitReader(f, n), read}, f}, nil
	}}
}

type countReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n != nil {
		c.n.Add(int64(n))
	}
	return n, err
}

// keep is a Request.Store that copies the clip to a file and counts calls.
type keep struct {
	dir   string
	calls atomic.Int32
	path  string
}

func (k *keep) store(_ context.Context, f *os.File, size int64) error {
	k.calls.Add(1)
	k.path = filepath.Join(k.dir, "stored"+filepath.Ext(f.Name()))
	out, err := os.Create(k.path)
	if err != nil {
		return err
	}
	if n, err := io.Copy(out, f); err != nil || n != size {
		out.Close()
		return errors.Join(err, errors.New("short copy"))
	}
	return out.Close()
}

func newCutter(tb testing.TB, opts clip.Options) *clip.Cutter {
	tb.Helper()
	c, err := clip.New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

var captions = []clip.Caption{
	{StartMS: 5500, EndMS: 7200, Text: "Survivors must be heard: müssen gehört werden."},
	{StartMS: 7200, EndMS: 9000, Text: "Nadie conoce mejor la trata."},
	{StartMS: 9500, EndMS: 11000, Text: "Outside the quote."},
}

var early = []clip.Caption{{StartMS: 0, EndMS: 1000, Text: "early"}}

func TestCutMP4AndWebM(t *testing.T) {
	cliptest.RequireFFmpeg(t)
	for _, tc := range []struct {
		ext, contentType, subCodec string
	}{
		{".mp4", "video/mp4", "mov_text"},
		{".webm", "video/webm", "webvtt"},
	} {
		t.Run(tc.ext, func(t *testing.T) {
			src := cliptest.MakeVideo(t, tc.ext, 12)
			k := &keep{dir: t.TempDir()}
			tmp := t.TempDir()
			c := newCutter(t, clip.Options{Jobs: 1, Timeout: time.Minute, TempDir: tmp})
			var read atomic.Int64
			req := clip.Request{
				Key: "q" + tc.ext, Source: fileSource(t, src, tc.contentType, &read),
				StartMS: 6000, EndMS: 9000, Captions: captions, Store: k.store,
			}
			if err := c.Cut(t.Context(), req); err != nil {
				t.Fatal(err)
			}
			if k.calls.Load() != 1 {
				t.Fatalf("Store called %d times; want 1", k.calls.Load())
			}
			if filepath.Ext(k.path) != tc.ext {
				t.Errorf("clip is %s; want %s like its source", filepath.Ext(k.path), tc.ext)
			}
			p := cliptest.Probe(t, k.path)
			dur := p.Duration
			// Stream copy starts at the keyframe at or before 6 s (one a
			// second) and ends at a packet boundary.
			if math.Abs(dur-3) > 1.1 {
				t.Errorf("clip lasts %.3fs; want 3s within a keyframe (1s)", dur)
			}
			if got := strings.Join(p.Streams, " "); !strings.Contains(got, "video:") || !strings.Contains(got, "audio:") || !strings.Contains(got, "subtitle:"+tc.subCodec) {
				t.Errorf("clip streams = %s; want video, audio and subtitle:%s", got, tc.subCodec)
			}
			subs := cliptest.Subtitles(t, k.path)
			for _, want := range []string{captions[0].Text, captions[1].Text} {
				if !strings.Contains(subs, want) {
					t.Errorf("clip subtitles lack %q:\n%s", want, subs)
				}
			}
			if strings.Contains(subs, "Outside the quote") {
				t.Errorf("clip subtitles hold a cue after the quote's end:\n%s", subs)
			}
			// The first caption began before the cut, so it starts with the
			// clip: at 0 in MP4 (an edit list hides the frames before the
			// start), after the frames back to the keyframe in WebM.
			if first := firstCueStart(t, subs); first > 1.1 {
				t.Errorf("first caption starts at %.3fs; want at the clip's start (within a keyframe):\n%s", first, subs)
			}
			assertEmpty(t, tmp)
		})
	}
}

func TestCutReadsOnlyWhatItNeeds(t *testing.T) {
	cliptest.RequireFFmpeg(t)
	// Big enough (about 35 MB) that the loopback socket's buffers, which
	// the feed fills before ffmpeg drops a connection it has seeked away
	// from, are a small part of it.
	src := cliptest.MakeVideo(t, ".mp4", 24, "-vf", "noise=alls=30:allf=t", "-q:v", "3")
	fi, _ := os.Stat(src)
	k := &keep{dir: t.TempDir()}
	c := newCutter(t, clip.Options{})
	var read atomic.Int64
	req := clip.Request{Key: "tail", Source: fileSource(t, src, "video/mp4", &read), StartMS: 20000, EndMS: 22000,
		Captions: []clip.Caption{{StartMS: 20000, EndMS: 22000, Text: "near the end"}}, Store: k.store}
	if err := c.Cut(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	t.Logf("cut 2s of %d bytes reading %d", fi.Size(), read.Load())
	if got := read.Load(); got > fi.Size()/2 {
		t.Errorf("cutting 2s of a 24s video read %d of its %d bytes; want ranged reads, not the whole file", got, fi.Size())
	}
}

func TestFailingFFmpegStoresNothing(t *testing.T) {
	cliptest.RequireFFmpeg(t)
	tmp := t.TempDir()
	junk := filepath.Join(t.TempDir(), "junk.mp4")
	if err := os.WriteFile(junk, bytes.Repeat([]byte("not a video "), 5000), 0o644); err != nil {
		t.Fatal(err)
	}
	k := &keep{dir: t.TempDir()}
	c := newCutter(t, clip.Options{TempDir: tmp})
	err := c.Cut(t.Context(), clip.Request{Key: "junk", Source: fileSource(t, junk, "video/mp4", nil),
		StartMS: 0, EndMS: 1000, Captions: early, Store: k.store})
	if err == nil || !strings.Contains(err.Error(), "ffmpeg") {
		t.Fatalf("Cut of junk = %v; want an ffmpeg error", err)
	}
	if k.calls.Load() != 0 {
		t.Error("a failed cut was stored")
	}
	assertEmpty(t, tmp)
}

func TestTimeoutKillsAndStoresNothing(t *testing.T) {
	cliptest.RequireFFmpeg(t)
	tmp := t.TempDir()
	k := &keep{dir: t.TempDir()}
	c := newCutter(t, clip.Options{TempDir: tmp, Timeout: time.Second})
	stall := clip.Source{Size: 1 << 30, ContentType: "video/mp4", Open: func(ctx context.Context, _, _ int64) (io.ReadCloser, error) {
		<-ctx.Done() // storage that never answers
		return nil, ctx.Err()
	}}
	start := time.Now()
	err := c.Cut(t.Context(), clip.Request{Key: "stall", Source: stall, StartMS: 0, EndMS: 1000, Captions: early, Store: k.store})
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Cut of stalled media = %v; want the deadline", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("a 1s timeout took %v", took)
	}
	if k.calls.Load() != 0 {
		t.Error("a timed-out cut was stored")
	}
	assertEmpty(t, tmp)
}

func TestOneJobPerKey(t *testing.T) {
	cliptest.RequireFFmpeg(t)
	src := cliptest.MakeVideo(t, ".mp4", 4)
	c := newCutter(t, clip.Options{})
	var calls atomic.Int32
	entered, release := make(chan struct{}), make(chan struct{})
	store := func(context.Context, *os.File, int64) error {
		if calls.Add(1) == 1 {
			close(entered)
			<-release
		}
		return nil
	}
	req := clip.Request{Key: "same", Source: fileSource(t, src, "video/mp4", nil), StartMS: 1000, EndMS: 2000, Captions: captions[:1], Store: store}
	req.Captions = []clip.Caption{{StartMS: 1000, EndMS: 2000, Text: "once"}}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	wg.Go(func() { errs[0] = c.Cut(t.Context(), req) })
	<-entered
	for i := 1; i < 3; i++ {
		wg.Go(func() { errs[i] = c.Cut(t.Context(), req) })
	}
	for clip.Callers(c, "same") < 3 {
		time.Sleep(5 * time.Millisecond)
	}
	close(release)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("caller %d: %v", i, err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("three callers of one key ran %d jobs; want 1", n)
	}
}

func TestCallerGivesUpWithoutHoldingOthers(t *testing.T) {
	cliptest.RequireFFmpeg(t)
	src := cliptest.MakeVideo(t, ".mp4", 4)
	c := newCutter(t, clip.Options{})
	var stored atomic.Int32
	req := clip.Request{Key: "k", Source: fileSource(t, src, "video/mp4", nil), StartMS: 1000, EndMS: 2000,
		Captions: []clip.Caption{{StartMS: 1000, EndMS: 2000, Text: "x"}},
		Store:    func(context.Context, *os.File, int64) error { stored.Add(1); return nil }}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := c.Cut(ctx, req); !errors.Is(err, context.Canceled) {
		t.Fatalf("Cut with a cancelled context = %v; want context.Canceled", err)
	}
	// The job of the caller who left either never started or runs to its
	// end; either way a live caller gets its clip.
	if err := c.Cut(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	if stored.Load() == 0 {
		t.Fatal("the clip was never stored")
	}
}

func TestRequestChecks(t *testing.T) {
	cliptest.RequireFFmpeg(t)
	c := newCutter(t, clip.Options{})
	src := clip.Source{Size: 10, ContentType: "video/mp4", Open: func(context.Context, int64, int64) (io.ReadCloser, error) { return nil, errors.New("no") }}
	store := func(context.Context, *os.File, int64) error { return nil }
	for name, req := range map[string]clip.Request{
		"no key":      {Source: src, StartMS: 0, EndMS: 1, Store: store},
		"empty range": {Key: "a", Source: src, StartMS: 5, EndMS: 5, Store: store},
		"negative":    {Key: "a", Source: src, StartMS: -1, EndMS: 5, Store: store},
		"no store":    {Key: "a", Source: src, StartMS: 0, EndMS: 5},
		"mkv":         {Key: "a", Source: clip.Source{Size: 1, ContentType: "video/x-matroska", Open: src.Open}, StartMS: 0, EndMS: 5, Store: store},
		"no captions": {Key: "a", Source: src, StartMS: 0, EndMS: 5, Store: store, Captions: []clip.Caption{{StartMS: 10, EndMS: 20, Text: "later"}}},
	} {
		if err := c.Cut(t.Context(), req); err == nil {
			t.Errorf("%s: Cut succeeded; want an error", name)
		}
	}
	if err := c.Cut(t.Context(), clip.Request{Key: "a", Source: clip.Source{ContentType: "video/x-matroska", Open: src.Open}, EndMS: 5, Store: store}); !errors.Is(err, clip.ErrUnsupported) {
		t.Errorf("mkv: %v; want ErrUnsupported", err)
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct{ in, ext, ct string }{
		{"video/mp4", ".mp4", "video/mp4"},
		{"video/quicktime", ".mp4", "video/mp4"},
		{"video/webm; codecs=vp9", ".webm", "video/webm"},
		{"VIDEO/WEBM", ".webm", "video/webm"},
		{"video/x-matroska", "", ""},
		{"audio/mpeg", "", ""},
	} {
		ext, ct, ok := clip.Format(tc.in)
		if ext != tc.ext || ct != tc.ct || ok != (tc.ext != "") {
			t.Errorf("Format(%q) = %q, %q, %v; want %q, %q", tc.in, ext, ct, ok, tc.ext, tc.ct)
		}
	}
}

func firstCueStart(t *testing.T, vtt string) float64 {
	t.Helper()
	for line := range strings.Lines(vtt) {
		if start, _, ok := strings.Cut(line, " --> "); ok {
			m, sec, _ := strings.Cut(start, ":")
			mins, err1 := strconv.Atoi(m)
			secs, err2 := strconv.ParseFloat(sec, 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("unreadable cue time %q", start)
			}
			return float64(mins)*60 + secs
		}
	}
	t.Fatalf("no cue in:\n%s", vtt)
	return 0
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("temporary %s left behind in %s", e.Name(), dir)
	}
}

// With every slot taken, a caller who gives up leaves no job behind: the
// next caller of the same key starts afresh and gets its clip.
func TestAbandonedWaitStartsAfresh(t *testing.T) {
	cliptest.RequireFFmpeg(t)
	src := cliptest.MakeVideo(t, ".mp4", 4)
	c := newCutter(t, clip.Options{Jobs: 1})
	entered, release := make(chan struct{}), make(chan struct{})
	hold := clip.Request{Key: "hold", Source: fileSource(t, src, "video/mp4", nil), StartMS: 1000, EndMS: 2000,
		Captions: []clip.Caption{{StartMS: 1000, EndMS: 2000, Text: "x"}},
		Store:    func(context.Context, *os.File, int64) error { close(entered); <-release; return nil }}
	held := make(chan error, 1)
	go func() { held <- c.Cut(t.Context(), hold) }()
	<-entered // the only slot is taken

	var stored atomic.Int32
	req := hold
	req.Key = "wait"
	req.Store = func(context.Context, *os.File, int64) error { stored.Add(1); return nil }
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	if err := c.Cut(ctx, req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Cut with no free slot = %v; want the caller's deadline", err)
	}
	if n := clip.Callers(c, "wait"); n != 0 {
		t.Errorf("an abandoned wait left a job with %d callers", n)
	}
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if err := c.Cut(t.Context(), req); err != nil {
		t.Fatalf("Cut after the slot was freed: %v", err)
	}
	if n := stored.Load(); n != 1 {
		t.Errorf("clip stored %d times; want once", n)
	}
}

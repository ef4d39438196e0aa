package media_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/verbatim-archive/verbatim/internal/media"
	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
)

func probe(tb testing.TB, data []byte) (media.Info, error) {
	tb.Helper()
	return media.Probe(tb.Context(), bytes.NewReader(data), int64(len(data)), media.Limits{})
}

func TestProbeMade(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want media.Info
	}{
		{"mp4", mediatest.MP4(t, mediatest.Spec{Duration: 1500 * time.Millisecond, Width: 640, Height: 360}),
			media.Info{Container: "mp4", Brand: "isom", DurationMS: 1500, Width: 640, Height: 360, VideoCodec: "avc1", AudioCodec: "mp4a", Faststart: true}},
		{"mp4 moov last", mediatest.MP4(t, mediatest.Spec{MoovLast: true, DataSize: 200 << 10}),
			media.Info{Container: "mp4", Brand: "isom", DurationMS: 2000, Width: 320, Height: 240, VideoCodec: "avc1", AudioCodec: "mp4a"}},
		{"m4a", mediatest.MP4(t, mediatest.Spec{AudioOnly: true, Duration: time.Hour}),
			media.Info{Container: "mp4", Brand: "isom", DurationMS: 3600000, AudioCodec: "mp4a", Faststart: true}},
		{"webm", mediatest.WebM(t, mediatest.Spec{Duration: 61 * time.Second, Width: 480, Height: 270}),
			media.Info{Container: "webm", Brand: "webm", DurationMS: 61000, Width: 480, Height: 270, VideoCodec: "V_VP9", AudioCodec: "A_OPUS", Faststart: true}},
		{"webm audio", mediatest.WebM(t, mediatest.Spec{AudioOnly: true}),
			media.Info{Container: "webm", Brand: "webm", DurationMS: 2000, AudioCodec: "A_OPUS", Faststart: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := probe(t, tt.data)
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Probe (-want +got):\n%s", diff)
			}
		})
	}
}

// TestProbeFFmpeg probes files as ffmpeg writes them (made at test time:
// CI installs ffmpeg; without it the test skips).
func TestProbeFFmpeg(t *testing.T) {
	ff, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg not installed")
	}
	dir := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		out := filepath.Join(dir, args[len(args)-1])
		args[len(args)-1] = out
		cmd := exec.CommandContext(t.Context(), ff, append([]string{"-v", "error", "-y"}, args...)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg %v: %v\n%s", args, err, b)
		}
		return out
	}
	src := []string{"-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=2", "-f", "lavfi", "-i", "sine=duration=2", "-shortest"}
	mp4 := run(append(src, "-c:v", "libx264", "-c:a", "aac", "plain.mp4")...)
	tests := []struct {
		file string
		want media.Info
	}{
		{mp4, media.Info{Container: "mp4", Brand: "isom", DurationMS: 2000, Width: 320, Height: 240, VideoCodec: "avc1", AudioCodec: "mp4a"}},
		{run("-i", mp4, "-c", "copy", "-movflags", "+faststart", "fast.mp4"),
			media.Info{Container: "mp4", Brand: "isom", DurationMS: 2000, Width: 320, Height: 240, VideoCodec: "avc1", AudioCodec: "mp4a", Faststart: true}},
		{run("-i", mp4, "-c", "copy", "qt.mov"),
			media.Info{Container: "mov", Brand: "qt", DurationMS: 2000, Width: 320, Height: 240, VideoCodec: "avc1", AudioCodec: "mp4a"}},
		{run("-i", mp4, "-vn", "-c", "copy", "audio.m4a"),
			media.Info{Container: "mp4", Brand: "M4A", DurationMS: 2000, AudioCodec: "mp4a"}},
		{run(append(src, "-c:v", "libvpx-vp9", "-deadline", "realtime", "-c:a", "libopus", "vp9.webm")...),
			media.Info{Container: "webm", Brand: "webm", DurationMS: 2008, Width: 320, Height: 240, VideoCodec: "V_VP9", AudioCodec: "A_OPUS", Faststart: true}},
		{run("-i", mp4, "-c", "copy", "h264.mkv"),
			media.Info{Container: "matroska", Brand: "matroska", Width: 320, Height: 240, VideoCodec: "V_MPEG4/ISO/AVC", AudioCodec: "A_AAC", Faststart: true}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			data, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := probe(t, data)
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			// Muxers round the last packet differently; within 50ms is right.
			if d := got.DurationMS - tt.want.DurationMS; tt.want.DurationMS != 0 && (d < -50 || d > 50) {
				t.Errorf("DurationMS = %d; want %d ± 50", got.DurationMS, tt.want.DurationMS)
			}
			if got.DurationMS < 1950 || got.DurationMS > 2100 {
				t.Errorf("DurationMS = %d; want about 2000", got.DurationMS)
			}
			got.DurationMS, tt.want.DurationMS = 0, 0
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Probe (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProbeRefuses(t *testing.T) {
	full := mediatest.MP4(t, mediatest.Spec{MoovLast: true})
	ebmlOther := mediatest.WebM(t, mediatest.Spec{})
	ebmlOther = bytes.Replace(ebmlOther, []byte("webm"), []byte("xxxx"), 1)
	tests := []struct {
		name  string
		data  []byte
		found string
	}{
		{"empty", nil, "the content is empty"},
		{"text", []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n"), "plain text"},
		{"html", []byte("<!DOCTYPE html><html><script>alert(1)</script>"), "HTML text"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "an image (image/png)"},
		{"mp3", append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), make([]byte, 100)...), "MP3 audio"},
		{"ogg", append([]byte("OggS\x00\x02"), make([]byte, 100)...), "an Ogg file"},
		{"zeros", make([]byte, 4096), "unrecognised binary data"},
		{"mp4 cut in its index", full[:len(full)-40], "a truncated MP4 file"},
		{"mp4 without moov", full[:bytes.Index(full, []byte("moov"))-4], "without an index"},
		{"ebml of another kind", ebmlOther, `an EBML file of type "xxxx"`},
		{"webm cut in its header", mediatest.WebM(t, mediatest.Spec{})[:30], "webm file without tracks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := probe(t, tt.data)
			var nm *media.NotMediaError
			if !errors.As(err, &nm) {
				t.Fatalf("Probe = %+v, %v; want a *NotMediaError", info, err)
			}
			if !strings.Contains(err.Error(), tt.found) {
				t.Errorf("Probe error %q does not say %q", err, tt.found)
			}
		})
	}
}

// sparse is a huge file that is zeros except where parts are written; it
// counts the bytes read from it.
type sparse struct {
	size  int64
	parts map[int64][]byte
	read  int64
}

func (s *sparse) ReadAt(p []byte, off int64) (int, error) {
	clear(p)
	n := len(p)
	if off+int64(n) > s.size {
		n = int(max(0, s.size-off))
	}
	for at, b := range s.parts {
		for i := range b {
			if o := at + int64(i) - off; o >= 0 && o < int64(n) {
				p[o] = b[i]
			}
		}
	}
	s.read += int64(n)
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// TestProbeMoovAfterHugeMdat finds the index of a 10 GiB file whose media
// data comes first by seeking over it: a few KiB read, little allocated.
func TestProbeMoovAfterHugeMdat(t *testing.T) {
	small := mediatest.MP4(t, mediatest.Spec{MoovLast: true, DataSize: 16})
	// small is ftyp, mdat (8+16 bytes), moov; rewrite mdat as a 64-bit
	// box of 10 GiB.
	ftypLen := int64(binary.BigEndian.Uint32(small))
	moov := small[ftypLen+24:]
	const mdatSize = 10 << 30
	mdat := make([]byte, 16)
	binary.BigEndian.PutUint32(mdat, 1)
	copy(mdat[4:], "mdat")
	binary.BigEndian.PutUint64(mdat[8:], mdatSize)
	f := &sparse{size: ftypLen + mdatSize + int64(len(moov)), parts: map[int64][]byte{
		0: small[:ftypLen], ftypLen: mdat, ftypLen + mdatSize: moov,
	}}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	info, err := media.Probe(t.Context(), f, f.size, media.Limits{})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatalf("Probe: %v", err)
	}
	if info.Faststart || info.DurationMS != 2000 || info.VideoCodec != "avc1" {
		t.Errorf("Probe = %+v; want the moov-last file's description", info)
	}
	if f.read > 64<<10 {
		t.Errorf("Probe read %d bytes of a 10 GiB file; want only headers (under 64 KiB)", f.read)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
		t.Errorf("Probe allocated %d bytes; want under 4 MiB", got)
	}
}

// TestProbeHostileSizes: boxes and elements that claim huge sizes are
// refused without allocating for the claim.
func TestProbeHostileSizes(t *testing.T) {
	be32 := func(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
	hugeFtyp := append(be32(0xffffffff), "ftypisom"...)
	hugeFtyp = append(hugeFtyp, make([]byte, 100)...)
	moovHugeChild := append(mediatest.MP4(t, mediatest.Spec{})[:0:0], mediatest.MP4(t, mediatest.Spec{})...)
	// the mvhd inside moov claims 3 GiB
	i := bytes.Index(moovHugeChild, []byte("mvhd"))
	copy(moovHugeChild[i-4:], be32(3<<30))
	webmHuge := mediatest.WebM(t, mediatest.Spec{})
	j := bytes.Index(webmHuge, []byte("A_OPUS"))
	// CodecID claims 2^48 bytes: an 8-byte size vint
	webmHuge = append(webmHuge[:j-1:j-1], append([]byte{0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, webmHuge[j:]...)...)
	tests := []struct {
		name string
		data []byte
		ok   bool // the damaged part may be skipped (an unknown element, as Matroska allows)
	}{{"ftyp 4 GiB", hugeFtyp, false}, {"mvhd 3 GiB", moovHugeChild, false}, {"webm codec id 256 TiB", webmHuge, true}}
	for _, tt := range tests {
		data := tt.data
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			info, err := probe(t, data)
			runtime.ReadMemStats(&after)
			if err == nil && (!tt.ok || info.AudioCodec != "") {
				t.Errorf("Probe = %+v; want an error, or the damaged track left out", info)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
				t.Errorf("Probe allocated %d bytes; want under 4 MiB", got)
			}
		})
	}
}

func TestProbeLimits(t *testing.T) {
	data := mediatest.MP4(t, mediatest.Spec{})
	if _, err := media.Probe(t.Context(), bytes.NewReader(data), int64(len(data)), media.Limits{MaxRead: 600}); !errors.Is(err, media.ErrTooCostly) {
		t.Errorf("Probe with MaxRead 600 = %v; want ErrTooCostly", err)
	}
	if _, err := media.Probe(t.Context(), bytes.NewReader(data), int64(len(data)), media.Limits{MaxRead: 1 << 20, MaxBoxes: 5}); !errors.Is(err, media.ErrTooCostly) {
		t.Errorf("Probe with MaxBoxes 5 = %v; want ErrTooCostly", err)
	}
	// Many empty free boxes before the index.
	var many []byte
	for range 30000 {
		many = append(many, 0, 0, 0, 8, 'f', 'r', 'e', 'e')
	}
	many = append(many, data...)
	if _, err := probe(t, many); !errors.Is(err, media.ErrTooCostly) {
		t.Errorf("Probe of 30000 free boxes = %v; want ErrTooCostly", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := media.Probe(ctx, bytes.NewReader(data), int64(len(data)), media.Limits{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Probe with a cancelled context = %v; want context.Canceled", err)
	}
}

func FuzzProbe(f *testing.F) {
	for _, s := range []mediatest.Spec{{}, {MoovLast: true}, {AudioOnly: true}} {
		f.Add(mediatest.MP4(f, s))
		f.Add(mediatest.WebM(f, s))
	}
	f.Add([]byte("\x00\x00\x00\x08free\x00\x00\x00\x01mdat\xff\xff\xff\xff\xff\xff\xff\xff"))
	lim := media.Limits{MaxRead: 1 << 20, MaxBoxes: 2000, Timeout: 5 * time.Second}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &countingReader{r: bytes.NewReader(data)}
		info, err := media.Probe(t.Context(), r, int64(len(data)), lim)
		if r.n > lim.MaxRead {
			t.Fatalf("Probe read %d bytes; limit %d", r.n, lim.MaxRead)
		}
		if err != nil {
			return
		}
		if info.Container == "" || info.VideoCodec == "" && info.AudioCodec == "" || info.DurationMS < 0 || info.Width < 0 || info.Height < 0 {
			t.Fatalf("Probe accepted %q as %+v", data, info)
		}
	})
}

type countingReader struct {
	r *bytes.Reader
	n int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n += int64(n)
	return n, err
}

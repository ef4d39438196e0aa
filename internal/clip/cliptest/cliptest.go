// Package cliptest has what tests of clips share: a switch for when
// ffmpeg is required, a generated video with known keyframes, and ffprobe
// readings of a clip.
package cliptest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// RequireFFmpeg skips without ffmpeg and ffprobe, unless
// VERBATIM_REQUIRE_FFMPEG=1 (CI), which makes their absence a failure.
func RequireFFmpeg(tb testing.TB) {
	tb.Helper()
	for _, bin := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("VERBATIM_REQUIRE_FFMPEG") == "1" {
				tb.Fatalf("%s not on PATH and VERBATIM_REQUIRE_FFMPEG=1", bin)
			}
			tb.Skipf("%s not on PATH", bin)
		}
	}
}

// MakeVideo generates a seconds-long test video (".mp4": MPEG-4 part 2
// and AAC, faststart; ".webm": VP8 and Opus) with a keyframe every second
// (25 fps, GOP 25) and a tone. extra are more output options.
func MakeVideo(tb testing.TB, ext string, seconds int, extra ...string) string {
	tb.Helper()
	out := filepath.Join(tb.TempDir(), "in"+ext)
	a := []string{"-nostdin", "-hide_banner", "-loglevel", "error",
		"-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", strconv.Itoa(seconds), "-g", "25", "-keyint_min", "25"}
	if ext == ".webm" {
		a = append(a, "-c:v", "libvpx", "-deadline", "realtime", "-b:v", "300k", "-c:a", "libopus")
	} else {
		a = append(a, "-c:v", "mpeg4", "-q:v", "5", "-c:a", "aac", "-movflags", "+faststart")
	}
	a = append(a, extra...)
	Run(tb, "ffmpeg", append(a, out)...)
	return out
}

// Run runs a command and returns its standard output.
func Run(tb testing.TB, name string, args ...string) []byte {
	tb.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// Probed is what ffprobe says of a file.
type Probed struct {
	Duration float64  // seconds
	Streams  []string // "video:mpeg4", "subtitle:mov_text", …
}

// Probe runs ffprobe on name.
func Probe(tb testing.TB, name string) Probed {
	tb.Helper()
	var v struct {
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
		Streams []struct {
			CodecType string `json:"codec_type"`
			CodecName string `json:"codec_name"`
		} `json:"streams"`
	}
	out := Run(tb, "ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", name)
	if err := json.Unmarshal(out, &v); err != nil {
		tb.Fatalf("ffprobe %s: %v", name, err)
	}
	var p Probed
	p.Duration, _ = strconv.ParseFloat(v.Format.Duration, 64)
	for _, s := range v.Streams {
		p.Streams = append(p.Streams, s.CodecType+":"+s.CodecName)
	}
	return p
}

// Subtitles is the file's first subtitle stream as WebVTT.
func Subtitles(tb testing.TB, name string) string {
	tb.Helper()
	return string(Run(tb, "ffmpeg", "-nostdin", "-loglevel", "error", "-i", name, "-map", "0:s:0", "-f", "webvtt", "-"))
}

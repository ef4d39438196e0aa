// Package media knows about media files. Probe reads what a recording is
// from its headers alone (MP4/MOV/M4A through go-mp4, WebM/Matroska
// through ebml-go), with bounds on the bytes read, the boxes visited and
// the time taken, whatever the file claims; nothing else is accepted as a
// recording. ContentType names a type for serving. ffprobe, when
// installed, gives a duration the headers lack (ErrNoProber without it).
package media

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path"
	"strconv"
	"strings"
	"time"
)

// ErrNoProber means ffprobe is not installed.
var ErrNoProber = errors.New("media: ffprobe not found on PATH")

var byExt = map[string]string{
	".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime",
	".webm": "video/webm", ".mkv": "video/x-matroska", ".ogv": "video/ogg",
	".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".ogg": "audio/ogg", ".oga": "audio/ogg",
	".opus": "audio/ogg", ".wav": "audio/wav", ".flac": "audio/flac",
}

// ContentType names the media type of a file from its name, or failing
// that from its first bytes (up to 512 are used). Unknown content is
// application/octet-stream.
func ContentType(name string, head []byte) string {
	if ct, ok := byExt[strings.ToLower(path.Ext(name))]; ok {
		return ct
	}
	if len(head) >= 4 && bytes.Equal(head[:4], []byte{0x1a, 0x45, 0xdf, 0xa3}) {
		// EBML: WebM and Matroska share it; WebM is what browsers play.
		return "video/webm"
	}
	if len(head) >= 8 && string(head[4:8]) == "ftyp" {
		return "video/mp4"
	}
	ct := http.DetectContentType(head)
	if strings.HasPrefix(ct, "video/") || strings.HasPrefix(ct, "audio/") || ct == "application/ogg" {
		return ct
	}
	return "application/octet-stream"
}

// Prober finds durations with ffprobe.
type Prober struct {
	path string
}

// NewProber looks ffprobe up on PATH; it returns ErrNoProber when absent.
func NewProber() (*Prober, error) {
	p, err := exec.LookPath("ffprobe")
	if err != nil {
		return nil, ErrNoProber
	}
	return &Prober{path: p}, nil
}

// Duration reads media from r (through ffprobe's stdin) and returns its
// duration. Formats that keep their index at the end of the file (MP4
// without faststart) cannot be probed from a stream and return an error.
func (p *Prober) Duration(ctx context.Context, r io.Reader) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.path, "-v", "error", "-print_format", "json", "-show_format", "-i", "pipe:0")
	cmd.Stdin = r
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	// ffprobe stops reading once it knows enough; the broken pipe that
	// causes on our side is expected, so only ffprobe's verdict counts.
	if err := cmd.Run(); err != nil && out.Len() == 0 {
		return 0, fmt.Errorf("media: ffprobe: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return parseProbe(out.Bytes())
}

func parseProbe(data []byte) (time.Duration, error) {
	var v struct {
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return 0, fmt.Errorf("media: ffprobe output: %w", err)
	}
	secs, err := strconv.ParseFloat(v.Format.Duration, 64)
	if err != nil || secs <= 0 {
		return 0, fmt.Errorf("media: ffprobe found no duration (%q)", v.Format.Duration)
	}
	return time.Duration(secs * float64(time.Second)).Round(time.Millisecond), nil
}

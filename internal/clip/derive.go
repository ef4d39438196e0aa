package clip

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// The Cutter also makes what the archive derives from an uploaded video
// (archive.MediaTools): a poster frame and a faststart remux. They read
// the media through the same loopback feed and take the same ffmpeg
// slots as clips, under the Cutter's timeout.

// PosterWidth and PosterHeight bound a poster frame: the video's frame
// scaled down (never up) to fit, aspect kept.
const (
	PosterWidth  = 640
	PosterHeight = 360
)

// demuxer names ffmpeg's demuxer for a media type, so a crafted upload
// cannot make ffmpeg pick another one; ok is false for types the
// derived files are not made for.
func demuxer(contentType string) (demux string, ok bool) {
	ct, _, _ := strings.Cut(contentType, ";")
	switch strings.TrimSpace(strings.ToLower(ct)) {
	case "video/mp4", "video/quicktime", "video/x-m4v", "audio/mp4":
		return "mov", true
	case "video/webm", "audio/webm", "video/x-matroska", "audio/x-matroska":
		return "matroska", true
	}
	return "", false
}

// Poster writes a JPEG of the frame at at (or, past the end, the last one
// ffmpeg finds) to out, at most PosterWidth×PosterHeight.
func (c *Cutter) Poster(ctx context.Context, in archive.MediaInput, at time.Duration, out string) error {
	demux, ok := demuxer(in.ContentType)
	if !ok {
		return fmt.Errorf("clip: poster of %q: %w", in.ContentType, ErrUnsupported)
	}
	return c.derive(ctx, in, func(url string) []string {
		return []string{
			"-nostdin", "-hide_banner", "-loglevel", "error", "-y",
			"-protocol_whitelist", "http,tcp", "-f", demux,
			"-ss", seconds(at.Milliseconds()), "-i", url,
			"-map", "0:v:0", "-frames:v", "1", "-update", "1",
			"-vf", fmt.Sprintf("scale=w='min(%d,iw)':h='min(%d,ih)':force_original_aspect_ratio=decrease,format=yuvj420p", PosterWidth, PosterHeight),
			"-c:v", "mjpeg", "-q:v", "4", "-map_metadata", "-1",
			"-f", "image2", out,
		}
	})
}

// Faststart copies every audio, video and subtitle stream of an MP4 or
// QuickTime file into out with the index (moov) before the media data:
// nothing is re-encoded, the packets are the same bytes.
func (c *Cutter) Faststart(ctx context.Context, in archive.MediaInput, out string) error {
	if demux, _ := demuxer(in.ContentType); demux != "mov" {
		return fmt.Errorf("clip: faststart of %q: %w", in.ContentType, ErrUnsupported)
	}
	mux := "mp4"
	if strings.HasPrefix(strings.ToLower(in.ContentType), "video/quicktime") {
		mux = "mov"
	}
	return c.derive(ctx, in, func(url string) []string {
		return []string{
			"-nostdin", "-hide_banner", "-loglevel", "error", "-y",
			"-protocol_whitelist", "http,tcp", "-f", "mov", "-i", url,
			"-map", "0", "-dn", "-c", "copy", "-map_metadata", "0",
			"-movflags", "+faststart", "-f", mux, out,
		}
	})
}

// derive runs one ffmpeg on in, waiting for a slot while ctx lasts.
func (c *Cutter) derive(ctx context.Context, in archive.MediaInput, args func(url string) []string) error {
	if in.Open == nil || in.Size <= 0 {
		return fmt.Errorf("clip: derive from empty media")
	}
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("clip: derive: %w: %w", ErrBusy, context.Cause(ctx))
	}
	defer func() { <-c.slots }()
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	url, done := c.feed.serve(Source{Size: in.Size, ContentType: in.ContentType, Open: in.Open})
	defer done()
	return c.ffmpegRun(ctx, args(url))
}

// ffmpegRun runs ffmpeg with args; the error carries what it said last.
func (c *Cutter) ffmpegRun(ctx context.Context, args []string) error {
	cmd := exec.CommandContext(ctx, c.ffmpeg, args...)
	cmd.WaitDelay = 5 * time.Second
	var stderr tailBuffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w after %v", ctx.Err(), c.timeout)
		}
		return fmt.Errorf("ffmpeg: %w: %s", err, stderr.String())
	}
	return nil
}

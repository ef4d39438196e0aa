package media

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Info describes a media file as its headers tell it. It is stored in the
// recording's manifest beside the media it describes.
type Info struct {
	// Container is "mp4" (ISO base media: MP4, M4A, M4V), "mov"
	// (QuickTime), "webm" or "matroska".
	Container string `json:"container"`
	// Brand is the MP4 major brand (isom, mp42, M4A , qt  …) or the EBML
	// DocType; kept for the operator, never interpreted further.
	Brand      string `json:"brand,omitempty"`
	DurationMS int64  `json:"duration_ms"`
	Width      int    `json:"width,omitempty"`
	Height     int    `json:"height,omitempty"`
	// VideoCodec and AudioCodec are the first track of each kind: an MP4
	// sample entry fourcc (avc1, hvc1, av01, vp09, mp4a, Opus …) or a
	// Matroska CodecID (V_VP9, A_OPUS …).
	VideoCodec string `json:"video_codec,omitempty"`
	AudioCodec string `json:"audio_codec,omitempty"`
	// Faststart is true when a player can start before the whole file has
	// arrived: an MP4 whose index (moov) comes before its data (mdat).
	// WebM and Matroska always are.
	Faststart bool `json:"faststart"`
}

// HasVideo reports whether the file has a video track.
func (i Info) HasVideo() bool { return i.VideoCodec != "" }

// Duration is the duration as a time.Duration.
func (i Info) Duration() time.Duration { return time.Duration(i.DurationMS) * time.Millisecond }

// Limits bound what one probe may cost, whatever the file claims. A zero
// field takes its default, which suits any real recording.
type Limits struct {
	// MaxRead is how many bytes the probe may read in all (default 4 MiB;
	// headers only: a few KiB for ordinary files, an MP4's sample tables
	// are skipped, not read).
	MaxRead int64
	// MaxBoxes is how many MP4 boxes it may visit (default 20000).
	MaxBoxes int
	// Timeout bounds the probe's time (default 10s; a slow store's reads
	// count).
	Timeout time.Duration
}

func (l Limits) withDefaults() Limits {
	l.MaxRead = cmp.Or(l.MaxRead, 4<<20)
	l.MaxBoxes = cmp.Or(l.MaxBoxes, 20000)
	l.Timeout = cmp.Or(l.Timeout, 10*time.Second)
	return l
}

// NotMediaError says that content is not a recording Verbatim can keep,
// and what it looks like instead.
type NotMediaError struct {
	Found  string // what the content looks like ("a PNG image", "HTML text")
	Reason string // why it is refused, when it looked like media
}

func (e *NotMediaError) Error() string { return "media: " + e.Message() }

// Message says it for the editor, without the package prefix.
func (e *NotMediaError) Message() string {
	msg := "not a video or audio recording Verbatim can keep: the content is " + e.Found
	if e.Reason != "" {
		msg += " (" + e.Reason + ")"
	}
	return msg + "; accepted are MP4, MOV, M4A, WebM and Matroska files"
}

// ErrTooCostly means a file's headers would take more than the Limits to
// read; the file is refused rather than probed without bounds.
var ErrTooCostly = errors.New("media: probe limit reached")

// Probe reads the headers of the size bytes at r and describes them. The
// type comes from the content alone. Content that is not MP4/MOV or
// WebM/Matroska, or whose headers are broken, is a *NotMediaError; a file
// that would cost more than lim to probe is refused with ErrTooCostly
// (wrapped). Read errors of r are returned as they are.
func Probe(ctx context.Context, r io.ReaderAt, size int64, lim Limits) (Info, error) {
	lim = lim.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	br := &budgetReader{ctx: ctx, r: r, left: lim.MaxRead}
	head := make([]byte, 512)
	n, err := br.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return Info{}, err
	}
	head = head[:n]
	var info Info
	switch sniff(head) {
	case kindMP4:
		info, err = probeMP4(br, size, lim.MaxBoxes)
	case kindEBML:
		info, err = probeEBML(br, size)
	default:
		return Info{}, &NotMediaError{Found: describe(head)}
	}
	if err != nil {
		return Info{}, err
	}
	if info.VideoCodec == "" && info.AudioCodec == "" {
		return Info{}, &NotMediaError{Found: "a " + info.Container + " file", Reason: "it has no video or audio track"}
	}
	return info, nil
}

// budgetReader is r with a limit on the bytes read and a context.
type budgetReader struct {
	ctx  context.Context
	r    io.ReaderAt
	left int64
	used int64
}

func (b *budgetReader) ReadAt(p []byte, off int64) (int, error) {
	if err := b.ctx.Err(); err != nil {
		return 0, fmt.Errorf("%w: %w", ErrTooCostly, err)
	}
	if int64(len(p)) > b.left {
		return 0, fmt.Errorf("%w: headers larger than %d bytes", ErrTooCostly, b.used+b.left)
	}
	n, err := b.r.ReadAt(p, off)
	b.left -= int64(n)
	b.used += int64(n)
	return n, err
}

// broken wraps a parser's complaint about content that looked like format.
func broken(format string, err error) error {
	if errors.Is(err, ErrTooCostly) {
		return err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &NotMediaError{Found: "a truncated " + format + " file", Reason: "its headers end early"}
	}
	return &NotMediaError{Found: "a damaged " + format + " file", Reason: err.Error()}
}

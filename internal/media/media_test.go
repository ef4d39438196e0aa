package media

import (
	"context"
	"os"
	"testing"
	"time"
)

func TestContentType(t *testing.T) {
	tests := []struct {
		name string
		head []byte
		want string
	}{
		{"talk.webm", nil, "video/webm"},
		{"TALK.MP4", nil, "video/mp4"},
		{"audio.mp3", nil, "audio/mpeg"},
		{"upload", []byte{0x1a, 0x45, 0xdf, 0xa3, 0x01}, "video/webm"},
		{"upload", []byte("\x00\x00\x00\x18ftypmp42"), "video/mp4"},
		{"upload", []byte("OggS\x00\x02"), "application/ogg"},
		{"notes.txt", []byte("hello"), "application/octet-stream"},
		{"", nil, "application/octet-stream"},
	}
	for _, tt := range tests {
		if got := ContentType(tt.name, tt.head); got != tt.want {
			t.Errorf("ContentType(%q, % x) = %q; want %q", tt.name, tt.head, got, tt.want)
		}
	}
}

func TestParseProbe(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{`{"format":{"duration":"95.040000"}}`, 95040 * time.Millisecond, true},
		{`{"format":{"duration":"N/A"}}`, 0, false},
		{`{"format":{}}`, 0, false},
		{`not json`, 0, false},
	}
	for _, tt := range tests {
		got, err := parseProbe([]byte(tt.in))
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("parseProbe(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestProberOnSample runs the real ffprobe on a sample video when both are
// available.
func TestProberOnSample(t *testing.T) {
	p, err := NewProber()
	if err != nil {
		t.Skip("ffprobe not installed")
	}
	f, err := os.Open("../../subtitles/media/istac-launch.webm")
	if err != nil {
		t.Skip("sample video not present")
	}
	defer f.Close()
	d, err := p.Duration(context.Background(), f)
	if err != nil {
		t.Fatalf("Duration: %v", err)
	}
	if d < 10*time.Second || d > 2*time.Hour {
		t.Errorf("Duration(istac-launch.webm) = %v; want a plausible length", d)
	}
}

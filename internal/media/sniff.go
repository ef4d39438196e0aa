package media

import (
	"bytes"
	"net/http"
	"strings"
)

type kind int

const (
	kindOther kind = iota
	kindMP4
	kindEBML
)

// sniff tells the container from the first bytes.
func sniff(head []byte) kind {
	switch {
	case len(head) >= 4 && bytes.Equal(head[:4], []byte{0x1a, 0x45, 0xdf, 0xa3}):
		return kindEBML
	case len(head) >= 8 && isMP4Box(string(head[4:8])):
		return kindMP4
	}
	return kindOther
}

// isMP4Box reports whether an MP4/QuickTime file may start with a box of
// type t: ftyp normally; old QuickTime files start with moov, mdat, wide
// or free.
func isMP4Box(t string) bool {
	switch t {
	case "ftyp", "moov", "mdat", "wide", "free", "skip":
		return true
	}
	return false
}

// describe names refused content for the editor, from its first bytes.
func describe(head []byte) string {
	if len(head) == 0 {
		return "empty"
	}
	switch {
	case bytes.HasPrefix(head, []byte("ID3")) || len(head) > 1 && head[0] == 0xff && head[1]&0xe0 == 0xe0:
		return "MP3 audio (convert it to M4A: ffmpeg -i in.mp3 -c:a aac out.m4a)"
	case bytes.HasPrefix(head, []byte("OggS")):
		return "an Ogg file (convert it to WebM: ffmpeg -i in.ogg -c copy out.webm)"
	case bytes.HasPrefix(head, []byte("fLaC")):
		return "FLAC audio"
	case len(head) >= 12 && bytes.HasPrefix(head, []byte("RIFF")) && string(head[8:12]) == "WAVE":
		return "WAV audio"
	case len(head) >= 12 && bytes.HasPrefix(head, []byte("RIFF")) && string(head[8:12]) == "AVI ":
		return "an AVI video (convert it to MP4: ffmpeg -i in.avi out.mp4)"
	case len(head) >= 189 && head[0] == 0x47 && head[188] == 0x47:
		return "an MPEG transport stream (remux it to MP4: ffmpeg -i in.ts -c copy out.mp4)"
	}
	ct := http.DetectContentType(head)
	ct, _, _ = strings.Cut(ct, ";")
	switch {
	case ct == "text/html":
		return "HTML text"
	case ct == "text/plain":
		return "plain text"
	case strings.HasPrefix(ct, "image/"):
		return "an image (" + ct + ")"
	case ct == "application/pdf":
		return "a PDF document"
	case ct == "application/zip" || ct == "application/x-gzip":
		return "an archive (" + ct + ")"
	case ct == "application/octet-stream":
		return "unrecognised binary data"
	}
	return ct
}

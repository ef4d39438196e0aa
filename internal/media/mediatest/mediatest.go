// Package mediatest makes tiny, well-formed media files for tests: an MP4
// (written box by box with go-mp4) and a WebM (with ebml-go). Their
// headers are real (what media.Probe reads); their frames are not
// decodable, so a test that needs a player or ffmpeg to decode them
// should make its file with ffmpeg instead.
package mediatest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	mp4 "github.com/abema/go-mp4"
	"github.com/at-wat/ebml-go"
	"github.com/at-wat/ebml-go/webm"
)

// Spec says what the file claims to hold.
type Spec struct {
	Duration      time.Duration // default 2s
	Width, Height int           // default 320×240; a video track unless AudioOnly
	AudioOnly     bool
	// MoovLast puts an MP4's index after its media data, as a recorder
	// that did not finish with faststart writes it.
	MoovLast bool
	// DataSize is the size of the media data (default 1 KiB).
	DataSize int
}

func (s Spec) withDefaults() Spec {
	if s.Duration == 0 {
		s.Duration = 2 * time.Second
	}
	if s.Width == 0 && s.Height == 0 {
		s.Width, s.Height = 320, 240
	}
	if s.DataSize == 0 {
		s.DataSize = 1024
	}
	return s
}

// Video is a two-second 320×240 MP4 with an H.264 and an AAC track, its
// index first: what most tests that need "a video" upload.
func Video(tb testing.TB) []byte {
	tb.Helper()
	return MP4(tb, Spec{})
}

// MP4 writes an MP4 file to spec.
func MP4(tb testing.TB, spec Spec) []byte {
	tb.Helper()
	s := spec.withDefaults()
	var f memFile
	w := mp4.NewWriter(&f)
	b := builder{tb: tb, w: w}
	b.box(&mp4.Ftyp{MajorBrand: [4]byte{'i', 's', 'o', 'm'}, MinorVersion: 512,
		CompatibleBrands: []mp4.CompatibleBrandElem{{CompatibleBrand: [4]byte{'i', 's', 'o', 'm'}}, {CompatibleBrand: [4]byte{'a', 'v', 'c', '1'}}}}, nil)
	mdat := func() { b.box(&mp4.Mdat{Data: make([]byte, s.DataSize)}, nil) }
	if s.MoovLast {
		mdat()
	}
	const scale = 1000
	ms := uint32(s.Duration.Milliseconds())
	b.box(&mp4.Moov{}, func() {
		b.box(&mp4.Mvhd{Timescale: scale, DurationV0: ms, Rate: 0x10000, Volume: 0x100, NextTrackID: 3}, nil)
		if !s.AudioOnly {
			b.track(1, "vide", ms, uint32(s.Width)<<16, uint32(s.Height)<<16, &mp4.VisualSampleEntry{
				SampleEntry: mp4.SampleEntry{AnyTypeBox: mp4.AnyTypeBox{Type: mp4.BoxTypeAvc1()}, DataReferenceIndex: 1},
				Width:       uint16(s.Width), Height: uint16(s.Height), Horizresolution: 72 << 16, Vertresolution: 72 << 16,
				FrameCount: 1, Depth: 0x18, PreDefined3: -1,
			})
		}
		b.track(2, "soun", ms, 0, 0, &mp4.AudioSampleEntry{
			SampleEntry:  mp4.SampleEntry{AnyTypeBox: mp4.AnyTypeBox{Type: mp4.BoxTypeMp4a()}, DataReferenceIndex: 1},
			ChannelCount: 2, SampleSize: 16, SampleRate: 48000 << 16,
		})
	})
	if !s.MoovLast {
		mdat()
	}
	return f.buf
}

type builder struct {
	tb testing.TB
	w  *mp4.Writer
}

func (b builder) box(box mp4.IImmutableBox, children func()) {
	b.tb.Helper()
	if _, err := b.w.StartBox(&mp4.BoxInfo{Type: box.GetType()}); err != nil {
		b.tb.Fatalf("mediatest: start %s: %v", box.GetType(), err)
	}
	if _, err := mp4.Marshal(b.w, box, mp4.Context{}); err != nil {
		b.tb.Fatalf("mediatest: marshal %s: %v", box.GetType(), err)
	}
	if children != nil {
		children()
	}
	if _, err := b.w.EndBox(); err != nil {
		b.tb.Fatalf("mediatest: end %s: %v", box.GetType(), err)
	}
}

func (b builder) track(id uint32, handler string, ms, w, h uint32, entry mp4.IImmutableBox) {
	b.box(&mp4.Trak{}, func() {
		b.box(&mp4.Tkhd{FullBox: mp4.FullBox{Flags: [3]byte{0, 0, 3}}, TrackID: id, DurationV0: ms, Width: w, Height: h,
			Matrix: [9]int32{0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000}}, nil)
		b.box(&mp4.Mdia{}, func() {
			b.box(&mp4.Mdhd{Timescale: 1000, DurationV0: ms, Language: [3]byte{'u' - 0x60, 'n' - 0x60, 'd' - 0x60}}, nil)
			b.box(&mp4.Hdlr{HandlerType: [4]byte{handler[0], handler[1], handler[2], handler[3]}, Name: handler + " handler"}, nil)
			b.box(&mp4.Minf{}, func() {
				b.box(&mp4.Stbl{}, func() {
					b.box(&mp4.Stsd{EntryCount: 1}, func() { b.box(entry, nil) })
					b.box(&mp4.Stts{}, nil)
					b.box(&mp4.Stsc{}, nil)
					b.box(&mp4.Stsz{}, nil)
					b.box(&mp4.Stco{}, nil)
				})
			})
		})
	})
}

// WebM writes a WebM file to spec (VP9 video unless AudioOnly, Opus audio).
func WebM(tb testing.TB, spec Spec) []byte {
	tb.Helper()
	s := spec.withDefaults()
	tracks := []webm.TrackEntry{}
	if !s.AudioOnly {
		tracks = append(tracks, webm.TrackEntry{TrackNumber: 1, TrackUID: 1, CodecID: "V_VP9", TrackType: 1,
			Video: &webm.Video{PixelWidth: uint64(s.Width), PixelHeight: uint64(s.Height)}})
	}
	tracks = append(tracks, webm.TrackEntry{TrackNumber: 2, TrackUID: 2, CodecID: "A_OPUS", TrackType: 2,
		Audio: &webm.Audio{SamplingFrequency: 48000, Channels: 2}})
	doc := struct {
		Header  webm.EBMLHeader `ebml:"EBML"`
		Segment struct {
			Info    webm.Info    `ebml:"Info"`
			Tracks  webm.Tracks  `ebml:"Tracks"`
			Cluster webm.Cluster `ebml:"Cluster"`
		} `ebml:"Segment"`
	}{Header: webm.EBMLHeader{EBMLVersion: 1, EBMLReadVersion: 1, EBMLMaxIDLength: 4, EBMLMaxSizeLength: 8,
		DocType: "webm", DocTypeVersion: 4, DocTypeReadVersion: 2}}
	doc.Segment.Info = webm.Info{TimecodeScale: 1_000_000, MuxingApp: "mediatest", WritingApp: "mediatest",
		Duration: float64(s.Duration.Milliseconds())}
	doc.Segment.Tracks = webm.Tracks{TrackEntry: tracks}
	doc.Segment.Cluster = webm.Cluster{Timecode: 0, SimpleBlock: []ebml.Block{{TrackNumber: 2, Keyframe: true, Data: [][]byte{make([]byte, s.DataSize)}}}}
	var buf bytes.Buffer
	if err := ebml.Marshal(&doc, &buf); err != nil {
		tb.Fatalf("mediatest: webm: %v", err)
	}
	return buf.Bytes()
}

// memFile is an in-memory io.WriteSeeker (go-mp4's writer seeks back to
// fill in box sizes).
type memFile struct {
	buf []byte
	off int
}

func (f *memFile) Write(p []byte) (int, error) {
	if need := f.off + len(p); need > len(f.buf) {
		f.buf = append(f.buf, make([]byte, need-len(f.buf))...)
	}
	copy(f.buf[f.off:], p)
	f.off += len(p)
	return len(p), nil
}

func (f *memFile) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case 1:
		off += int64(f.off)
	case 2:
		off += int64(len(f.buf))
	}
	if off < 0 {
		return 0, errors.New("mediatest: seek before the start")
	}
	f.off = int(off)
	return off, nil
}

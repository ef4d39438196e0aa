package media

import (
	"bufio"
	"errors"
	"io"
	"math"
	"strings"

	"github.com/at-wat/ebml-go"
)

// ebmlFile is the part of a WebM/Matroska file the probe decodes: the EBML
// header and the Segment's Info and Tracks. Decoding stops at Tracks (all
// muxers write Info before it) or at the first Cluster, so no media data
// is decoded.
type ebmlFile struct {
	Header struct {
		DocType string `ebml:"EBMLDocType"`
	} `ebml:"EBML"`
	Segment struct {
		Info struct {
			TimecodeScale uint64  `ebml:"TimecodeScale"`
			Duration      float64 `ebml:"Duration"`
		} `ebml:"Info"`
		Tracks struct {
			TrackEntry []struct {
				CodecID   string `ebml:"CodecID"`
				TrackType uint64 `ebml:"TrackType"`
				Video     struct {
					PixelWidth  uint64 `ebml:"PixelWidth"`
					PixelHeight uint64 `ebml:"PixelHeight"`
				} `ebml:"Video"`
			} `ebml:"TrackEntry"`
		} `ebml:"Tracks,stop"`
		Cluster []struct{} `ebml:"Cluster,stop"`
	} `ebml:"Segment"`
}

// maxEBMLLeaf bounds one element's payload: header elements are tiny; a
// CodecPrivate is at most a few KiB.
const maxEBMLLeaf = 256 << 10

const (
	trackVideo = 1
	trackAudio = 2
)

func probeEBML(r io.ReaderAt, size int64) (Info, error) {
	var f ebmlFile
	br := bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 32<<10)
	err := ebml.Unmarshal(br, &f, ebml.WithIgnoreUnknown(true), ebml.WithMaxLeafElementSize(maxEBMLLeaf))
	if err != nil && !errors.Is(err, ebml.ErrReadStopped) {
		return Info{}, broken("WebM", err)
	}
	info := Info{Container: "matroska", Brand: f.Header.DocType, Faststart: true}
	switch f.Header.DocType {
	case "webm":
		info.Container = "webm"
	case "matroska":
	default:
		return Info{}, &NotMediaError{Found: "an EBML file of type " + quoteOrNone(f.Header.DocType), Reason: "neither WebM nor Matroska"}
	}
	if len(f.Segment.Tracks.TrackEntry) == 0 {
		return Info{}, &NotMediaError{Found: "a " + info.Container + " file without tracks", Reason: "no Tracks before the media data, or the file is cut short"}
	}
	for _, t := range f.Segment.Tracks.TrackEntry {
		switch {
		case t.TrackType == trackVideo && info.VideoCodec == "":
			info.VideoCodec = t.CodecID
			info.Width, info.Height = clampDim(t.Video.PixelWidth), clampDim(t.Video.PixelHeight)
		case t.TrackType == trackAudio && info.AudioCodec == "":
			info.AudioCodec = t.CodecID
		}
	}
	scale := f.Segment.Info.TimecodeScale
	if scale == 0 {
		scale = 1_000_000 // the default: timestamps in milliseconds
	}
	// Duration is a float count of TimecodeScale nanoseconds.
	ms := f.Segment.Info.Duration * float64(scale) / 1e6
	if ms > 0 && ms < math.MaxInt32*1000.0 && !math.IsNaN(ms) {
		info.DurationMS = int64(math.Round(ms))
	}
	return info, nil
}

func clampDim(v uint64) int {
	if v > 1<<16 {
		return 0
	}
	return int(v)
}

func quoteOrNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(none)"
	}
	return `"` + s + `"`
}

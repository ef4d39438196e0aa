package media

import (
	"errors"
	"fmt"
	"io"
	"strings"

	mp4 "github.com/abema/go-mp4"
)

// maxHeaderBox is the largest header box (ftyp, mvhd, tkhd, mdhd, hdlr,
// mehd) whose payload the probe reads: real ones are under 200 bytes, so
// a box claiming more is refused before anything is allocated for it.
const maxHeaderBox = 4096

// mp4Probe gathers what the boxes tell.
type mp4Probe struct {
	info     Info
	boxes    int
	maxBoxes int
	// per track, reset at each trak
	handler   string
	codec     string
	w, h      int
	timescale uint32 // mvhd
	duration  uint64 // mvhd, or mehd for fragmented files
	trackMS   int64  // longest mdhd duration, the fallback
}

var errMP4Broken = errors.New("mp4: not a well-formed file")

// probeMP4 walks the top-level boxes by their headers alone (mdat is
// skipped by seeking, never read) and reads moov's header boxes.
func probeMP4(r io.ReaderAt, size int64, maxBoxes int) (Info, error) {
	p := &mp4Probe{maxBoxes: maxBoxes, info: Info{Container: "mp4"}}
	sr := io.NewSectionReader(r, 0, size)
	var sawMdat, sawMoov, sawFtyp bool
	for off := int64(0); off < size; {
		if _, err := sr.Seek(off, io.SeekStart); err != nil {
			return Info{}, broken("MP4", err)
		}
		bi, err := mp4.ReadBoxInfo(sr)
		if err != nil {
			return Info{}, broken("MP4", err)
		}
		if err := p.count(); err != nil {
			return Info{}, err
		}
		if bi.Size < bi.HeaderSize || int64(bi.Size) < 0 || int64(bi.Size) > size-off {
			return Info{}, &NotMediaError{Found: "a truncated MP4 file",
				Reason: fmt.Sprintf("its %q box at byte %d claims %d bytes; the file ends %d bytes later", bi.Type, off, bi.Size, size-off)}
		}
		switch bi.Type {
		case mp4.BoxTypeFtyp():
			if err := p.ftyp(sr, bi); err != nil {
				return Info{}, err
			}
			sawFtyp = true
		case mp4.BoxTypeMdat():
			sawMdat = true
		case mp4.BoxTypeMoov():
			if _, err := mp4.ReadBoxStructureFromInternal(sr, bi, p.handle); err != nil {
				return Info{}, broken("MP4", err)
			}
			sawMoov = true
			p.info.Faststart = !sawMdat
		}
		if sawMoov && (sawMdat || p.info.Faststart) {
			break
		}
		if bi.Size == 0 {
			break
		}
		off += int64(bi.Size)
	}
	if !sawFtyp && !sawMoov {
		return Info{}, &NotMediaError{Found: "unrecognised binary data"}
	}
	if !sawMoov {
		return Info{}, &NotMediaError{Found: "an MP4 file without an index (moov box)", Reason: "the file is incomplete or damaged"}
	}
	p.finish()
	return p.info, nil
}

func (p *mp4Probe) count() error {
	p.boxes++
	if p.boxes > p.maxBoxes {
		return fmt.Errorf("%w: more than %d MP4 boxes", ErrTooCostly, p.maxBoxes)
	}
	return nil
}

func (p *mp4Probe) ftyp(r io.ReadSeeker, bi *mp4.BoxInfo) error {
	if bi.Size-bi.HeaderSize > maxHeaderBox {
		return broken("MP4", fmt.Errorf("ftyp box of %d bytes", bi.Size))
	}
	if _, err := bi.SeekToPayload(r); err != nil {
		return broken("MP4", err)
	}
	var f mp4.Ftyp
	if _, err := mp4.Unmarshal(r, bi.Size-bi.HeaderSize, &f, bi.Context); err != nil {
		return broken("MP4", err)
	}
	p.info.Brand = strings.TrimRight(string(f.MajorBrand[:]), " \x00")
	if f.MajorBrand == mp4.BrandQT() {
		p.info.Container = "mov"
	}
	return nil
}

// handle is go-mp4's callback for every box under moov: containers on the
// way to the sample descriptions are expanded, the small header boxes are
// read, everything else (sample tables, user data) is skipped unread.
func (p *mp4Probe) handle(h *mp4.ReadHandle) (any, error) {
	if err := p.count(); err != nil {
		return nil, err
	}
	t := h.BoxInfo.Type
	parent := mp4.BoxType{}
	if len(h.Path) >= 2 {
		parent = h.Path[len(h.Path)-2]
	}
	switch {
	case parent == mp4.BoxTypeStsd():
		if p.codec == "" {
			p.codec = strings.TrimRight(t.String(), " \x00")
		}
		return nil, nil
	case t == mp4.BoxTypeMoov() || t == mp4.BoxTypeMdia() || t == mp4.BoxTypeMinf() ||
		t == mp4.BoxTypeStbl() || t == mp4.BoxTypeStsd() || t == mp4.BoxTypeMvex():
		_, err := h.Expand()
		return nil, err
	case t == mp4.BoxTypeTrak():
		p.handler, p.codec, p.w, p.h = "", "", 0, 0
		if _, err := h.Expand(); err != nil {
			return nil, err
		}
		p.endTrack()
		return nil, nil
	case t == mp4.BoxTypeMvhd() || t == mp4.BoxTypeTkhd() || t == mp4.BoxTypeMdhd() || t == mp4.BoxTypeMehd() ||
		// A QuickTime minf has an hdlr of its own (the data handler);
		// the track's kind is the one under mdia.
		t == mp4.BoxTypeHdlr() && parent == mp4.BoxTypeMdia():
		if h.BoxInfo.Size-h.BoxInfo.HeaderSize > maxHeaderBox {
			return nil, fmt.Errorf("%s box of %d bytes", t, h.BoxInfo.Size)
		}
		box, _, err := h.ReadPayload()
		if err != nil {
			return nil, err
		}
		p.header(box)
	}
	return nil, nil
}

func (p *mp4Probe) header(box mp4.IBox) {
	switch b := box.(type) {
	case *mp4.Mvhd:
		p.timescale = b.Timescale
		p.duration = b.GetDuration()
	case *mp4.Mehd:
		if p.duration == 0 {
			p.duration = uint64(b.FragmentDurationV0) + b.FragmentDurationV1
		}
	case *mp4.Tkhd:
		p.w, p.h = int(b.GetWidthInt()), int(b.GetHeightInt())
	case *mp4.Mdhd:
		if b.Timescale > 0 {
			p.trackMS = max(p.trackMS, toMS(b.GetDuration(), b.Timescale))
		}
	case *mp4.Hdlr:
		p.handler = string(b.HandlerType[:])
	}
}

func (p *mp4Probe) endTrack() {
	switch p.handler {
	case "vide":
		if p.info.VideoCodec == "" && p.codec != "" {
			p.info.VideoCodec, p.info.Width, p.info.Height = p.codec, p.w, p.h
		}
	case "soun":
		if p.info.AudioCodec == "" && p.codec != "" {
			p.info.AudioCodec = p.codec
		}
	}
}

func (p *mp4Probe) finish() {
	if p.timescale > 0 {
		p.info.DurationMS = toMS(p.duration, p.timescale)
	}
	if p.info.DurationMS == 0 {
		p.info.DurationMS = p.trackMS
	}
}

// toMS converts d units of 1/scale seconds, without overflow for any
// 64-bit d.
func toMS(d uint64, scale uint32) int64 {
	s := uint64(scale)
	ms := d/s*1000 + d%s*1000/s
	if ms > 1<<53 {
		return 0 // nonsense; treated as unknown
	}
	return int64(ms)
}

package server

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// A track's JSON cues come in pages, so that no request for a long track
// costs more than a page of it: ?offset= (the 0-based position of the
// first cue) or ?from_ms= (the cue being spoken at that moment, or the next
// one), and ?limit= (default defaultCuePage, at most maxCuePage). The
// answer says where it starts, how many cues the track has for the asker
// and where the next page starts (absent on the last).
const (
	defaultCuePage = 500
	maxCuePage     = 1000
)

type trackCues struct {
	RecordingID string        `json:"recording_id"`
	Track       archive.Track `json:"track"`
	Offset      int           `json:"offset"`
	Total       int           `json:"total"`
	NextOffset  *int          `json:"next_offset,omitempty"`
	Cues        []archive.Cue `json:"cues"`
}

// cuePage is the part of cues a page request asks for.
type cuePage struct{ offset, limit int }

// readCuePage reads offset/from_ms/limit; malformed or out-of-range values
// are a 400 naming the parameter.
func readCuePage(c echo.Context, cues []archive.Cue) (cuePage, error) {
	p := cuePage{limit: defaultCuePage}
	num := func(name string, lo, hi int) (int, bool, error) {
		v := c.QueryParam(name)
		if v == "" {
			return 0, false, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return 0, false, archive.NewError(archive.ErrInvalid, "%s=%q is not a whole number from %d to %d", name, v, lo, hi)
		}
		return n, true, nil
	}
	off, hasOff, err := num("offset", 0, 1<<30)
	if err != nil {
		return p, err
	}
	from, hasFrom, err := num("from_ms", 0, 1<<62)
	if err != nil {
		return p, err
	}
	if hasOff && hasFrom {
		return p, archive.NewError(archive.ErrInvalid, "give offset or from_ms, not both")
	}
	if lim, ok, err := num("limit", 1, maxCuePage); err != nil {
		return p, err
	} else if ok {
		p.limit = lim
	}
	p.offset = min(off, len(cues))
	if hasFrom {
		p.offset = len(cues)
		if i := cueAt(cues, int64(from)); i >= 0 {
			p.offset = i
		}
	}
	return p, nil
}

// page cuts the page out of cues.
func (p cuePage) page(id string, tr archive.Track, cues []archive.Cue) trackCues {
	end := min(p.offset+p.limit, len(cues))
	out := trackCues{RecordingID: id, Track: tr, Offset: p.offset, Total: len(cues), Cues: cues[p.offset:end]}
	if end < len(cues) {
		out.NextOffset = &end
	}
	return out
}

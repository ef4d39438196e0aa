package clip

import (
	"fmt"
	"os"
	"time"

	"github.com/verbatim-archive/verbatim/internal/subtitle"
)

// writeCaptions writes the request's captions as WebVTT timed from the
// clip's start: a cue begun before the start is cut at 0, one running
// past the end is cut at the end.
func writeCaptions(name string, req Request) error {
	dur := req.EndMS - req.StartMS
	var cues []subtitle.Cue
	for _, c := range req.Captions {
		start, end := max(c.StartMS-req.StartMS, 0), min(c.EndMS-req.StartMS, dur)
		if end <= start || c.Text == "" {
			continue
		}
		cues = append(cues, subtitle.Cue{Start: ms(start), End: ms(end), Text: c.Text})
	}
	if len(cues) == 0 {
		return fmt.Errorf("no captions inside %d..%d ms", req.StartMS, req.EndMS)
	}
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("captions: %w", err)
	}
	if err := subtitle.WriteVTT(f, cues); err != nil {
		f.Close()
		return fmt.Errorf("captions: %w", err)
	}
	return f.Close()
}

func ms(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

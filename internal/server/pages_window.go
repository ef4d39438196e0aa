package server

import "github.com/verbatim-archive/verbatim/internal/archive"

// The watch page shows a window of the transcript around the moment, so a
// page of a six-hour track costs what it shows: watchBefore cues before
// the one at ?t= and watchAfter from it on. app.js loads more from the
// track's JSON pages as the viewer scrolls or seeks; without JavaScript
// the window ends in "earlier" and "later" links to the ?t= of the
// neighbouring windows.
const (
	watchBefore = 50
	watchAfter  = 100
	watchWindow = watchBefore + watchAfter
)

// transcriptWindow is the slice of a track the watch page renders.
type transcriptWindow struct {
	From, To   int    // cue positions [From, To) of the track
	Total      int    // cues in the track (for the viewer)
	EarlierURL string // the window before, "" at the start
	LaterURL   string // the window after, "" at the end
	CuesAPI    string // the track's JSON cues, for app.js
}

// windowAround picks the window around cue position at (-1: the start).
func windowAround(id, lang, q string, cues []archive.Cue, at int) transcriptWindow {
	n := len(cues)
	w := transcriptWindow{Total: n, CuesAPI: "/api/v1/recordings/" + id + "/tracks/" + lang}
	if at < 0 {
		at = 0
	}
	w.From = max(0, min(at-watchBefore, n-watchWindow))
	w.To = min(n, w.From+watchWindow)
	if w.From > 0 {
		// The window that ends where this one starts is centred on the
		// cue watchAfter before it.
		w.EarlierURL = watchURL(id, cues[max(0, w.From-watchAfter)].StartMS, lang, q)
	}
	if w.To < n {
		w.LaterURL = watchURL(id, cues[min(n-1, w.To+watchBefore)].StartMS, lang, q)
	}
	return w
}

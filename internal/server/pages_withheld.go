package server

import (
	"strings"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// shownText is a viewer cue's text for a page, in the interface language:
// a withheld span reads as the localised notice, and the fixed markers
// the archive puts in place of withheld names and redacted words are
// translated. Only what the archive's viewer decided is shown; this only
// changes the words of its markers.
func shownText(b pageBase, c archive.Cue) string {
	if len(c.Spans) == 0 {
		return localiseMarkers(b, c.Text)
	}
	var lines []string
	prev := ""
	for k, s := range c.Spans {
		t := s.Text
		switch {
		case s.Withheld:
			t = b.T("cue.withheld")
		case k > 0 && s.Speaker != "" && s.Speaker != prev:
			t = s.Speaker + ": " + t
		}
		prev = s.Speaker
		lines = append(lines, localiseMarkers(b, t))
	}
	return strings.Join(lines, "\n")
}

func localiseMarkers(b pageBase, s string) string {
	if !strings.Contains(s, "[") {
		return s
	}
	return strings.NewReplacer(
		archive.WithheldName, b.T("cue.namewithheld"),
		archive.Redacted, b.T("cue.redacted"),
		archive.WithheldPassage, b.T("cue.withheld"),
	).Replace(s)
}

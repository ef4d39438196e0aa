package subtitle

import (
	"bytes"
	"strings"

	"github.com/asticode/go-astisub"
)

// isSTL recognises an EBU Tech 3264 file by the disk format code of its
// 1024-byte GSI block ("STL25.01", "STL30.01", …) at offset 3.
func isSTL(data []byte) bool {
	return len(data) >= 1024 && string(data[3:6]) == "STL" && string(data[8:11]) == ".01"
}

// readSTL uses astisub's STL reader. Times are relative to the programme
// start the GSI block names. Problem lines are TTI block numbers.
func readSTL(data []byte) ([]rawCue, error) {
	subs, err := readWith("stl", func() (*astisub.Subtitles, error) {
		return astisub.ReadFromSTL(bytes.NewReader(data), astisub.STLOptions{})
	})
	if err != nil {
		return nil, err
	}
	out := make([]rawCue, len(subs.Items))
	for k, it := range subs.Items {
		out[k] = rawCue{line: k + 1, start: it.StartAt, end: it.EndAt}
		for _, l := range it.Lines {
			var runs []run
			for _, li := range l.Items {
				r := run{text: strings.TrimRight(li.Text, " ")}
				if s := li.InlineStyle; s != nil {
					r.i = s.STLItalics != nil && *s.STLItalics
					r.u = s.STLUnderline != nil && *s.STLUnderline
				}
				runs = append(runs, r)
			}
			cursor := 0
			out[k].lines.add(joinRuns(runs, "", &cursor))
		}
	}
	return out, nil
}

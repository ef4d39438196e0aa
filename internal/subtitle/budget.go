package subtitle

import (
	"fmt"
	"strings"
)

// cueTimings counts the cues a file announces, cheaply and before any is
// read: timing lines for SRT and WebVTT, Dialogue lines for SSA/ASS,
// paragraphs for TTML and TTI blocks for EBU STL. It may count a little
// more than the cues a reader keeps (empty cues are dropped later), never
// fewer, so a file under the budget by this count is under it after
// parsing too.
func cueTimings(text string, f Format) int {
	switch f {
	case FormatSRT, FormatVTT:
		return strings.Count(text, "-->")
	case FormatSSA, FormatASS:
		return strings.Count(text, "Dialogue:")
	case FormatTTML:
		return countParagraphs(text)
	}
	return 0
}

// countParagraphs counts <p and <prefix:p element starts.
func countParagraphs(text string) int {
	n := 0
	for i := 0; ; {
		j := strings.IndexByte(text[i:], '<')
		if j < 0 {
			return n
		}
		i += j + 1
		name := text[i:]
		if k := strings.IndexAny(name, " \t\r\n>/"); k >= 0 {
			name = name[:k]
		}
		if name == "p" || strings.HasSuffix(name, ":p") {
			n++
		}
	}
}

// stlBlocks is the number of TTI blocks after the 1024-byte GSI block.
func stlBlocks(data []byte) int { return max(len(data)-1024, 0) / 128 }

// checkCueBudget refuses a file that announces more than max cues, before
// its cues are built: a valid but enormous track costs its size to refuse,
// not the many times more that its cues would take.
func checkCueBudget(n, max int) error {
	if max > 0 && n > max {
		return &Error{Reason: fmt.Sprintf("the file has %d cue timings, the limit is %d cues per track", n, max), Kind: ErrTooLarge}
	}
	return nil
}

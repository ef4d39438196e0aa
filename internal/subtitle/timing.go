package subtitle

import (
	"fmt"
	"strings"
	"time"
)

// parseTimingLine reads "start --> end [settings]" as SRT and WebVTT write
// it. The reason is "" on success and says what is wrong otherwise.
func parseTimingLine(line string) (start, end time.Duration, settings, reason string) {
	left, right, _ := strings.Cut(line, "-->")
	fields := strings.Fields(right)
	if len(fields) == 0 {
		return 0, 0, "", "timing line has no end time"
	}
	var ok bool
	if start, ok = parseClock(strings.TrimSpace(left)); !ok {
		return 0, 0, "", fmt.Sprintf("unreadable start time %q", strings.TrimSpace(left))
	}
	if end, ok = parseClock(fields[0]); !ok {
		return 0, 0, "", fmt.Sprintf("unreadable end time %q", fields[0])
	}
	return start, end, strings.Join(fields[1:], " "), ""
}

// parseClock reads [hh:]mm:ss[.,]fff as SRT, WebVTT and SSA write it: hours
// any number of digits, minutes and seconds below 60, one to three
// fraction digits (SSA writes two).
func parseClock(s string) (time.Duration, bool) {
	clock, frac, hasFrac := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	parts := strings.Split(clock, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	var d time.Duration
	for i, p := range parts {
		n, ok := digits(p, 9)
		last := len(parts) - 1 - i // 0 seconds, 1 minutes, 2 hours
		if !ok || last < 2 && (n >= 60 || len(p) > 2) {
			return 0, false
		}
		d = d*60 + time.Duration(n)
		if last == 2 && n > 99999 {
			return 0, false
		}
	}
	d *= time.Second
	if hasFrac {
		n, ok := digits(frac, 3)
		if !ok {
			return 0, false
		}
		for range 3 - len(frac) {
			n *= 10
		}
		d += time.Duration(n) * time.Millisecond
	}
	return d, true
}

// digits parses 1..max ASCII digits.
func digits(s string, max int) (int, bool) {
	if s == "" || len(s) > max {
		return 0, false
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// formatClock writes hh:mm:ss<sep>mmm, rounding to the millisecond.
func formatClock(d time.Duration, sep string) string {
	if d < 0 {
		d = 0
	}
	ms := (d + time.Millisecond/2) / time.Millisecond
	h := ms / 3600000
	m := ms / 60000 % 60
	s := ms / 1000 % 60
	return fmt.Sprintf("%02d:%02d:%02d%s%03d", h, m, s, sep, ms%1000)
}

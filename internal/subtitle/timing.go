package subtitle

import (
	"fmt"
	"strconv"
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

// formatClock writes hh:mm:ss<sep>mmm, rounding to the millisecond. It
// runs once per cue on every read and write, hence no fmt.
func formatClock(d time.Duration, sep string) string {
	if d < 0 {
		d = 0
	}
	ms := int64((d + time.Millisecond/2) / time.Millisecond)
	b := make([]byte, 0, 16)
	b = pad(b, ms/3600000, 2)
	b = append(b, ':')
	b = pad(b, ms/60000%60, 2)
	b = append(b, ':')
	b = pad(b, ms/1000%60, 2)
	b = append(b, sep...)
	b = pad(b, ms%1000, 3)
	return string(b)
}

// pad appends n in decimal with at least width digits.
func pad(b []byte, n int64, width int) []byte {
	s := strconv.FormatInt(n, 10)
	for range width - len(s) {
		b = append(b, '0')
	}
	return append(b, s...)
}

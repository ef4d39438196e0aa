package server

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// maxMomentMS bounds page times (t, end) to 1000 hours, far beyond any
// recording, so arithmetic on them never overflows.
const maxMomentMS = 1000 * 3600 * 1000

var errMoment = errors.New("not a time")

// parseMoment reads a page time (the t and end parameters) into
// milliseconds. It accepts seconds ("754", "754.2"), units ("12m34s",
// "1h2m3s", "90s", "2m") and clock form ("12:34", "00:12:34.5").
func parseMoment(s string) (int64, error) {
	s = strings.TrimSpace(s)
	var ms int64
	var err error
	switch {
	case s == "":
		err = errMoment
	case strings.Contains(s, ":"):
		ms, err = parseClock(s)
	case strings.ContainsAny(s, "hms"):
		ms, err = parseUnits(s)
	default:
		ms, err = parseSeconds(s)
	}
	if err == nil && ms > maxMomentMS {
		err = errMoment
	}
	if err != nil {
		return 0, fmt.Errorf("server: time %q: %w", s, err)
	}
	return ms, nil
}

// parseSeconds reads non-negative decimal seconds with at most millisecond
// precision; no signs, exponents, hex or NaN.
func parseSeconds(s string) (int64, error) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" && frac == "" || !digits(whole) || !digits(frac) || hasFrac && frac == "" || len(whole) > 10 {
		return 0, errMoment
	}
	var ms int64
	if whole != "" {
		n, err := strconv.ParseInt(whole, 10, 64)
		if err != nil {
			return 0, errMoment
		}
		ms = n * 1000
	}
	if frac != "" {
		f, err := strconv.ParseFloat("0."+frac, 64)
		if err != nil {
			return 0, errMoment
		}
		ms += int64(math.Round(f * 1000))
	}
	return ms, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// parseUnits reads "1h2m3.5s": each unit at most once, in that order, the
// seconds part alone may have a fraction.
func parseUnits(s string) (int64, error) {
	var ms int64
	rest := s
	for _, u := range []struct {
		unit byte
		ms   int64
	}{{'h', 3600_000}, {'m', 60_000}, {'s', 1000}} {
		i := strings.IndexByte(rest, u.unit)
		if i < 0 {
			continue
		}
		num := rest[:i]
		rest = rest[i+1:]
		if num == "" {
			return 0, errMoment
		}
		if u.unit == 's' {
			v, err := parseSeconds(num)
			if err != nil {
				return 0, err
			}
			ms += v
			continue
		}
		if !digits(num) || len(num) > 7 {
			return 0, errMoment
		}
		n, _ := strconv.ParseInt(num, 10, 64)
		ms += n * u.ms
	}
	if rest != "" {
		return 0, errMoment
	}
	return ms, nil
}

// parseClock reads "mm:ss", "hh:mm:ss" with an optional fraction on the
// seconds; minutes and seconds below a larger unit must be under 60.
func parseClock(s string) (int64, error) {
	parts := strings.Split(s, ":")
	if len(parts) > 3 {
		return 0, errMoment
	}
	secs, err := parseSeconds(parts[len(parts)-1])
	if err != nil || secs >= 60_000 || strings.HasPrefix(parts[len(parts)-1], ".") {
		return 0, errMoment
	}
	ms := secs
	scale := int64(60_000)
	for i := len(parts) - 2; i >= 0; i-- {
		p := parts[i]
		if p == "" || !digits(p) || len(p) > 7 {
			return 0, errMoment
		}
		n, _ := strconv.ParseInt(p, 10, 64)
		if i > 0 && n >= 60 {
			return 0, errMoment
		}
		ms += n * scale
		scale *= 60
	}
	return ms, nil
}

// formatSeconds writes milliseconds as the shortest decimal seconds for a
// URL: 95000 → "95", 90400 → "90.4".
func formatSeconds(ms int64) string {
	s := strconv.FormatInt(ms/1000, 10)
	if frac := ms % 1000; frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%03d", frac), "0")
	}
	return s
}

// clock writes milliseconds as a timecode to read: "1:35", "1:02:03".
func clock(ms int64) string {
	sec := ms / 1000
	h, m, s := sec/3600, sec/60%60, sec%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}

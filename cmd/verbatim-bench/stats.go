package main

import (
	"time"

	"github.com/verbatim-archive/verbatim/internal/measure"
)

// latencies collects request durations and reports percentiles.
type latencies []time.Duration

// pct returns the p-th percentile (measure.Percentile: nearest rank), 0
// when empty.
func (l latencies) pct(p float64) time.Duration { return measure.Percentile(l, p) }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mibps(bytes int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(bytes) / (1 << 20) / d.Seconds()
}

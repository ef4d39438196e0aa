package measure

import (
	"math"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var xs []time.Duration
	for i := 1; i <= 100; i++ {
		xs = append(xs, time.Duration(101-i)*time.Millisecond) // reversed: Percentile sorts
	}
	tests := []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {95, 95 * time.Millisecond}, {99, 99 * time.Millisecond},
		{100, 100 * time.Millisecond}, {0, time.Millisecond}, {99.5, 100 * time.Millisecond}, {0.5, time.Millisecond}}
	for _, tt := range tests {
		if got := Percentile(xs, tt.p); got != tt.want {
			t.Errorf("Percentile(1..100 ms, %v) = %v; want %v", tt.p, got, tt.want)
		}
	}
	if xs[0] != 100*time.Millisecond {
		t.Errorf("Percentile sorted its argument in place")
	}
	// Nearest rank on few values: p95 of ten values is the tenth, p50 the fifth.
	ten := []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}
	for _, tt := range []struct{ p, want float64 }{{50, 5}, {95, 10}, {90, 9}, {10, 1}, {11, 2}} {
		if got := Percentile(ten, tt.p); got != tt.want {
			t.Errorf("Percentile(1..10, %v) = %v; want %v", tt.p, got, tt.want)
		}
	}
	if got := Percentile([]float64(nil), 50); got != 0 {
		t.Errorf("Percentile(nil, 50) = %v; want 0", got)
	}
}

func TestRatio(t *testing.T) {
	// 2.04 / 0.0951 from unrounded figures is 21.45…, not the 20.00 that
	// figures rounded to 0.1 (2.0 / 0.1) would give.
	if got := Ratio(2.04, 0.0951); math.Abs(got-21.451104) > 1e-5 {
		t.Errorf("Ratio(2.04, 0.0951) = %v; want 21.4511", got)
	}
	for _, tt := range []struct{ a, b float64 }{{1, 0}, {math.NaN(), 1}, {1, math.NaN()}} {
		if got := Ratio(tt.a, tt.b); !math.IsNaN(got) {
			t.Errorf("Ratio(%v, %v) = %v; want NaN", tt.a, tt.b, got)
		}
	}
}

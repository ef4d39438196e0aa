// Package measure holds what every benchmark in Verbatim computes the same
// way, so that two tables never disagree because of their arithmetic: the
// one percentile (nearest rank) and ratios taken from unrounded figures.
//
// The bench driver (cmd/verbatim-bench) and the search comparison
// (bench/search) both use it; figures are rounded only when printed.
package measure

import (
	"cmp"
	"math"
	"slices"
)

// Percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) of xs:
// the smallest value with at least p% of the values at or below it. It
// returns the zero value for no values; p ≤ 0 gives the minimum. xs is not
// modified.
func Percentile[T cmp.Ordered](xs []T, p float64) T {
	var zero T
	if len(xs) == 0 {
		return zero
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	k := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[min(max(k, 0), len(s)-1)]
}

// Ratio returns a/b from the unrounded figures, or NaN when either is
// missing (NaN) or b is zero: a ratio of a rounded-to-zero peer is no
// figure at all.
func Ratio(a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) || b == 0 {
		return math.NaN()
	}
	return a / b
}

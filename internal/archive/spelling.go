package archive

import (
	"cmp"
	"slices"
)

// Corrections is how every Index builds SearchResult.Corrections from a
// page of hits: the near spellings of the hits for which keep holds (the
// query words nothing matched as spelt), grouped by query word in the
// order the words first appear, the most frequent spelling of each first.
func Corrections(hits []Hit, keep func(Spelling) bool) []Spelling {
	count := map[Spelling]int{}
	first := map[string]int{} // query word → rank of first appearance
	var out []Spelling
	for _, h := range hits {
		for _, s := range h.NearSpellings {
			if !keep(s) {
				continue
			}
			if _, ok := first[s.Query]; !ok {
				first[s.Query] = len(first)
			}
			if count[s] == 0 {
				out = append(out, s)
			}
			count[s]++
		}
	}
	slices.SortStableFunc(out, func(a, b Spelling) int {
		return cmp.Or(cmp.Compare(first[a.Query], first[b.Query]), cmp.Compare(count[b], count[a]))
	})
	return out
}

// EditDistance counts the insertions, deletions, substitutions and
// transpositions of adjacent letters between a and b (optimal string
// alignment, as typo tolerance counts them): how the indexes tell which
// query word a near spelling stands for. Words are at most a few dozen
// letters: two rows of a small table.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2, prev, cur := make([]int, len(rb)+1), make([]int, len(rb)+1), make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

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

// Package indextest is the conformance suite every archive.Index passes.
//
// The suite pins the behaviour viewers rely on, whatever engine runs the
// search: words and quoted phrases, phrases spoken across two cues,
// Meilisearch-like typo tolerance (one typo from 5 letters, two from 9, none
// below 5), per-language stemming, filters, facets, exact totals, ordering,
// safe highlights and replacement on Put. Stemming cases are chosen so that
// an engine without stemming but with prefix search on the last word (as
// Meilisearch) passes them too; engine-specific cases live with each engine.
//
// Decisions pinned here:
//   - a hit is reported on the cue where a match starts: a phrase begun in
//     one cue and ended in the next points at the first, while a match
//     wholly inside the next cue is that cue's hit only (each document's
//     Next makes the first kind findable);
//   - a query without any letter or digit fails with archive.ErrInvalid;
//   - so does a date filter that is not YYYY-MM-DD;
//   - Page below 1 means 1; PerPage below 1 means 20, above 100 means 100;
//   - ties in relevance go to the newer recording, then the earlier moment;
//   - a cue without a speaker is not counted in the speaker facet;
//   - every hit says whether it matched exactly (the words as spelt, or
//     as the language analysis folds them: case, accents, stems, a
//     prefix) or by a near spelling, and which query word matched which
//     indexed word; near hits rank after every exact one, and a query
//     word that nothing matches as spelt is named among the result's
//     corrections with the words it matched instead;
//   - an engine may skip near spellings of words it holds exactly when
//     exact hits fill the page, and then says so (NearSkipped, Total
//     counting exact hits);
//   - a leading minus excludes nothing (Meilisearch's "-word" exclusion is
//     not part of the query language), and filters compare exact values
//     (Meilisearch compares them case-insensitively): the Meilisearch
//     adapter drops the minus and re-checks the filters on its hits.
//
// Differences between the engines that the suite states rather than pins
// (each needs a real Meilisearch to observe):
//   - Meilisearch reads only the first 10 words of a query; bleve all of
//     them. Queries longer than that are cut by the archive's query limits,
//     not by the engines.
//   - Meilisearch cuts facet and filter values at 468 bytes: two speakers
//     whose names share their first 468 bytes filter alike there. The
//     adapter counts facets from its hits' full values and re-checks
//     filters exactly, so results agree; only candidates differ.
//   - Without a language filter Meilisearch tokenises the query in one
//     language (detected from the query); bleve analyses it with every
//     group's analyzer. A query whose words segment differently by language
//     (Chinese, Japanese, Thai) can find less on Meilisearch unless a
//     language is chosen.
package indextest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Run runs the suite. open returns a new, empty index for each subtest and
// arranges its cleanup with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) archive.Index) {
	t.Run("Ping", func(t *testing.T) { testPing(t, open(t)) })
	t.Run("Words", func(t *testing.T) { testCases(t, open, wordCases()) })
	t.Run("Phrases", func(t *testing.T) { testCases(t, open, phraseCases()) })
	t.Run("Typos", func(t *testing.T) { testCases(t, open, typoCases()) })
	t.Run("Languages", func(t *testing.T) { testCases(t, open, languageCases()) })
	t.Run("Filters", func(t *testing.T) { testCases(t, open, filterCases()) })
	t.Run("Ordering", func(t *testing.T) { testCases(t, open, orderingCases()) })
	t.Run("NearSpellings", func(t *testing.T) { testNearSpellings(t, open(t)) })
	t.Run("HitFields", func(t *testing.T) { testHitFields(t, open(t)) })
	t.Run("Facets", func(t *testing.T) { testFacets(t, open(t)) })
	t.Run("Pagination", func(t *testing.T) { testPagination(t, open(t)) })
	t.Run("Highlight", func(t *testing.T) { testHighlight(t, open(t)) })
	t.Run("InvalidQuery", func(t *testing.T) { testInvalid(t, open(t)) })
	t.Run("PutReplaces", func(t *testing.T) { testPutReplaces(t, open(t)) })
	t.Run("PutEmpty", func(t *testing.T) { testPutEmpty(t, open(t)) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, open(t)) })
}

// Load puts the whole fixed corpus into idx.
func load(t *testing.T, idx archive.Index) {
	t.Helper()
	for _, r := range corpus() {
		if err := idx.Put(context.Background(), r.id, r.docs()); err != nil {
			t.Fatalf("Put(%q): %v", r.id, err)
		}
	}
}

func search(t *testing.T, idx archive.Index, q archive.SearchQuery) archive.SearchResult {
	t.Helper()
	res, err := idx.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return res
}

// key names a hit by where it points: recording/lang@seconds.
func key(h archive.Hit) string {
	return fmt.Sprintf("%s/%s@%d", h.RecordingID, h.Lang, h.StartMS/1000)
}

func keys(res archive.SearchResult) []string {
	ks := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		ks = append(ks, key(h))
	}
	return ks
}

// searchCase is one query and the moments it must find. Unless ordered,
// the order of want does not matter.
type searchCase struct {
	name    string
	q       archive.SearchQuery
	want    []string
	ordered bool
}

func testCases(t *testing.T, open func(t *testing.T) archive.Index, cases []searchCase) {
	idx := open(t)
	load(t, idx)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := search(t, idx, c.q)
			got, want := keys(res), append([]string{}, c.want...)
			if !c.ordered {
				sort.Strings(got)
				sort.Strings(want)
			}
			if want == nil {
				want = []string{}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Search(%+v) hits (-want +got):\n%s", c.q, diff)
			}
			if res.Total != len(c.want) {
				t.Errorf("Search(%+v).Total = %d; want %d", c.q, res.Total, len(c.want))
			}
		})
	}
}

func testPing(t *testing.T, idx archive.Index) {
	if err := idx.Ping(context.Background()); err != nil {
		t.Errorf("Ping() = %v; want nil", err)
	}
}

func testInvalid(t *testing.T, idx archive.Index) {
	load(t, idx)
	for _, q := range []archive.SearchQuery{
		{Text: ""},
		{Text: "   "},
		{Text: `""`},
		{Text: `" - "`},
		{Text: "trafficking", DateFrom: "20.06.2025"},
		{Text: "trafficking", DateTo: "2025-6-1"},
	} {
		_, err := idx.Search(context.Background(), q)
		if !errors.Is(err, archive.ErrInvalid) {
			t.Errorf("Search(%+v) error = %v; want archive.ErrInvalid", q, err)
		}
	}
}

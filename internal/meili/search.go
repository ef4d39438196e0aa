package meili

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/meilisearch/meilisearch-go"
	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Paging defaults, as in the conformance suite.
const (
	defaultPerPage = 20
	maxPerPage     = 100
)

// retrieved are the attributes a hit is built from. The window fields are
// there for their match positions, version for keeping the newest.
var retrieved = []string{
	"recording_id", "version", "title", "event", "date", "lang", "kind", "start_ms", "end_ms", "speaker", "text",
	"win_en", "win_fr", "win_es", "win_de", "win_other",
}

// hitDoc is a search hit as Meilisearch returns it. Match positions are
// byte offsets into the field; a phrase is one span from its first word's
// start to its last word's end, separators included (Meilisearch since
// v1.12, meilisearch/meilisearch#4732); a prefix match spans the typed
// prefix only (meilisearch/meilisearch#3726); a typo match spans the
// whole word of the document.
type hitDoc struct {
	RecordingID string  `json:"recording_id"`
	Version     int64   `json:"version"`
	Title       string  `json:"title"`
	Event       string  `json:"event"`
	Date        string  `json:"date"`
	Lang        string  `json:"lang"`
	Kind        string  `json:"kind"`
	StartMS     int64   `json:"start_ms"`
	EndMS       int64   `json:"end_ms"`
	Speaker     string  `json:"speaker"`
	Text        string  `json:"text"`
	WinEN       string  `json:"win_en"`
	WinFR       string  `json:"win_fr"`
	WinES       string  `json:"win_es"`
	WinDE       string  `json:"win_de"`
	WinOther    string  `json:"win_other"`
	Score       float64 `json:"_rankingScore"`
	Matches     map[string][]struct {
		Start  int `json:"start"`
		Length int `json:"length"`
	} `json:"_matchesPosition"`
}

// request is the search request for q, whose text was normalised to text:
// the first MaxHits candidates, and their exact count (totalHits).
// https://www.meilisearch.com/docs/reference/api/search#search-parameters
// https://www.meilisearch.com/docs/reference/api/search#number-of-results-per-page
func (x *Index) request(q archive.SearchQuery, text, filter string) *meilisearch.SearchRequest {
	perPage := int64(x.cfg.MaxHits)
	req := &meilisearch.SearchRequest{
		Query:                text,
		Page:                 1,
		HitsPerPage:          &perPage,
		AttributesToRetrieve: retrieved,
		ShowMatchesPosition:  true,
		ShowRankingScore:     true,
		MatchingStrategy:     meilisearch.All,
		Sort:                 []string{"date_num:desc", "start_ms:asc", "recording_id:asc", "lang:asc"},
	}
	if filter != "" {
		req.Filter = filter
	}
	seen := map[string]bool{}
	for _, l := range q.Langs {
		g := group(l)
		if seen[g] {
			continue
		}
		seen[g] = true
		req.AttributesToSearchOn = append(req.AttributesToSearchOn, winField(g))
		if loc := locale(g); loc != "" {
			req.Locales = append(req.Locales, loc)
		}
	}
	return req
}

// Search runs q. See the package comment for how hits are deduplicated
// and when the total is a lower bound.
func (x *Index) Search(ctx context.Context, q archive.SearchQuery) (archive.SearchResult, error) {
	text, err := queryText(q.Text)
	if err != nil {
		return archive.SearchResult{}, err
	}
	f, err := filter(q)
	if err != nil {
		return archive.SearchResult{}, err
	}
	resp, err := x.index.Search(ctx, text, x.request(q, text, f))
	if err != nil {
		return archive.SearchResult{}, unavailable(fmt.Sprintf("search %q", q.Text), err)
	}
	docs := make([]hitDoc, 0, len(resp.Hits))
	newest := map[string]int64{}
	for _, raw := range resp.Hits {
		var d hitDoc
		if err := raw.Decode(&d); err != nil {
			return archive.SearchResult{}, fmt.Errorf("meili: search %q: decode hit: %w", q.Text, err)
		}
		docs = append(docs, d)
		if v, ok := newest[d.RecordingID]; !ok || d.Version > v {
			newest[d.RecordingID] = d.Version
		}
	}
	var hits []archive.Hit
	qw := parseQueryWords(text)
	for _, d := range docs {
		if d.Version < newest[d.RecordingID] {
			continue // an older version, about to be deleted by its Put
		}
		if h, ok := toHit(d, qw); ok && exact(q, h) {
			hits = append(hits, h)
		}
	}
	res := page(q, hits)
	res.TotalIsLowerBound = resp.TotalHits > int64(len(resp.Hits))
	res.Corrections = corrections(hits, res.Hits, qw)
	return res, nil
}

// toHit builds the hit, or reports false when every match lies in the next
// cue: that cue reports the match itself. A span that runs on into the
// next cue (a phrase spoken across the boundary) is cut at the cue's end,
// and every span is marked word by word, as bleve marks the words of a
// phrase: "<mark>milestone</mark>", not "<mark>milestone for the</mark>".
// A span that is a near spelling of a query word (see spelling.go) makes
// the hit near, is marked as such and named in its near spellings; in the
// next cue it is read from the window.
func toHit(d hitDoc, qw queryWords) (archive.Hit, bool) {
	var spans []archive.MarkSpan
	own := false
	h := archive.Hit{
		RecordingID: d.RecordingID, Title: d.Title, Event: d.Event, Date: d.Date,
		Lang: d.Lang, Kind: archive.Kind(d.Kind), StartMS: d.StartMS, EndMS: d.EndMS,
		Speaker: d.Speaker, Text: d.Text, Score: d.Score, Match: archive.MatchExact,
	}
	win := d.window()
	for _, m := range d.Matches[winField(group(d.Lang))] {
		in := m.Start < len(d.Text)
		own = own || in
		src, end := d.Text, min(m.Start+m.Length, len(d.Text))
		if !in {
			src, end = win, min(m.Start+m.Length, len(win))
		}
		if m.Start < 0 || m.Start >= end {
			continue
		}
		ws := words(src, m.Start, end)
		for _, w := range ws {
			qword, near := qw.near(src[w[0]:w[1]], len(ws))
			if in {
				spans = append(spans, archive.MarkSpan{Start: w[0], End: w[1], Near: near})
			}
			if near {
				h.Match = archive.MatchNear
				s := archive.Spelling{Query: qword.lower, Matched: strings.ToLower(src[w[0]:w[1]])}
				if !slices.Contains(h.NearSpellings, s) {
					h.NearSpellings = append(h.NearSpellings, s)
				}
			}
		}
	}
	if !own {
		return archive.Hit{}, false
	}
	h.Highlight = archive.HighlightSpans(d.Text, spans)
	return h, true
}

// window is the hit's window field in its language group.
func (d hitDoc) window() string {
	switch group(d.Lang) {
	case "en":
		return d.WinEN
	case "fr":
		return d.WinFR
	case "es":
		return d.WinES
	case "de":
		return d.WinDE
	}
	return d.WinOther
}

// corrections are the near spellings, on the page, of the query words
// that no hit of the scan matched exactly.
func corrections(all, onPage []archive.Hit, qw queryWords) []archive.Spelling {
	nearOnly := map[string]bool{}
	for _, w := range qw.loose {
		nearOnly[w.lower] = true
	}
	for _, h := range all {
		if h.Match == archive.MatchExact {
			return nil // every word matched as spelt somewhere
		}
	}
	// Every hit is near: a word is corrected unless some hit lacks a near
	// spelling of it (and so matched it exactly).
	for _, w := range qw.loose {
		for _, h := range all {
			if !slices.ContainsFunc(h.NearSpellings, func(s archive.Spelling) bool { return s.Query == w.lower }) {
				delete(nearOnly, w.lower)
				break
			}
		}
	}
	return archive.Corrections(onPage, func(s archive.Spelling) bool { return nearOnly[s.Query] })
}

// words splits text[from:to] into the spans of its words (letters,
// digits and combining marks), leaving out the separators between them.
func words(text string, from, to int) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range text[from:to] {
		in := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
		switch {
		case in && start < 0:
			start = from + i
		case !in && start >= 0:
			out = append(out, [2]int{start, from + i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, to})
	}
	return out
}

// page cuts the requested page from the deduplicated hits and counts the
// facets over all of them.
func page(q archive.SearchQuery, hits []archive.Hit) archive.SearchResult {
	n, perPage := max(q.Page, 1), q.PerPage
	switch {
	case perPage < 1:
		perPage = defaultPerPage
	case perPage > maxPerPage:
		perPage = maxPerPage
	}
	res := archive.SearchResult{
		Total: len(hits), Page: n, PerPage: perPage, Hits: []archive.Hit{},
		Facets: archive.Facets{Lang: map[string]int{}, Speaker: map[string]int{}},
	}
	for _, h := range hits {
		res.Facets.Lang[h.Lang]++
		if h.Speaker != "" {
			res.Facets.Speaker[h.Speaker]++
		}
	}
	if from := (n - 1) * perPage; from < len(hits) {
		res.Hits = hits[from:min(from+perPage, len(hits))]
	}
	return res
}

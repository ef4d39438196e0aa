package meili

import (
	"context"
	"fmt"

	"github.com/meilisearch/meilisearch-go"
	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Paging defaults, as in the conformance suite.
const (
	defaultPerPage = 20
	maxPerPage     = 100
)

// retrieved are the attributes a hit is built from. The window fields are
// there for their match positions.
var retrieved = []string{
	"recording_id", "title", "event", "date", "lang", "kind", "start_ms", "end_ms", "speaker", "text",
	"win_en", "win_fr", "win_es", "win_de", "win_other",
}

// hitDoc is a search hit as Meilisearch returns it.
type hitDoc struct {
	RecordingID string  `json:"recording_id"`
	Title       string  `json:"title"`
	Event       string  `json:"event"`
	Date        string  `json:"date"`
	Lang        string  `json:"lang"`
	Kind        string  `json:"kind"`
	StartMS     int64   `json:"start_ms"`
	EndMS       int64   `json:"end_ms"`
	Speaker     string  `json:"speaker"`
	Text        string  `json:"text"`
	Score       float64 `json:"_rankingScore"`
	Matches     map[string][]struct {
		Start  int `json:"start"`
		Length int `json:"length"`
	} `json:"_matchesPosition"`
}

// request is the search request for q, whose text was normalised to text.
// https://www.meilisearch.com/docs/reference/api/search#search-parameters
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

// Search runs q. See the package comment for how hits are deduplicated.
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
	var hits []archive.Hit
	for _, raw := range resp.Hits {
		var d hitDoc
		if err := raw.Decode(&d); err != nil {
			return archive.SearchResult{}, fmt.Errorf("meili: search %q: decode hit: %w", q.Text, err)
		}
		if h, ok := toHit(d); ok {
			hits = append(hits, h)
		}
	}
	return page(q, hits), nil
}

// toHit builds the hit, or reports false when every match lies in the next
// cue: that cue reports the match itself.
func toHit(d hitDoc) (archive.Hit, bool) {
	var spans [][2]int
	own := false
	for _, m := range d.Matches[winField(group(d.Lang))] {
		if m.Start < len(d.Text) {
			own = true
			spans = append(spans, [2]int{m.Start, min(m.Start+m.Length, len(d.Text))})
		}
	}
	if !own {
		return archive.Hit{}, false
	}
	return archive.Hit{
		RecordingID: d.RecordingID, Title: d.Title, Event: d.Event, Date: d.Date,
		Lang: d.Lang, Kind: archive.Kind(d.Kind), StartMS: d.StartMS, EndMS: d.EndMS,
		Speaker: d.Speaker, Text: d.Text, Score: d.Score,
		Highlight: archive.Highlight(d.Text, spans),
	}, true
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

package archive

import "context"

// Index is the derived search index. Storage stays the system of record:
// `verbatim reindex` rebuilds an Index from Blobs alone.
//
// The Service hands the index only what viewers may see: published
// recordings, with hidden speakers' cues left out and anonymised speakers
// under their pseudonym. The index therefore never needs to filter for
// visibility itself.
//
// Implementations: internal/bleveindex (embedded, default) and
// internal/meili (Meilisearch). Both pass the suite in internal/indextest.
type Index interface {
	// Put replaces every document of the recording with docs (which may be
	// empty). After Put returns, Search sees the new documents.
	Put(ctx context.Context, recordingID string, docs []CueDoc) error
	// Delete removes every document of the recording.
	Delete(ctx context.Context, recordingID string) error
	// Search runs a query.
	Search(ctx context.Context, q SearchQuery) (SearchResult, error)
	// Ping reports whether the index is reachable and usable.
	Ping(ctx context.Context) error
}

// CueDoc is one cue as indexed, with the recording facts search filters and
// displays. Next holds the text of the following cue(s) of the same track so
// that a phrase spoken across a cue boundary is found, while the hit still
// points at the cue where the match starts.
type CueDoc struct {
	RecordingID string `json:"recording_id"`
	Title       string `json:"title"`
	Event       string `json:"event"`
	Date        string `json:"date"` // YYYY-MM-DD
	Lang        string `json:"lang"`
	Kind        Kind   `json:"kind"`
	Source      Source `json:"source"`
	Seq         int    `json:"seq"` // cue position in its track
	StartMS     int64  `json:"start_ms"`
	EndMS       int64  `json:"end_ms"`
	Speaker     string `json:"speaker"`
	Text        string `json:"text"`
	Next        string `json:"next"`
	// Version is the manifest version the document was built from: an
	// index shared by several processes keeps the newest (see meili).
	Version int64 `json:"version"`
}

// SearchQuery is what a viewer asks. Zero values mean "no filter".
type SearchQuery struct {
	Text        string   // words, "quoted phrases"
	Langs       []string // BCP 47 tags
	Speakers    []string
	RecordingID string
	Event       string
	DateFrom    string // YYYY-MM-DD, inclusive
	DateTo      string // YYYY-MM-DD, inclusive
	Kind        Kind
	Page        int // 1-based
	PerPage     int
}

// SearchResult is a page of moments.
type SearchResult struct {
	Total int `json:"total"` // exact number of hits for the query, unless TotalIsLowerBound
	// TotalIsLowerBound says that more hits exist than Total counts (and
	// than the pages reach): an engine that counts within a bound sets it
	// past the bound, and viewers are shown "more than Total".
	TotalIsLowerBound bool   `json:"total_is_lower_bound,omitempty"`
	Page              int    `json:"page"`
	PerPage           int    `json:"per_page"`
	Hits              []Hit  `json:"hits"`
	Facets            Facets `json:"facets"`
	// Corrections name the query words that nothing in the index matches
	// as spelt, with the near spellings that matched them instead
	// (trafficing → trafficking), for "showing results for …". A query
	// word with several near spellings has one entry for each, the most
	// frequent on the page first.
	Corrections []Spelling `json:"corrections,omitempty"`
	// NearSkipped says that exact matches filled the page, so near
	// spellings of words the index holds were not searched: Total counts
	// exact matches, and a later page they do not fill lists the near
	// ones after them (and counts them).
	NearSkipped bool `json:"near_skipped,omitempty"`
}

// Match says how a hit matched the query's words.
type Match string

const (
	// MatchExact: every word as spelt, or a form of it the language
	// analysis folds together (case, accents, a stem; on Meilisearch a
	// prefix of the last word).
	MatchExact Match = "exact"
	// MatchNear: at least one word only by a near spelling (the typo
	// allowance: one from 5 letters, two from 9).
	MatchNear Match = "near"
)

// Spelling pairs a query word with the indexed word it matched by a near
// spelling, both in lower case: {query: "trafficing", matched: "trafficking"}.
type Spelling struct {
	Query   string `json:"query"`
	Matched string `json:"matched"`
}

// Hit is one moment that matched.
type Hit struct {
	RecordingID string `json:"recording_id"`
	Title       string `json:"title"`
	Event       string `json:"event"`
	Date        string `json:"date"`
	Lang        string `json:"lang"`
	Kind        Kind   `json:"kind"`
	StartMS     int64  `json:"start_ms"`
	EndMS       int64  `json:"end_ms"`
	Speaker     string `json:"speaker"`
	Text        string `json:"text"`
	// Highlight is Text as safe HTML: every character escaped, exact
	// matches wrapped in <mark>…</mark>, near spellings in
	// <mark class="near">…</mark>.
	Highlight string  `json:"highlight"`
	URL       string  `json:"url"` // /watch/<id>?t=<seconds>&lang=<lang>; filled by the Service, not the Index
	Score     float64 `json:"score"`
	// Match is exact or near; a near hit ranks after every exact one.
	Match Match `json:"match"`
	// NearSpellings name, on a near hit, each query word it matched by a
	// near spelling and the word it matched.
	NearSpellings []Spelling `json:"near_spellings,omitempty"`
}

// Facets count the query's hits per language and per speaker (with every
// filter of the query applied).
type Facets struct {
	Lang    map[string]int `json:"lang"`
	Speaker map[string]int `json:"speaker"`
}

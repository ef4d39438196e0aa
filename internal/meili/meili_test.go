package meili

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/verbatim-archive/verbatim/internal/archive"
)

// openExchanges are Open's requests: create the index (an existing one is
// fine), then the full settings.
// https://www.meilisearch.com/docs/reference/api/indexes#create-an-index
// https://www.meilisearch.com/docs/reference/api/settings#update-settings
func openExchanges(createStatus string, createErr map[string]string) []exchange {
	return []exchange{
		{method: "POST", path: "/indexes", body: `{"uid":"verbatim","primaryKey":"id"}`, status: http.StatusAccepted, reply: enqueued(1)},
		{method: "GET", path: "/tasks/1", status: http.StatusOK, reply: task(1, createStatus, createErr)},
		{method: "PATCH", path: "/indexes/verbatim/settings", status: http.StatusAccepted, reply: enqueued(2), body: `{
			"rankingRules": ["words", "typo", "proximity", "attribute", "exactness", "sort"],
			"searchableAttributes": ["win_en", "win_fr", "win_es", "win_de", "win_other"],
			"filterableAttributes": ["recording_id", "lang", "speaker", "event", "date_num", "kind", "pos"],
			"sortableAttributes": ["date_num", "start_ms", "recording_id", "lang"],
			"localizedAttributes": [
				{"locales": ["eng"], "attributePatterns": ["win_en"]},
				{"locales": ["fra"], "attributePatterns": ["win_fr"]},
				{"locales": ["spa"], "attributePatterns": ["win_es"]},
				{"locales": ["deu"], "attributePatterns": ["win_de"]}
			],
			"typoTolerance": {
				"enabled": true,
				"minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
				"disableOnWords": [],
				"disableOnAttributes": [],
				"disableOnNumbers": false
			},
			"pagination": {"maxTotalHits": 1000}
		}`},
		{method: "GET", path: "/tasks/2", status: http.StatusOK, reply: task(2, "succeeded", nil)},
	}
}

func openScripted(t *testing.T, more ...exchange) *Index {
	t.Helper()
	srv := newScript(t, "Bearer secret", append(openExchanges("succeeded", nil), more...)...)
	x, err := Open(context.Background(), Config{URL: srv.URL, APIKey: "secret", Index: "verbatim", PollInterval: time.Millisecond})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

func TestOpenAppliesSettings(t *testing.T) { openScripted(t) }

func TestOpenAcceptsExistingIndex(t *testing.T) {
	exists := map[string]string{"message": "Index `verbatim` already exists.", "code": "index_already_exists", "type": "invalid_request", "link": "https://docs.meilisearch.com/errors#index_already_exists"}
	srv := newScript(t, "", openExchanges("failed", exists)...)
	x, err := Open(context.Background(), Config{URL: srv.URL, Index: "verbatim", PollInterval: time.Millisecond})
	if err != nil {
		t.Fatalf("Open on an existing index: %v", err)
	}
	x.Close()
}

// A failed task comes back from the SDK with a nil error: the adapter
// must read its status.
func TestFailedTaskIsAnError(t *testing.T) {
	broken := map[string]string{"message": "No space left on device.", "code": "no_space_left_on_device", "type": "system"}
	srv := newScript(t, "", exchange{method: "POST", path: "/indexes", body: `{"uid":"verbatim","primaryKey":"id"}`, status: http.StatusAccepted, reply: enqueued(1)},
		exchange{method: "GET", path: "/tasks/1", status: http.StatusOK, reply: task(1, "failed", broken)})
	_, err := Open(context.Background(), Config{URL: srv.URL, Index: "verbatim", PollInterval: time.Millisecond})
	if !errors.Is(err, archive.ErrUnavailable) || !strings.Contains(err.Error(), "No space left on device.") {
		t.Errorf("Open with a failed task = %v; want archive.ErrUnavailable with the task's message", err)
	}
}

// Polling goes on while the task is enqueued or processing.
// https://www.meilisearch.com/docs/reference/api/tasks#status
func TestWaitPollsUntilDone(t *testing.T) {
	x := openScripted(t,
		exchange{method: "POST", path: "/indexes/verbatim/documents/delete", body: `{"filter":"recording_id = \"r\""}`, status: http.StatusAccepted, reply: enqueued(3)},
		exchange{method: "GET", path: "/tasks/3", status: http.StatusOK, reply: task(3, "enqueued", nil)},
		exchange{method: "GET", path: "/tasks/3", status: http.StatusOK, reply: task(3, "processing", nil)},
		exchange{method: "GET", path: "/tasks/3", status: http.StatusOK, reply: task(3, "succeeded", nil)},
	)
	if err := x.Delete(context.Background(), "r"); err != nil {
		t.Errorf("Delete: %v", err)
	}
}

// Put adds every document (in batches), then deletes the leftovers of a
// longer earlier Put by filter.
// https://www.meilisearch.com/docs/reference/api/documents#add-or-replace-documents
// https://www.meilisearch.com/docs/reference/api/documents#delete-documents-by-filter
func TestPutSendsDocuments(t *testing.T) {
	var ex []exchange
	ex = append(ex, write("POST", "/indexes/verbatim/documents", `[
		{"id": "hrc_0", "recording_id": "hrc", "pos": 0, "title": "Side event", "event": "HRC 59",
		 "date": "2025-06-20", "date_num": 20250620, "lang": "de-AT", "kind": "interpretation", "source": "human",
		 "seq": 4, "start_ms": 4000, "end_ms": 7500, "speaker": "Ana Ruiz",
		 "text": "Das Palermo-Protokoll war ein Meilenstein für den",
		 "win_de": "Das Palermo-Protokoll war ein Meilenstein für den Schutz der Opfer."},
		{"id": "hrc_1", "recording_id": "hrc", "pos": 1, "title": "Side event", "event": "HRC 59",
		 "date": "2025-06-20", "date_num": 20250620, "lang": "pt", "kind": "interpretation", "source": "human",
		 "seq": 5, "start_ms": 9000, "end_ms": 12500, "speaker": "",
		 "text": "Schutz der Opfer.", "win_other": "Schutz der Opfer."}
	]`, 3)...)
	ex = append(ex, write("POST", "/indexes/verbatim/documents/delete", `{"filter":"recording_id = \"hrc\" AND pos >= 2"}`, 4)...)
	x := openScripted(t, ex...)
	base := archive.CueDoc{RecordingID: "hrc", Title: "Side event", Event: "HRC 59", Date: "2025-06-20",
		Kind: archive.KindInterpretation, Source: archive.SourceHuman}
	a, b := base, base
	a.Lang, a.Seq, a.StartMS, a.EndMS, a.Speaker = "de-AT", 4, 4000, 7500, "Ana Ruiz"
	a.Text, a.Next = "Das Palermo-Protokoll war ein Meilenstein für den", "Schutz der Opfer."
	b.Lang, b.Seq, b.StartMS, b.EndMS, b.Text = "pt", 5, 9000, 12500, "Schutz der Opfer."
	if err := x.Put(context.Background(), "hrc", []archive.CueDoc{a, b}); err != nil {
		t.Errorf("Put: %v", err)
	}
}

func TestPutEmptyDeletesAll(t *testing.T) {
	x := openScripted(t, write("POST", "/indexes/verbatim/documents/delete", `{"filter":"recording_id = \"hrc\""}`, 3)...)
	if err := x.Put(context.Background(), "hrc", nil); err != nil {
		t.Errorf("Put(hrc, nil): %v", err)
	}
}

func TestPutRejectsForeignDocument(t *testing.T) {
	x := openScripted(t)
	err := x.Put(context.Background(), "a", []archive.CueDoc{{RecordingID: "b", Text: "x"}})
	if !errors.Is(err, archive.ErrInvalid) {
		t.Errorf("Put(a, [doc of b]) = %v; want archive.ErrInvalid", err)
	}
}

// https://www.meilisearch.com/docs/reference/api/health
func TestPing(t *testing.T) {
	x := openScripted(t,
		exchange{method: "GET", path: "/health", status: http.StatusOK, reply: `{"status":"available"}`},
		exchange{method: "GET", path: "/health", status: http.StatusOK, reply: `{"status":"starting"}`},
	)
	if err := x.Ping(context.Background()); err != nil {
		t.Errorf("Ping (available) = %v; want nil", err)
	}
	if err := x.Ping(context.Background()); !errors.Is(err, archive.ErrUnavailable) {
		t.Errorf("Ping (starting) = %v; want archive.ErrUnavailable", err)
	}
}

func TestUnreachable(t *testing.T) {
	srv := newScript(t, "", openExchanges("succeeded", nil)...)
	x, err := Open(context.Background(), Config{URL: srv.URL, Index: "verbatim", PollInterval: time.Millisecond})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer x.Close()
	srv.Close()
	if err := x.Ping(context.Background()); !errors.Is(err, archive.ErrUnavailable) {
		t.Errorf("Ping with the server gone = %v; want archive.ErrUnavailable", err)
	}
	if err := x.Delete(context.Background(), "r"); !errors.Is(err, archive.ErrUnavailable) {
		t.Errorf("Delete with the server gone = %v; want archive.ErrUnavailable", err)
	}
	if _, err := Open(context.Background(), Config{URL: srv.URL, Index: "verbatim"}); !errors.Is(err, archive.ErrUnavailable) {
		t.Errorf("Open with the server gone = %v; want archive.ErrUnavailable", err)
	}
}

func TestFilter(t *testing.T) {
	for _, c := range []struct {
		q    archive.SearchQuery
		want string
	}{
		{archive.SearchQuery{}, ""},
		{archive.SearchQuery{Langs: []string{"en", "de-AT"}}, `lang IN ["en", "de-AT"]`},
		{archive.SearchQuery{Speakers: []string{`Ana "A" Ruiz`, `C:\x`}}, `speaker IN ["Ana \"A\" Ruiz", "C:\\x"]`},
		{archive.SearchQuery{RecordingID: "hrc", Event: "HRC 59 AND 1 = 1", Kind: archive.KindOriginal},
			`recording_id = "hrc" AND event = "HRC 59 AND 1 = 1" AND kind = "original"`},
		{archive.SearchQuery{DateFrom: "2024-01-01", DateTo: "2024-12-31"}, `date_num >= 20240101 AND date_num <= 20241231`},
	} {
		got, err := filter(c.q)
		if err != nil || got != c.want {
			t.Errorf("filter(%+v) = %q, %v; want %q", c.q, got, err, c.want)
		}
	}
	if _, err := filter(archive.SearchQuery{DateTo: "31.12.2024"}); !errors.Is(err, archive.ErrInvalid) {
		t.Errorf("filter(DateTo 31.12.2024) error = %v; want archive.ErrInvalid", err)
	}
}

func TestQueryText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Palermo  Protocol", "Palermo Protocol"},
		{`"human   beings" welcome`, `"human beings" welcome`},
		{`"human beings`, `"human beings"`},
		{`a "" - b`, "a b"},
	} {
		if got, err := queryText(c.in); err != nil || got != c.want {
			t.Errorf("queryText(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"", "  ", `""`, `" - "`} {
		if _, err := queryText(in); !errors.Is(err, archive.ErrInvalid) {
			t.Errorf("queryText(%q) error = %v; want archive.ErrInvalid", in, err)
		}
	}
}

// searchHits is a search answer: cue 4 matches in its own text, cue 8
// only in its next cue (dropped: cue 9 reports it), cue 9 in its text.
// Match positions are byte offsets into the field.
// https://www.meilisearch.com/docs/reference/api/search#show-matches-position
const searchHits = `{"hits": [
	{"recording_id": "hrc", "title": "T", "event": "E", "date": "2025-06-20", "lang": "de", "kind": "original",
	 "start_ms": 4000, "end_ms": 7000, "speaker": "Ana", "text": "Für <b>Opfer</b> & Überlebende",
	 "win_de": "Für <b>Opfer</b> & Überlebende Schutz",
	 "_rankingScore": 0.9, "_matchesPosition": {"win_de": [{"start": 8, "length": 5}, {"start": 20, "length": 12}]}},
	{"recording_id": "hrc", "title": "T", "event": "E", "date": "2025-06-20", "lang": "de", "kind": "original",
	 "start_ms": 8000, "end_ms": 9000, "speaker": "Jo", "text": "Danke.",
	 "win_de": "Danke. Opfer",
	 "_rankingScore": 0.8, "_matchesPosition": {"win_de": [{"start": 7, "length": 5}]}},
	{"recording_id": "hrc", "title": "T", "event": "E", "date": "2025-06-20", "lang": "de", "kind": "original",
	 "start_ms": 9000, "end_ms": 9500, "speaker": "Jo", "text": "Opfer",
	 "win_de": "Opfer",
	 "_rankingScore": 0.7, "_matchesPosition": {"win_de": [{"start": 0, "length": 5}]}}
], "query": "Opfer", "processingTimeMs": 1, "hitsPerPage": 1000, "page": 1, "totalPages": 1, "totalHits": 3}`

// https://www.meilisearch.com/docs/reference/api/search#search-in-an-index-with-post
func TestSearchRequestAndResult(t *testing.T) {
	x := openScripted(t, exchange{method: "POST", path: "/indexes/verbatim/search", status: http.StatusOK, reply: searchHits, body: `{
		"q": "Opfer \"für die\"",
		"page": 1,
		"hitsPerPage": 1000,
		"attributesToRetrieve": ["recording_id", "title", "event", "date", "lang", "kind", "start_ms", "end_ms", "speaker", "text",
			"win_en", "win_fr", "win_es", "win_de", "win_other"],
		"attributesToSearchOn": ["win_de", "win_en"],
		"locales": ["deu", "eng"],
		"filter": "lang IN [\"de\", \"de-AT\", \"en\"] AND speaker IN [\"Ana\", \"Jo\"] AND date_num >= 20250101",
		"sort": ["date_num:desc", "start_ms:asc", "recording_id:asc", "lang:asc"],
		"showMatchesPosition": true,
		"showRankingScore": true,
		"matchingStrategy": "all",
		"hybrid": null
	}`})
	res, err := x.Search(context.Background(), archive.SearchQuery{
		Text: `Opfer "für die`, Langs: []string{"de", "de-AT", "en"}, Speakers: []string{"Ana", "Jo"},
		DateFrom: "2025-01-01", PerPage: 1,
	})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	want := archive.SearchResult{
		Total: 2, Page: 1, PerPage: 1,
		Hits: []archive.Hit{{
			RecordingID: "hrc", Title: "T", Event: "E", Date: "2025-06-20", Lang: "de", Kind: archive.KindOriginal,
			StartMS: 4000, EndMS: 7000, Speaker: "Ana", Text: "Für <b>Opfer</b> & Überlebende", Score: 0.9,
			Highlight: "Für &lt;b&gt;<mark>Opfer</mark>&lt;/b&gt; &amp; <mark>Überlebende</mark>",
		}},
		Facets: archive.Facets{Lang: map[string]int{"de": 2}, Speaker: map[string]int{"Ana": 1, "Jo": 1}},
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("Search result (-want +got):\n%s", diff)
	}
}

func TestSearchUnavailable(t *testing.T) {
	x := openScripted(t, exchange{method: "POST", path: "/indexes/verbatim/search", status: http.StatusBadRequest,
		reply: `{"message":"bad","code":"invalid_search_filter","type":"invalid_request","link":""}`, body: `{
		"q": "x", "page": 1, "hitsPerPage": 1000,
		"attributesToRetrieve": ["recording_id", "title", "event", "date", "lang", "kind", "start_ms", "end_ms", "speaker", "text",
			"win_en", "win_fr", "win_es", "win_de", "win_other"],
		"sort": ["date_num:desc", "start_ms:asc", "recording_id:asc", "lang:asc"],
		"showMatchesPosition": true, "showRankingScore": true, "matchingStrategy": "all", "hybrid": null}`})
	_, err := x.Search(context.Background(), archive.SearchQuery{Text: "x"})
	if !errors.Is(err, archive.ErrUnavailable) {
		t.Errorf("Search with a failing server = %v; want archive.ErrUnavailable", err)
	}
}

func TestHighlight(t *testing.T) {
	for _, c := range []struct {
		text  string
		spans [][2]int
		want  string
	}{
		{"a <script> b", [][2]int{{3, 9}}, "a &lt;<mark>script</mark>&gt; b"},
		{"über", [][2]int{{1, 3}}, "<mark>üb</mark>er"}, // starts inside ü: snapped back
		{"über", [][2]int{{0, 1}}, "<mark>ü</mark>ber"}, // ends inside ü: snapped forward
		{"abc def", [][2]int{{4, 7}, {0, 3}, {1, 2}}, "<mark>abc</mark> <mark>def</mark>"},
		{"abc", nil, "abc"},
	} {
		if got := archive.Highlight(c.text, c.spans); got != c.want {
			t.Errorf("highlight(%q, %v) = %q; want %q", c.text, c.spans, got, c.want)
		}
	}
}

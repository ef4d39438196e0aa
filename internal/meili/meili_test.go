package meili

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/verbatim-archive/verbatim/internal/archive"
)

// settingsReply is GET /indexes/{uid}/settings as Meilisearch 1.53
// answers it for an index that has our settings: every setting, the
// sortable and filterable attributes sorted.
// https://www.meilisearch.com/docs/reference/api/settings#get-settings
func settingsReply(maxTotalHits int) string {
	return `{
		"displayedAttributes": ["*"],
		"searchableAttributes": ["win_en", "win_fr", "win_es", "win_de", "win_other"],
		"filterableAttributes": ["date_num", "event", "kind", "lang", "pos", "recording_id", "speaker", "version"],
		"sortableAttributes": ["date_num", "lang", "recording_id", "start_ms", "version"],
		"rankingRules": ["words", "typo", "proximity", "attribute", "exactness", "sort"],
		"stopWords": [], "nonSeparatorTokens": [], "separatorTokens": [], "dictionary": [], "synonyms": {},
		"distinctAttribute": null, "proximityPrecision": "byWord",
		"typoTolerance": {"enabled": true, "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
			"disableOnWords": [], "disableOnAttributes": [], "disableOnNumbers": false},
		"faceting": {"maxValuesPerFacet": 100, "sortFacetValuesBy": {"*": "alpha"}},
		"pagination": {"maxTotalHits": ` + itoa(maxTotalHits) + `},
		"embedders": {}, "searchCutoffMs": null,
		"localizedAttributes": [
			{"attributePatterns": ["win_en"], "locales": ["eng"]},
			{"attributePatterns": ["win_fr"], "locales": ["fra"]},
			{"attributePatterns": ["win_es"], "locales": ["spa"]},
			{"attributePatterns": ["win_de"], "locales": ["deu"]}
		],
		"facetSearch": true, "prefixSearch": "indexingTime"
	}`
}

// settingsBody is the PATCH the adapter sends: the full settings.
const settingsBody = `{
	"rankingRules": ["words", "typo", "proximity", "attribute", "exactness", "sort"],
	"searchableAttributes": ["win_en", "win_fr", "win_es", "win_de", "win_other"],
	"filterableAttributes": ["recording_id", "lang", "speaker", "event", "date_num", "kind", "pos", "version"],
	"sortableAttributes": ["date_num", "start_ms", "recording_id", "lang", "version"],
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
	"pagination": {"maxTotalHits": 100000}
}`

// indexReply is GET /indexes/{uid}.
// https://www.meilisearch.com/docs/reference/api/indexes#get-one-index
func indexReply(primaryKey string) string {
	pk := "null"
	if primaryKey != "" {
		pk = `"` + primaryKey + `"`
	}
	return `{"uid": "verbatim", "createdAt": "2026-11-26T21:00:00Z", "updatedAt": "2026-11-26T21:00:00Z", "primaryKey": ` + pk + `}`
}

// keysForbidden is GET /keys with a key that may not list keys.
// https://www.meilisearch.com/docs/reference/errors/error_codes#invalid_api_key
const keysForbidden = `{"message": "The provided API key is invalid.", "code": "invalid_api_key", "type": "auth", "link": "https://docs.meilisearch.com/errors#invalid_api_key"}`

var keysCheck = exchange{method: "GET", path: "/keys?limit=1", status: http.StatusForbidden, reply: keysForbidden}

// openExchanges are Open's requests on an index that is already set up:
// read it and its settings, queue nothing.
func openExchanges() []exchange {
	return []exchange{
		keysCheck,
		{method: "GET", path: "/indexes/verbatim", status: http.StatusOK, reply: indexReply("id")},
		{method: "GET", path: "/indexes/verbatim/settings", status: http.StatusOK, reply: settingsReply(100000)},
	}
}

func openScripted(t *testing.T, more ...exchange) *Index {
	t.Helper()
	srv := newScript(t, "Bearer secret", append(openExchanges(), more...)...)
	x, err := Open(context.Background(), Config{URL: srv.URL, APIKey: "secret", Index: "verbatim", PollInterval: time.Millisecond})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

// A restart against an index that has the settings queues no task.
func TestOpenExistingIndexQueuesNothing(t *testing.T) {
	x := openScripted(t, exchange{method: "GET", path: "/health", status: http.StatusOK, reply: `{"status":"available"}`})
	if err := x.Ping(context.Background()); err != nil {
		t.Errorf("Ping = %v; want nil", err)
	}
}

var notFound = `{"message": "Index ` + "`verbatim`" + ` not found.", "code": "index_not_found", "type": "invalid_request", "link": "https://docs.meilisearch.com/errors#index_not_found"}`

var healthy = exchange{method: "GET", path: "/health", status: http.StatusOK, reply: `{"status":"available"}`}

// A new index is created with its primary key and settings, and Open
// returns without waiting: readiness (Ping) reports the queued tasks
// until Meilisearch has applied them.
func TestOpenCreatesIndexWithoutWaiting(t *testing.T) {
	srv := newScript(t, "",
		exchange{method: "GET", path: "/indexes/verbatim", status: http.StatusNotFound, reply: notFound},
		exchange{method: "POST", path: "/indexes", body: `{"uid":"verbatim","primaryKey":"id"}`, status: http.StatusAccepted, reply: enqueued(1)},
		exchange{method: "PATCH", path: "/indexes/verbatim/settings", body: settingsBody, status: http.StatusAccepted, reply: enqueued(2)},
		healthy,
		exchange{method: "GET", path: "/tasks/1", status: http.StatusOK, reply: task(1, "enqueued", nil)},
		healthy,
		exchange{method: "GET", path: "/tasks/1", status: http.StatusOK, reply: task(1, "succeeded", nil)},
		exchange{method: "GET", path: "/tasks/2", status: http.StatusOK, reply: task(2, "processing", nil)},
		healthy,
		exchange{method: "GET", path: "/tasks/2", status: http.StatusOK, reply: task(2, "succeeded", nil)},
		healthy,
	)
	x, err := Open(context.Background(), Config{URL: srv.URL, Index: "verbatim", PollInterval: time.Millisecond})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer x.Close()
	ctx := context.Background()
	for i, want := range []string{"task 1 is enqueued", "task 2 is processing", "", ""} {
		err := x.Ping(ctx)
		switch {
		case want == "" && err != nil:
			t.Errorf("Ping %d = %v; want nil", i+1, err)
		case want != "" && (!errors.Is(err, archive.ErrUnavailable) || !strings.Contains(fmt.Sprint(err), want)):
			t.Errorf("Ping %d = %v; want archive.ErrUnavailable naming %q", i+1, err, want)
		}
	}
}

// Settings that differ (an upgrade) are queued once; a settings task
// already in the queue is adopted instead of queueing another.
func TestOpenUpdatesDifferingSettings(t *testing.T) {
	tasksQuery := "/tasks?indexUids=verbatim&limit=1&statuses=enqueued%2Cprocessing&types=settingsUpdate"
	for _, c := range []struct {
		name   string
		queued string
		then   []exchange
		wantID string
	}{
		{"none queued", `{"results": [], "total": 0, "limit": 1, "from": null, "next": null}`,
			[]exchange{{method: "PATCH", path: "/indexes/verbatim/settings", body: settingsBody, status: http.StatusAccepted, reply: enqueued(7)}}, "/tasks/7"},
		{"one queued", `{"results": [` + task(5, "enqueued", nil) + `], "total": 1, "limit": 1, "from": 5, "next": null}`, nil, "/tasks/5"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ex := []exchange{
				{method: "GET", path: "/indexes/verbatim", status: http.StatusOK, reply: indexReply("id")},
				{method: "GET", path: "/indexes/verbatim/settings", status: http.StatusOK, reply: settingsReply(1000)},
				{method: "GET", path: tasksQuery, status: http.StatusOK, reply: c.queued},
			}
			ex = append(ex, c.then...)
			ex = append(ex, healthy, exchange{method: "GET", path: c.wantID, status: http.StatusOK, reply: task(5, "enqueued", nil)})
			srv := newScript(t, "", ex...)
			x, err := Open(context.Background(), Config{URL: srv.URL, Index: "verbatim", PollInterval: time.Millisecond})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer x.Close()
			if err := x.Ping(context.Background()); !errors.Is(err, archive.ErrUnavailable) {
				t.Errorf("Ping with the settings queued = %v; want archive.ErrUnavailable", err)
			}
		})
	}
}

// An index without a primary key gets "id"; one with another key (not
// made by verbatim) is refused rather than written into.
func TestOpenPrimaryKey(t *testing.T) {
	srv := newScript(t, "",
		exchange{method: "GET", path: "/indexes/verbatim", status: http.StatusOK, reply: indexReply("")},
		exchange{method: "PATCH", path: "/indexes/verbatim", body: `{"primaryKey":"id"}`, status: http.StatusAccepted, reply: enqueued(3)},
		exchange{method: "GET", path: "/indexes/verbatim/settings", status: http.StatusOK, reply: settingsReply(100000)},
		exchange{method: "GET", path: "/indexes/verbatim", status: http.StatusOK, reply: indexReply("recording_id")},
	)
	x, err := Open(context.Background(), Config{URL: srv.URL, Index: "verbatim", PollInterval: time.Millisecond})
	if err != nil {
		t.Fatalf("Open without a primary key: %v", err)
	}
	x.Close()
	_, err = Open(context.Background(), Config{URL: srv.URL, Index: "verbatim", PollInterval: time.Millisecond})
	if !errors.Is(err, archive.ErrInvalid) || !strings.Contains(err.Error(), `"recording_id"`) {
		t.Errorf("Open on an index keyed by recording_id = %v; want archive.ErrInvalid naming the key", err)
	}
}

// The server warns at start when its key can list API keys (the master
// key), and not when it cannot.
func TestMasterKeyWarning(t *testing.T) {
	keys := `{"results": [{"name": "Default Admin API Key", "description": "", "key": "k", "uid": "u", "actions": ["*"], "indexes": ["*"], "expiresAt": null, "createdAt": "2026-11-26T21:00:00Z", "updatedAt": "2026-11-26T21:00:00Z"}], "offset": 0, "limit": 1, "total": 3}`
	for _, c := range []struct {
		status int
		reply  string
		warn   bool
	}{{http.StatusOK, keys, true}, {http.StatusForbidden, keysForbidden, false}} {
		ex := openExchanges()
		ex[0] = exchange{method: "GET", path: "/keys?limit=1", status: c.status, reply: c.reply}
		srv := newScript(t, "Bearer secret", ex...)
		var log bytes.Buffer
		x, err := Open(context.Background(), Config{URL: srv.URL, APIKey: "secret", Index: "verbatim", Log: slog.New(slog.NewTextHandler(&log, nil))})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		x.Close()
		if got := strings.Contains(log.String(), "master key"); got != c.warn {
			t.Errorf("GET /keys %d: warned = %v (log %q); want %v", c.status, got, log.String(), c.warn)
		}
	}
}

// A failed task comes back from the SDK with a nil error: the adapter
// must read its status, and readiness names the task's message.
func TestFailedTaskIsAnError(t *testing.T) {
	broken := map[string]string{"message": "No space left on device.", "code": "no_space_left_on_device", "type": "system"}
	srv := newScript(t, "",
		exchange{method: "GET", path: "/indexes/verbatim", status: http.StatusNotFound, reply: notFound},
		exchange{method: "POST", path: "/indexes", body: `{"uid":"verbatim","primaryKey":"id"}`, status: http.StatusAccepted, reply: enqueued(1)},
		exchange{method: "PATCH", path: "/indexes/verbatim/settings", body: settingsBody, status: http.StatusAccepted, reply: enqueued(2)},
		healthy,
		exchange{method: "GET", path: "/tasks/1", status: http.StatusOK, reply: task(1, "failed", broken)})
	x, err := Open(context.Background(), Config{URL: srv.URL, Index: "verbatim", PollInterval: time.Millisecond})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer x.Close()
	err = x.Ping(context.Background())
	if !errors.Is(err, archive.ErrUnavailable) || !strings.Contains(err.Error(), "No space left on device.") {
		t.Errorf("Ping with a failed task = %v; want archive.ErrUnavailable with the task's message", err)
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

// newestReply answers the placeholder search for a recording's newest
// version.
func newestReply(version int) string {
	hits := "[]"
	if version >= 0 {
		hits = `[{"version": ` + itoa(version) + `}]`
	}
	return `{"hits": ` + hits + `, "query": "", "processingTimeMs": 0, "limit": 1, "offset": 0, "estimatedTotalHits": 1}`
}

func newestExchange(rec string, version int) exchange {
	return exchange{method: "POST", path: "/indexes/verbatim/search", status: http.StatusOK, reply: newestReply(version),
		body: `{"q": "", "filter": "recording_id = \"` + rec + `\"", "sort": ["version:desc"], "limit": 1, "attributesToRetrieve": ["version"], "hybrid": null}`}
}

// Put adds every document (in batches, the primary key named), reads the
// newest version the index holds, and deletes older versions and this
// version's leftovers by filter.
// https://www.meilisearch.com/docs/reference/api/documents#add-or-replace-documents
// https://www.meilisearch.com/docs/reference/api/documents#delete-documents-by-filter
func TestPutSendsDocuments(t *testing.T) {
	var ex []exchange
	ex = append(ex, write("POST", "/indexes/verbatim/documents?primaryKey=id", `[
		{"id": "hrc_7_0", "recording_id": "hrc", "pos": 0, "version": 7, "title": "Side event", "event": "HRC 59",
		 "date": "2025-06-20", "date_num": 20250620, "lang": "de-AT", "kind": "interpretation", "source": "human",
		 "seq": 4, "start_ms": 4000, "end_ms": 7500, "speaker": "Ana Ruiz",
		 "text": "Das Palermo-Protokoll war ein Meilenstein für den",
		 "win_de": "Das Palermo-Protokoll war ein Meilenstein für den Schutz der Opfer."},
		{"id": "hrc_7_1", "recording_id": "hrc", "pos": 1, "version": 7, "title": "Side event", "event": "HRC 59",
		 "date": "2025-06-20", "date_num": 20250620, "lang": "pt", "kind": "interpretation", "source": "human",
		 "seq": 5, "start_ms": 9000, "end_ms": 12500, "speaker": "",
		 "text": "Schutz der Opfer.", "win_other": "Schutz der Opfer."}
	]`, 3)...)
	ex = append(ex, newestExchange("hrc", 7))
	ex = append(ex, write("POST", "/indexes/verbatim/documents/delete", `{"filter":"recording_id = \"hrc\" AND (version < 7 OR version NOT EXISTS OR pos >= 2)"}`, 4)...)
	x := openScripted(t, ex...)
	base := archive.CueDoc{RecordingID: "hrc", Title: "Side event", Event: "HRC 59", Date: "2025-06-20",
		Kind: archive.KindInterpretation, Source: archive.SourceHuman, Version: 7}
	a, b := base, base
	a.Lang, a.Seq, a.StartMS, a.EndMS, a.Speaker = "de-AT", 4, 4000, 7500, "Ana Ruiz"
	a.Text, a.Next = "Das Palermo-Protokoll war ein Meilenstein für den", "Schutz der Opfer."
	b.Lang, b.Seq, b.StartMS, b.EndMS, b.Text = "pt", 5, 9000, 12500, "Schutz der Opfer."
	if err := x.Put(context.Background(), "hrc", []archive.CueDoc{a, b}); err != nil {
		t.Errorf("Put: %v", err)
	}
}

// Two servers write versions 5 and 7 of a recording; the one writing 5
// finishes last. Its documents went in under their own ids (no version-7
// document was overwritten), and its delete removes every version below
// the newest the index holds: its own.
func TestPutOlderVersionYieldsToNewer(t *testing.T) {
	var ex []exchange
	ex = append(ex, write("POST", "/indexes/verbatim/documents?primaryKey=id", `[
		{"id": "r_5_0", "recording_id": "r", "pos": 0, "version": 5, "title": "", "event": "", "date": "", "date_num": 0,
		 "lang": "en", "kind": "", "source": "", "seq": 0, "start_ms": 0, "end_ms": 1000, "speaker": "", "text": "old", "win_en": "old"}
	]`, 3)...)
	ex = append(ex, newestExchange("r", 7))
	ex = append(ex, write("POST", "/indexes/verbatim/documents/delete", `{"filter":"recording_id = \"r\" AND (version < 7 OR version NOT EXISTS)"}`, 4)...)
	x := openScripted(t, ex...)
	if err := x.Put(context.Background(), "r", []archive.CueDoc{{RecordingID: "r", Lang: "en", EndMS: 1000, Text: "old", Version: 5}}); err != nil {
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
	err = x.Put(context.Background(), "a", []archive.CueDoc{{RecordingID: "a", Version: 1}, {RecordingID: "a", Version: 2}})
	if !errors.Is(err, archive.ErrInvalid) {
		t.Errorf("Put(a, [v1, v2]) = %v; want archive.ErrInvalid", err)
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
	srv := newScript(t, "", openExchanges()[1:]...)
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
		{`Palermo -victims -"human beings" --x`, `Palermo victims "human beings" x`},
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
		"attributesToRetrieve": ["recording_id", "version", "title", "event", "date", "lang", "kind", "start_ms", "end_ms", "speaker", "text",
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
			Match:     archive.MatchExact,
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
		"attributesToRetrieve": ["recording_id", "version", "title", "event", "date", "lang", "kind", "start_ms", "end_ms", "speaker", "text",
			"win_en", "win_fr", "win_es", "win_de", "win_other"],
		"sort": ["date_num:desc", "start_ms:asc", "recording_id:asc", "lang:asc"],
		"showMatchesPosition": true, "showRankingScore": true, "matchingStrategy": "all", "hybrid": null}`})
	_, err := x.Search(context.Background(), archive.SearchQuery{Text: "x"})
	if !errors.Is(err, archive.ErrUnavailable) {
		t.Errorf("Search with a failing server = %v; want archive.ErrUnavailable", err)
	}
}

// searchRequest is the body of a search for q with no filter.
func searchRequest(q string, hitsPerPage int) string {
	return `{"q": ` + strconvQuote(q) + `, "page": 1, "hitsPerPage": ` + itoa(hitsPerPage) + `,
		"attributesToRetrieve": ["recording_id", "version", "title", "event", "date", "lang", "kind", "start_ms", "end_ms", "speaker", "text",
			"win_en", "win_fr", "win_es", "win_de", "win_other"],
		"sort": ["date_num:desc", "start_ms:asc", "recording_id:asc", "lang:asc"],
		"showMatchesPosition": true, "showRankingScore": true, "matchingStrategy": "all", "hybrid": null}`
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

// realHit is one hit as Meilisearch answers it, its match spans found in
// the window as Meilisearch reports them (see hitDoc): each phrase one
// span from its first word to its last, separators included; a prefix
// match the typed prefix; a typo match the whole document word.
func realHit(t *testing.T, rec string, version int, startMS int, speaker, text, next string, spans ...string) map[string]any {
	t.Helper()
	win := text
	if next != "" {
		win += " " + next
	}
	var pos []map[string]int
	for _, sp := range spans {
		i := strings.Index(win, sp)
		if i < 0 {
			t.Fatalf("span %q not in %q", sp, win)
		}
		pos = append(pos, map[string]int{"start": i, "length": len(sp)})
	}
	return map[string]any{
		"recording_id": rec, "version": version, "title": "T", "event": "E", "date": "2025-06-20", "lang": "en",
		"kind": "original", "start_ms": startMS, "end_ms": startMS + 1000, "speaker": speaker, "text": text, "win_en": win,
		"_rankingScore": 0.9, "_matchesPosition": map[string]any{"win_en": pos},
	}
}

func searchReply(t *testing.T, q string, totalHits, hitsPerPage int, hits ...map[string]any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"hits": hits, "query": q, "processingTimeMs": 3, "hitsPerPage": hitsPerPage, "page": 1,
		"totalPages": (totalHits + hitsPerPage - 1) / hitsPerPage, "totalHits": totalHits,
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A phrase spoken across two cues comes back as one span running from
// "milestone" in the first cue's text into the next cue's; the hit is the
// first cue, its words marked one by one up to the cue's end. The second
// cue's window holds the phrase's tail only: no match, so no hit. A
// prefix span marks the prefix, a typo span the whole word.
func TestSearchRealShapedSpans(t *testing.T) {
	const first = "The Palermo Protocol was a milestone for the"
	const second = "protection of victims across borders."
	phrase := `"milestone for the protection of victims"`
	x := openScripted(t,
		exchange{method: "POST", path: "/indexes/verbatim/search", status: http.StatusOK, body: searchRequest(phrase, 1000),
			reply: searchReply(t, phrase, 1, 1000, realHit(t, "hrc", 1, 4000, "Ana", first, second, "milestone for the protection of victims"))},
		exchange{method: "POST", path: "/indexes/verbatim/search", status: http.StatusOK, body: searchRequest("Palermo milest", 1000),
			reply: searchReply(t, "Palermo milest", 1, 1000, realHit(t, "hrc", 1, 4000, "Ana", first, second, "Palermo", "milest"))},
		exchange{method: "POST", path: "/indexes/verbatim/search", status: http.StatusOK, body: searchRequest("protecton", 1000),
			reply: searchReply(t, "protecton", 2, 1000,
				realHit(t, "hrc", 1, 4000, "Ana", first, second, "protection"),
				realHit(t, "hrc", 1, 9000, "Ana", second, "", "protection"))},
	)
	ctx := context.Background()
	for _, c := range []struct {
		q    string
		want []string // highlights, in order
	}{
		{phrase, []string{"The Palermo Protocol was a <mark>milestone</mark> <mark>for</mark> <mark>the</mark>"}},
		{"Palermo milest", []string{"The <mark>Palermo</mark> Protocol was a <mark>milest</mark>one for the"}},
		{"protecton", []string{`<mark class="near">protection</mark> of victims across borders.`}},
	} {
		res, err := x.Search(ctx, archive.SearchQuery{Text: c.q})
		if err != nil {
			t.Fatalf("Search(%s): %v", c.q, err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.Highlight)
		}
		if diff := cmp.Diff(c.want, got); diff != "" || res.Total != len(c.want) || res.TotalIsLowerBound {
			t.Errorf("Search(%s): total %d (lower bound %v), highlights (-want +got):\n%s", c.q, res.Total, res.TotalIsLowerBound, diff)
		}
	}
}

// TestSearchNearSpellings: Meilisearch ranks typo matches after exact
// ones; the adapter labels them from the match spans (a typo span is the
// whole document word, unlike any query word), names the word matched,
// and names a query word that nothing matched as spelt as corrected.
func TestSearchNearSpellings(t *testing.T) {
	x := openScripted(t,
		exchange{method: "POST", path: "/indexes/verbatim/search", status: http.StatusOK, body: searchRequest("heard", 1000),
			reply: searchReply(t, "heard", 2, 1000,
				realHit(t, "hrc", 1, 13000, "Jo", "Survivors must be heard.", "", "heard"),
				realHit(t, "brief", 1, 2000, "", "A herd of reporters.", "", "herd"))},
		exchange{method: "POST", path: "/indexes/verbatim/search", status: http.StatusOK, body: searchRequest("trafficing networks", 1000),
			reply: searchReply(t, "trafficing networks", 2, 1000,
				realHit(t, "istac", 1, 4000, "Maria", "Against Trafficking networks.", "", "Trafficking", "networks"),
				realHit(t, "istac", 1, 8000, "Maria", "Networks", "of trafficking", "Networks", "trafficking"))},
		exchange{method: "POST", path: "/indexes/verbatim/search", status: http.StatusOK, body: searchRequest("Überleb", 1000),
			reply: searchReply(t, "Überleb", 1, 1000, realHit(t, "istac", 1, 0, "Maria", "Uberlebende", "", "Uberleb"))},
	)
	ctx := context.Background()
	type view struct {
		HL    string
		Match archive.Match
		Near  []archive.Spelling
	}
	for _, c := range []struct {
		q           string
		want        []view
		corrections []archive.Spelling
	}{
		{"heard", []view{
			{"Survivors must be <mark>heard</mark>.", archive.MatchExact, nil},
			{`A <mark class="near">herd</mark> of reporters.`, archive.MatchNear, []archive.Spelling{{Query: "heard", Matched: "herd"}}},
		}, nil},
		// The second hit's near spelling is in its next cue: named from
		// the window, not marked.
		{"trafficing networks", []view{
			{`Against <mark class="near">Trafficking</mark> <mark>networks</mark>.`, archive.MatchNear, []archive.Spelling{{Query: "trafficing", Matched: "trafficking"}}},
			{"<mark>Networks</mark>", archive.MatchNear, []archive.Spelling{{Query: "trafficing", Matched: "trafficking"}}},
		}, []archive.Spelling{{Query: "trafficing", Matched: "trafficking"}}},
		// Accents fold: a prefix without the umlaut is exact.
		{"Überleb", []view{{"<mark>Uberleb</mark>ende", archive.MatchExact, nil}}, nil},
	} {
		res, err := x.Search(ctx, archive.SearchQuery{Text: c.q})
		if err != nil {
			t.Fatalf("Search(%s): %v", c.q, err)
		}
		var got []view
		for _, h := range res.Hits {
			got = append(got, view{h.Highlight, h.Match, h.NearSpellings})
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("Search(%s) hits (-want +got):\n%s", c.q, diff)
		}
		if diff := cmp.Diff(c.corrections, res.Corrections); diff != "" {
			t.Errorf("Search(%s).Corrections (-want +got):\n%s", c.q, diff)
		}
	}
}

// manyHits is n candidates of one recording: every third one matches
// only in its next cue (a duplicate dropped by the scan).
func manyHits(t *testing.T, n int) []map[string]any {
	hits := make([]map[string]any, n)
	for i := range hits {
		if i%3 == 2 {
			hits[i] = realHit(t, "big", 1, i*1000, "Ana", "nothing here", "trafficking", "trafficking")
		} else {
			hits[i] = realHit(t, "big", 1, i*1000, "Ana", "trafficking again", "", "trafficking")
		}
	}
	return hits
}

// Totals: within the scan (MaxHits candidates) they are exact, above a
// thousand too when MaxHits allows; past the scan the total is the hits
// found, flagged as a lower bound, and pages end with the scan.
func TestSearchTotalsBeyondAThousand(t *testing.T) {
	all := manyHits(t, 2400) // 1600 true hits
	x := openScripted(t,
		exchange{method: "POST", path: "/indexes/verbatim/search", status: http.StatusOK, body: searchRequest("trafficking", 1000),
			reply: searchReply(t, "trafficking", 2400, 1000, all[:1000]...)},
	)
	res, err := x.Search(context.Background(), archive.SearchQuery{Text: "trafficking", Page: 34, PerPage: 20})
	if err != nil {
		t.Fatal(err)
	}
	// 1000 candidates scanned: 667 true hits; page 34 holds hits 661-667.
	if res.Total != 667 || !res.TotalIsLowerBound || len(res.Hits) != 7 || res.Facets.Speaker["Ana"] != 667 {
		t.Errorf("past the scan: total %d lower bound %v, %d hits on page 34, facet %v; want 667, true, 7, 667",
			res.Total, res.TotalIsLowerBound, len(res.Hits), res.Facets.Speaker)
	}

	srv := newScript(t, "", append(openExchanges()[1:],
		exchange{method: "POST", path: "/indexes/verbatim/search", status: http.StatusOK, body: searchRequest("trafficking", 3000),
			reply: searchReply(t, "trafficking", 2400, 3000, all...)})...)
	big, err := Open(context.Background(), Config{URL: srv.URL, Index: "verbatim", MaxHits: 3000})
	if err != nil {
		t.Fatal(err)
	}
	defer big.Close()
	res, err = big.Search(context.Background(), archive.SearchQuery{Text: "trafficking", Page: 80, PerPage: 20})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1600 || res.TotalIsLowerBound || len(res.Hits) != 20 || res.Facets.Lang["en"] != 1600 {
		t.Errorf("within the scan: total %d lower bound %v, %d hits on page 80, facet %v; want 1600, false, 20, 1600",
			res.Total, res.TotalIsLowerBound, len(res.Hits), res.Facets.Lang)
	}
}

// While a Put of a newer version is between its add and its delete, a
// search meets both versions: only the newest counts.
func TestSearchKeepsNewestVersion(t *testing.T) {
	x := openScripted(t,
		exchange{method: "POST", path: "/indexes/verbatim/search", status: http.StatusOK, body: searchRequest("victims", 1000),
			reply: searchReply(t, "victims", 3, 1000,
				realHit(t, "r", 2, 1000, "Ana", "victims first", "", "victims"),
				realHit(t, "r", 3, 1000, "Ana", "victims, first", "", "victims"),
				realHit(t, "s", 1, 1000, "Jo", "victims elsewhere", "", "victims"))},
	)
	res, err := x.Search(context.Background(), archive.SearchQuery{Text: "victims"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, h.RecordingID+": "+h.Text)
	}
	if diff := cmp.Diff([]string{"r: victims, first", "s: victims elsewhere"}, got); diff != "" || res.Total != 2 {
		t.Errorf("total %d, hits (-want +got):\n%s", res.Total, diff)
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

// Rebuild fills a fresh index in one large batch (queued, awaited once),
// swaps it with the live one and deletes the old documents' index.
// https://www.meilisearch.com/docs/reference/api/indexes#swap-indexes
func TestRebuildSwaps(t *testing.T) {
	const fresh = "verbatim_rebuild_1"
	doc := func(rec string, pos int, text string) string {
		return `{"id": "` + rec + `_3_` + itoa(pos) + `", "recording_id": "` + rec + `", "pos": ` + itoa(pos) + `, "version": 3,
			"title": "", "event": "", "date": "", "date_num": 0, "lang": "en", "kind": "", "source": "", "seq": ` + itoa(pos) + `,
			"start_ms": 0, "end_ms": 0, "speaker": "", "text": "` + text + `", "win_en": "` + text + `"}`
	}
	x := openScripted(t,
		exchange{method: "POST", path: "/indexes", body: `{"uid":"` + fresh + `","primaryKey":"id"}`, status: http.StatusAccepted, reply: enqueued(10)},
		exchange{method: "PATCH", path: "/indexes/" + fresh + "/settings", body: settingsBody, status: http.StatusAccepted, reply: enqueued(11)},
		exchange{method: "POST", path: "/indexes/" + fresh + "/documents?primaryKey=id", status: http.StatusAccepted, reply: enqueued(12),
			body: `[` + doc("a", 0, "one") + `,` + doc("a", 1, "two") + `,` + doc("b", 0, "three") + `]`},
		exchange{method: "GET", path: "/tasks/12", status: http.StatusOK, reply: task(12, "processing", nil)},
		exchange{method: "GET", path: "/tasks?limit=1&statuses=succeeded%2Cfailed%2Ccanceled&uids=10%2C11%2C12", status: http.StatusOK,
			reply: `{"results": [` + task(10, "succeeded", nil) + `], "total": 2, "limit": 1, "from": 11, "next": 10}`},
		exchange{method: "GET", path: "/tasks/12", status: http.StatusOK, reply: task(12, "succeeded", nil)},
		exchange{method: "GET", path: "/tasks?limit=1&statuses=failed%2Ccanceled&uids=10%2C11%2C12", status: http.StatusOK,
			reply: `{"results": [], "total": 0, "limit": 1, "from": null, "next": null}`},
		exchange{method: "POST", path: "/swap-indexes", body: `[{"indexes": ["verbatim", "` + fresh + `"], "rename": false}]`, status: http.StatusAccepted, reply: enqueued(13)},
		exchange{method: "GET", path: "/tasks/13", status: http.StatusOK, reply: task(13, "succeeded", nil)},
		exchange{method: "DELETE", path: "/indexes/" + fresh, status: http.StatusAccepted, reply: enqueued(14)},
		exchange{method: "GET", path: "/tasks/14", status: http.StatusOK, reply: task(14, "succeeded", nil)},
	)
	x.freshUID = func() string { return fresh }
	var progress []RebuildProgress
	err := x.Rebuild(context.Background(), func(ctx context.Context, into *Index) error {
		if err := into.Put(ctx, "a", []archive.CueDoc{{RecordingID: "a", Lang: "en", Text: "one", Version: 3}, {RecordingID: "a", Lang: "en", Seq: 1, Text: "two", Version: 3}}); err != nil {
			return err
		}
		if err := into.Delete(ctx, "gone"); err != nil { // nothing to delete in a fresh index
			return err
		}
		return into.Put(ctx, "b", []archive.CueDoc{{RecordingID: "b", Lang: "en", Text: "three", Version: 3}})
	}, func(p RebuildProgress) { progress = append(progress, p) })
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	want := []RebuildProgress{{Documents: 3, TasksDone: 2, TasksQueued: 3}, {Documents: 3, TasksDone: 3, TasksQueued: 3}}
	if diff := cmp.Diff(want, progress); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
}

// A failed indexing task fails the rebuild: the fresh index is deleted,
// the live one is never swapped.
func TestRebuildFailureKeepsLive(t *testing.T) {
	const fresh = "verbatim_rebuild_2"
	bad := map[string]string{"message": "Document identifier `a b` is invalid.", "code": "invalid_document_id", "type": "invalid_request"}
	x := openScripted(t,
		exchange{method: "POST", path: "/indexes", body: `{"uid":"` + fresh + `","primaryKey":"id"}`, status: http.StatusAccepted, reply: enqueued(10)},
		exchange{method: "PATCH", path: "/indexes/" + fresh + "/settings", body: settingsBody, status: http.StatusAccepted, reply: enqueued(11)},
		exchange{method: "GET", path: "/tasks/11", status: http.StatusOK, reply: task(11, "failed", bad)},
		exchange{method: "GET", path: "/tasks?limit=1&statuses=failed%2Ccanceled&uids=10%2C11", status: http.StatusOK,
			reply: `{"results": [` + task(11, "failed", bad) + `], "total": 1, "limit": 1, "from": 11, "next": null}`},
		exchange{method: "DELETE", path: "/indexes/" + fresh, status: http.StatusAccepted, reply: enqueued(14)},
		exchange{method: "GET", path: "/tasks/14", status: http.StatusOK, reply: task(14, "succeeded", nil)},
	)
	x.freshUID = func() string { return fresh }
	err := x.Rebuild(context.Background(), func(ctx context.Context, into *Index) error { return nil }, nil)
	if !errors.Is(err, archive.ErrUnavailable) || !strings.Contains(err.Error(), "invalid_document_id") {
		t.Errorf("Rebuild with a failed task = %v; want archive.ErrUnavailable naming the failure", err)
	}
}

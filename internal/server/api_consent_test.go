package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Switching a speaker from named to hidden takes their words out of search
// as part of the PATCH itself: the request that changes the setting
// returns only once the index entries are re-derived (real Service, real
// bleve index).
func TestHideSpeakerLeavesSearchAtOnce(t *testing.T) {
	ts := newTestServer(t, nil)
	resp := ts.do(t, "POST", "/api/v1/recordings", ts.token, map[string]any{"id": "r", "title": "T", "status": "published",
		"speakers": []map[string]any{{"name": "Bob"}, {"name": "Carol Witness"}}})
	wantStatus(t, resp, http.StatusCreated)
	vtt := "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Bob>Opening remarks.</v> <v Carol Witness>the harbour warehouse</v>\n\n00:00:03.000 --> 00:00:04.000\n<v Carol Witness>a lighthouse keeper</v>\n"
	wantStatus(t, ts.do(t, "PUT", "/api/v1/recordings/r/tracks/en?name=en.vtt", ts.token, vtt, "Content-Type", "text/vtt"), http.StatusCreated)
	search := func(q string) int {
		return decode[struct{ Total int }](t, ts.do(t, "GET", "/api/v1/search?q="+q, "", nil)).Total
	}
	if search("warehouse") == 0 || search("lighthouse") == 0 {
		t.Fatal("Carol's words are not found while she is named: the test would prove nothing")
	}
	get := ts.do(t, "GET", "/api/v1/recordings/r", ts.token, nil)
	rec := decode[archive.Recording](t, get)
	for i := range rec.Speakers {
		if rec.Speakers[i].Name == "Carol Witness" {
			rec.Speakers[i].Visibility = archive.VisibilityHidden
		}
	}
	start := time.Now()
	wantStatus(t, ts.do(t, "PATCH", "/api/v1/recordings/r", ts.token, map[string]any{"speakers": rec.Speakers}, "If-Match", get.Header.Get("ETag")), http.StatusOK)
	// No waiting: the very next search must not find her.
	for _, q := range []string{"warehouse", "lighthouse", "harbour", "Carol", "Witness"} {
		if n := search(q); n != 0 {
			t.Errorf("search %q right after hiding her finds %d hits; want 0", q, n)
		}
	}
	t.Logf("hidden and out of search %v after the PATCH was sent", time.Since(start))
	if search("Opening") == 0 {
		t.Error("Bob's words left search with hers")
	}
}

func TestConsentPatchErrors(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "r")
	for _, tc := range []struct {
		body map[string]any
		want string
	}{
		{map[string]any{"embargo_until": "next week"}, "embargo_until"},
		{map[string]any{"redactions": []map[string]any{{"start_ms": 10, "end_ms": 5}}}, "redaction 1"},
		{map[string]any{"redactions": []map[string]any{{"text": "x", "start_ms": 1, "end_ms": 2}}}, "not both"},
		{map[string]any{"speakers": []map[string]any{{"name": "A", "aliases": []string{""}}}}, "alias"},
		{map[string]any{"speakers": []map[string]any{{"name": "A", "embargo_until": "2027-13-01T00:00:00Z"}}}, "embargo_until"},
		{map[string]any{"sensitive": "yes"}, "sensitive"},
	} {
		get := ts.do(t, "GET", "/api/v1/recordings/r", ts.token, nil)
		resp := ts.do(t, "PATCH", "/api/v1/recordings/r", ts.token, tc.body, "If-Match", get.Header.Get("ETag"))
		body := string(readAll(t, resp))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("PATCH %v = %d %s; want 400 naming %q", tc.body, resp.StatusCode, body, tc.want)
		}
	}
}

// A new label on a recording with a hidden speaker is held, and the upload
// says so; the recording JSON shows it to the editor.
func TestUploadHoldsNewLabel(t *testing.T) {
	ts := newTestServer(t, nil)
	wantStatus(t, ts.do(t, "POST", "/api/v1/recordings", ts.token, map[string]any{"id": "r", "title": "T", "status": "published",
		"speakers": []map[string]any{{"name": "Maria Lopez", "visibility": "hidden"}}}), http.StatusCreated)
	resp := ts.do(t, "PUT", "/api/v1/recordings/r/tracks/en?name=en.srt", ts.token, "1\n00:00:01,000 --> 00:00:02,000\nMaria: quiet words\n", "Content-Type", "application/x-subrip")
	body := string(readAll(t, resp))
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, `new speaker \"Maria\" is held`) {
		t.Fatalf("upload = %d %s; want a warning that Maria is held", resp.StatusCode, body)
	}
	rec := decode[archive.Recording](t, ts.do(t, "GET", "/api/v1/recordings/r", ts.token, nil))
	if len(rec.Speakers) != 2 || !rec.Speakers[1].Held {
		t.Errorf("editor's recording speakers = %+v; want Maria held", rec.Speakers)
	}
	if b := string(readAll(t, ts.do(t, "GET", "/api/v1/recordings/r/tracks/en.txt", "", nil))); strings.Contains(b, "quiet") {
		t.Errorf("held label's words shown to viewers: %s", b)
	}
	if n := decode[struct{ Total int }](t, ts.do(t, "GET", "/api/v1/search?q=quiet", "", nil)).Total; n != 0 {
		t.Errorf("held label's words in search: %d hits", n)
	}
}

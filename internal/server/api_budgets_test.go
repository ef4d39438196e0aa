package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// TestTrackSpeakerBudgetStatus: a track with 2,082 distinct voice names
// answers 413 naming the count and the limit, and the recording stays
// readable.
func TestTrackSpeakerBudgetStatus(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "voices")
	var b strings.Builder
	b.WriteString("WEBVTT\n\n")
	for i := range 2082 {
		fmt.Fprintf(&b, "00:%02d:%02d.000 --> 00:%02d:%02d.500\n<v %s %d>words\n\n", i/60%60, i%60, i/60%60, i%60, strings.Repeat("Voice", 30), i)
	}
	resp := ts.do(t, "PUT", "/api/v1/recordings/voices/tracks/en", ts.token, b.String(), "Content-Type", "text/vtt")
	wantStatus(t, resp, http.StatusRequestEntityTooLarge)
	e := decode[apiError](t, resp)
	if e.Error.Code != "too_large" || !strings.Contains(e.Error.Message, "the track names 2082 new speakers, which would give the recording 2082; the limit is 200 per recording") {
		t.Errorf("error = %+v; want too_large naming 2082 and 200", e.Error)
	}
	wantStatus(t, ts.do(t, "GET", "/api/v1/recordings/voices", "", nil), http.StatusOK)
}

// TestLegacyOversizeManifestPages: a manifest over the 16 MiB read limit,
// written before the budgets, leaves the home page and the listing
// answering 200 without it; viewers get 404 for it, an editor gets it and
// can delete it.
func TestLegacyOversizeManifestPages(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "fine")
	rec := archive.Recording{ID: "legacy", Title: "Legacy", Status: archive.StatusPublished, Languages: []string{}, Tracks: []archive.Track{}}
	for i := range 2082 {
		rec.Speakers = append(rec.Speakers, archive.Speaker{ID: fmt.Sprintf("v%d", i), Name: strings.Repeat("n", 8500), Visibility: archive.VisibilityNamed})
	}
	data, _ := json.Marshal(rec)
	if _, err := ts.store.Put(context.Background(), "recordings/legacy/manifest.json", bytes.NewReader(data), int64(len(data)), archive.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("legacy manifest: %d bytes", len(data))
	for _, path := range []string{"/", "/api/v1/recordings"} {
		for _, tok := range []string{"", ts.token} {
			resp := ts.do(t, "GET", path, tok, nil, "Accept", "text/html")
			wantStatus(t, resp, http.StatusOK)
			body := readAll(t, resp)
			if !bytes.Contains(body, []byte("fine")) || bytes.Contains(body, []byte("legacy")) {
				t.Errorf("GET %s (editor %v) does not list fine alone", path, tok != "")
			}
		}
	}
	wantStatus(t, ts.do(t, "GET", "/api/v1/recordings/legacy", "", nil), http.StatusNotFound)
	wantStatus(t, ts.do(t, "GET", "/watch/legacy", "", nil), http.StatusNotFound)
	wantStatus(t, ts.do(t, "GET", "/api/v1/recordings/legacy", ts.token, nil), http.StatusOK)
	wantStatus(t, ts.do(t, "DELETE", "/api/v1/recordings/legacy", ts.token, nil), http.StatusNoContent)
	wantStatus(t, ts.do(t, "GET", "/api/v1/recordings/legacy", ts.token, nil), http.StatusNotFound)
}

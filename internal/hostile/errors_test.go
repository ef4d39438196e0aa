package hostile

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
)

// requestID matches the one part of an error that differs per request.
var requestID = regexp.MustCompile(`"request_id":"[^"]*"`)

// leaks are what no client-facing error may contain: storage keys, file
// paths and adapter wording.
func leaks(s *server, body string) []string {
	var found []string
	for _, w := range []string{"recordings/", "manifest.json", "accounts/", ".vtt\"", "disk:", "no such object", "no such file", s.data} {
		if strings.Contains(body, w) {
			found = append(found, w)
		}
	}
	return found
}

// TestNotFoundShape is defect 6: errors told a draft from a missing
// recording (`archive: get leaktest: not found` against `…disk: get
// "recordings/nonexist/manifest.json": no such object`) and showed storage
// paths, on the recording, its tracks and its media; and an anonymous
// track's cue_count counted withheld cues. Now an anonymous viewer gets the
// very same answer for a draft and for nothing (the id aside), no error
// holds a storage key or path, and cue_count counts the cues a viewer gets.
func TestNotFoundShape(t *testing.T) {
	s := start(t)
	s.createRecording("leaktest", "draft")
	if rep := s.putTrack("leaktest", "en", vtt("Ana: a draft sentence")); rep.status >= 300 {
		t.Fatalf("PUT draft track = %d %s", rep.status, rep.body)
	}
	s.must(req{method: http.MethodPut, path: "/api/v1/recordings/leaktest/media?name=clip.webm", body: bytes.NewReader(mediatest.WebM(t, mediatest.Spec{})), editor: true}, http.StatusCreated)

	for _, path := range []string{
		"/api/v1/recordings/%s",
		"/api/v1/recordings/%s/tracks/en",
		"/api/v1/recordings/%s/tracks/en.srt",
		"/api/v1/recordings/%s/tracks/en/source",
		"/media/%s",
		"/watch/%s",
	} {
		want := http.StatusNotFound
		if strings.HasSuffix(path, "/source") {
			want = http.StatusUnauthorized // editors only, whatever the recording
		}
		draft := s.must(req{path: strings.Replace(path, "%s", "leaktest", 1)}, want)
		missing := s.must(req{path: strings.Replace(path, "%s", "nonexist", 1)}, want)
		d := requestID.ReplaceAllString(strings.ReplaceAll(string(draft.body), "leaktest", "ID"), "")
		m := requestID.ReplaceAllString(strings.ReplaceAll(string(missing.body), "nonexist", "ID"), "")
		if d != m {
			t.Errorf("%s: a draft answers\n\t%s\nbut a missing recording\n\t%s\nwant the same", path, short(d), short(m))
		}
		for _, b := range []string{d, m} {
			if l := leaks(s, b); len(l) > 0 {
				t.Errorf("%s: error body holds %q: %s", path, l, short(b))
			}
		}
	}
	// A published recording without that track, or that format.
	for _, path := range []string{
		"/api/v1/recordings/hrc47-side-event/tracks/it",
		"/api/v1/recordings/hrc47-side-event/tracks/it.vtt",
		"/api/v1/recordings/hrc47-side-event/tracks/en.exe",
	} {
		rep := s.must(req{path: path}, http.StatusNotFound)
		if l := leaks(s, string(rep.body)); len(l) > 0 {
			t.Errorf("%s: error body holds %q: %s", path, l, short(string(rep.body)))
		}
	}

	// Withheld cues are not counted for viewers.
	body := `{"id":"withheld","title":"Withheld","status":"published","date":"2026-01-01","speakers":[` +
		`{"id":"ana","name":"Ana","visibility":"named"},{"id":"sv","name":"Survivor","visibility":"hidden"}]}`
	s.must(req{method: http.MethodPost, path: "/api/v1/recordings", body: strings.NewReader(body), editor: true, header: jsonBody}, http.StatusCreated)
	if rep := s.putTrack("withheld", "en", vtt("Ana: one", "Survivor: two", "Survivor: three", "Ana: four")); rep.status >= 300 {
		t.Fatalf("PUT track = %d %s", rep.status, rep.body)
	}
	var tr struct {
		Track struct {
			CueCount int `json:"cue_count"`
		} `json:"track"`
		Cues []json.RawMessage `json:"cues"`
	}
	rep := s.must(req{path: "/api/v1/recordings/withheld/tracks/en"}, http.StatusOK)
	if err := json.Unmarshal(rep.body, &tr); err != nil {
		t.Fatal(err)
	}
	if tr.Track.CueCount != len(tr.Cues) || len(tr.Cues) != 2 {
		t.Errorf("anonymous track: cue_count %d, %d cues; want 2 and 2 (the hidden speaker's are withheld)", tr.Track.CueCount, len(tr.Cues))
	}
	var rec struct {
		Tracks []struct {
			CueCount int `json:"cue_count"`
		} `json:"tracks"`
	}
	rep = s.must(req{path: "/api/v1/recordings/withheld"}, http.StatusOK)
	if err := json.Unmarshal(rep.body, &rec); err != nil || len(rec.Tracks) != 1 {
		t.Fatalf("recording: %v %s", err, rep.body)
	}
	if rec.Tracks[0].CueCount != 2 {
		t.Errorf("anonymous recording: track cue_count %d; want 2", rec.Tracks[0].CueCount)
	}
	if strings.Contains(string(rep.body), "Survivor") {
		t.Errorf("anonymous recording names the hidden speaker: %s", short(string(rep.body)))
	}
	s.alive()
	s.noErrorLogs()
	s.checkPeak(64 * mib)
}

package hostile

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// defaultMaxSpeakers is the speaker budget's default (VERBATIM_MAX_SPEAKERS).
const defaultMaxSpeakers = 200

// voices is a valid WebVTT file with one cue for each of n distinct long
// voice names starting at number from.
func voices(from, n int) []byte {
	var lines []string
	for i := from; i < from+n; i++ {
		lines = append(lines, fmt.Sprintf("Speaker %04d %s: words of speaker %d", i, strings.Repeat("with a long affiliation ", 6), i))
	}
	return vtt(lines...)
}

// TestManySpeakers is defect 4: an editor could make the whole archive
// unreadable: two valid tracks with 2,082 distinct long voice names each
// grew the manifest to 25.8 MB, past its read limit, and then /, the
// recordings list, GET and DELETE of that recording answered 500 and
// reindex aborted. Now what would take a recording over the speaker budget
// is refused with a 4xx naming the speakers, and the archive stays
// readable: pages, list, the recording, its deletion and reindex.
func TestManySpeakers(t *testing.T) {
	s := start(t)
	s.createRecording("voices", "published")
	half := defaultMaxSpeakers*3/4 + 1
	if rep := s.putTrack("voices", "en", voices(0, half)); rep.status >= 300 {
		t.Fatalf("PUT a track with %d voices = %d %s; want it accepted", half, rep.status, short(string(rep.body)))
	}
	rep := s.putTrack("voices", "fr", voices(half, half))
	if rep.status < 400 || rep.status >= 500 {
		t.Errorf("PUT a second track taking the recording to %d speakers = %d %s; want a 4xx over the budget of %d", 2*half, rep.status, short(string(rep.body)), defaultMaxSpeakers)
	} else if msg := errorMessage(rep.body); !strings.Contains(strings.ToLower(msg), "speaker") {
		t.Errorf("refusing speakers over the budget: message %q does not name the speakers", msg)
	}
	rep = s.putTrack("voices", "de", voices(10000, 2082))
	if rep.status < 400 || rep.status >= 500 {
		t.Errorf("PUT a track with 2082 voices = %d %s; want a 4xx", rep.status, short(string(rep.body)))
	}

	// The speakers list itself is bounded too.
	var many []map[string]string
	for i := range defaultMaxSpeakers + 1 {
		many = append(many, map[string]string{"id": fmt.Sprintf("s%d", i), "name": fmt.Sprintf("Speaker %d", i), "visibility": "named"})
	}
	body, _ := json.Marshal(map[string]any{"id": "voices2", "title": "Voices", "date": "2026-01-01", "speakers": many})
	rep, err := s.do(req{method: http.MethodPost, path: "/api/v1/recordings", body: strings.NewReader(string(body)), editor: true, header: jsonBody})
	if err != nil {
		t.Fatal(err)
	}
	if rep.status < 400 || rep.status >= 500 {
		t.Errorf("POST a recording with %d speakers = %d %s; want a 4xx", len(many), rep.status, short(string(rep.body)))
	}

	// The archive stays readable.
	for _, path := range []string{"/", "/api/v1/recordings", "/api/v1/recordings/voices", "/watch/voices", "/api/v1/search?q=speaker"} {
		s.must(req{path: path}, http.StatusOK)
	}
	fi, err := os.Stat(filepath.Join(s.data, "objects", "recordings", "voices", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("manifest of the recording: %d bytes", fi.Size())
	if fi.Size() > 1<<20 {
		t.Errorf("manifest grew to %d bytes; want at most 1 MiB", fi.Size())
	}
	s.alive()
	s.noErrorLogs()
	s.checkPeak(96 * mib)

	s.kill()
	if out, errOut, err := run("reindex", "--data", s.data); err != nil {
		t.Errorf("reindex after the attempts: %v\n%s%s", err, out, errOut)
	}
	s.launch()
	s.must(req{method: http.MethodDelete, path: "/api/v1/recordings/voices", editor: true}, http.StatusNoContent)
	s.must(req{path: "/api/v1/recordings"}, http.StatusOK)
}

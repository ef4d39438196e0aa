package server_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

const enVTT = `WEBVTT

00:00:01.000 --> 00:00:04.000
<v Per-Anders Sunesson>This is a milestone for the survivors

00:00:04.500 --> 00:00:07.000
<v Per-Anders Sunesson>who advise us from now on.
`

type uploaded struct {
	Track    archive.Track
	CueCount int `json:"cue_count"`
	Speakers []string
	Warnings []archive.Warning
}

type trackJSON struct {
	Track archive.Track
	Cues  []archive.Cue
}

func TestTrackUploadAndFormats(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "r")
	resp := ts.do(t, "PUT", "/api/v1/recordings/r/tracks/en?name=en.vtt&source=verified", ts.token, enVTT, "Content-Type", "text/vtt")
	wantStatus(t, resp, http.StatusCreated)
	up := decode[uploaded](t, resp)
	if up.CueCount != 2 || len(up.Speakers) != 1 || up.Speakers[0] != "Per-Anders Sunesson" || up.Track.Source != archive.SourceVerified || up.Warnings == nil {
		t.Errorf("upload answer = %+v; want 2 cues, Sunesson, verified, warnings list", up)
	}

	got := decode[trackJSON](t, ts.do(t, "GET", "/api/v1/recordings/r/tracks/en", "", nil))
	if len(got.Cues) != 2 || got.Cues[0].StartMS != 1000 || got.Cues[0].EndMS != 4000 || got.Cues[0].Speaker != "Per-Anders Sunesson" {
		t.Errorf("GET track = %+v; want 2 cues from 1000 ms by Sunesson", got)
	}
	formats := []struct{ ext, ct, contains string }{
		{"vtt", "text/vtt; charset=utf-8", "WEBVTT"},
		{"srt", "application/x-subrip; charset=utf-8", "00:00:01,000 --> 00:00:04,000"},
		{"ttml", "application/ttml+xml; charset=utf-8", "<tt"},
		{"txt", "text/plain; charset=utf-8", "milestone"},
	}
	for _, f := range formats {
		resp := ts.do(t, "GET", "/api/v1/recordings/r/tracks/en."+f.ext, "", nil)
		wantStatus(t, resp, http.StatusOK)
		body := string(readAll(t, resp))
		if resp.Header.Get("Content-Type") != f.ct || !strings.Contains(body, f.contains) {
			t.Errorf("GET en.%s: Content-Type %q, body %q; want %q containing %q", f.ext, resp.Header.Get("Content-Type"), body, f.ct, f.contains)
		}
	}
	wantStatus(t, ts.do(t, "GET", "/api/v1/recordings/r/tracks/en.doc", "", nil), http.StatusNotFound)
	wantStatus(t, ts.do(t, "GET", "/api/v1/recordings/r/tracks/de", "", nil), http.StatusNotFound)

	// Multipart upload of a second language.
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("file", "de.srt")
	fw.Write([]byte("1\n00:00:01,000 --> 00:00:04,000\nDas ist ein Meilenstein\n"))
	mw.WriteField("kind", "interpretation")
	mw.Close()
	resp = ts.do(t, "PUT", "/api/v1/recordings/r/tracks/de", ts.token, form.Bytes(), "Content-Type", mw.FormDataContentType())
	wantStatus(t, resp, http.StatusCreated)
	if up := decode[uploaded](t, resp); up.Track.Kind != archive.KindInterpretation || up.Track.FormatUploaded != "srt" || up.Speakers[0] != "Per-Anders Sunesson" {
		t.Errorf("multipart upload = %+v; want interpretation, srt, speaker borrowed from en", up)
	}
}

func TestRejectedTrackKeepsPrevious(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "r")
	wantStatus(t, ts.do(t, "PUT", "/api/v1/recordings/r/tracks/en?name=en.vtt", ts.token, enVTT), http.StatusCreated)
	before := readAll(t, ts.do(t, "GET", "/api/v1/recordings/r/tracks/en", "", nil))

	bad := "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nfine\n\n00:00:09.000 --> 00:00:05.000\nbackwards\n"
	resp := ts.do(t, "PUT", "/api/v1/recordings/r/tracks/en?name=en.vtt", ts.token, bad)
	wantStatus(t, resp, http.StatusBadRequest)
	e := decode[apiError](t, resp)
	if e.Error.Code != "invalid_subtitle" || e.Error.Line != 6 || e.Error.Reason == "" {
		t.Errorf("rejected file error = %+v; want invalid_subtitle at line 6 with a reason", e.Error)
	}
	png := ts.do(t, "PUT", "/api/v1/recordings/r/tracks/en?name=en.srt", ts.token, "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
	wantStatus(t, png, http.StatusUnsupportedMediaType)

	after := readAll(t, ts.do(t, "GET", "/api/v1/recordings/r/tracks/en", "", nil))
	if !bytes.Equal(before, after) {
		t.Errorf("track changed by rejected uploads:\nbefore %s\nafter  %s", before, after)
	}
}

func TestTrackTooLarge(t *testing.T) {
	ts := newTestServer(t, func(o *serverOptions) { o.MaxTrack = 100 })
	ts.published(t, "r")
	resp := ts.do(t, "PUT", "/api/v1/recordings/r/tracks/en", ts.token, strings.Repeat("x", 200))
	wantStatus(t, resp, http.StatusRequestEntityTooLarge)
}

func TestShiftLinearDelete(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "r")
	wantStatus(t, ts.do(t, "PUT", "/api/v1/recordings/r/tracks/en", ts.token, enVTT), http.StatusCreated)
	resp := ts.do(t, "POST", "/api/v1/recordings/r/tracks/en/shift", ts.token, map[string]int{"offset_ms": -500})
	wantStatus(t, resp, http.StatusOK)
	if tr := decode[archive.Track](t, resp); tr.Version != 2 {
		t.Errorf("shift answered version %d; want 2", tr.Version)
	}
	lin := map[string]any{"points": []map[string]int{{"from_ms": 0, "to_ms": 0}, {"from_ms": 1000, "to_ms": 2000}}}
	wantStatus(t, ts.do(t, "POST", "/api/v1/recordings/r/tracks/en/linear", ts.token, lin), http.StatusOK)
	got := decode[trackJSON](t, ts.do(t, "GET", "/api/v1/recordings/r/tracks/en", "", nil))
	if got.Cues[0].StartMS != 1000 || got.Track.Version != 3 {
		t.Errorf("after shift -500 and doubling: first cue %d ms, version %d; want 1000 and 3", got.Cues[0].StartMS, got.Track.Version)
	}
	wantStatus(t, ts.do(t, "POST", "/api/v1/recordings/r/tracks/en/linear", ts.token, map[string]any{"points": []int{}}), http.StatusBadRequest)
	wantStatus(t, ts.do(t, "GET", "/api/v1/recordings/r/tracks/en/source", "", nil), http.StatusUnauthorized)
	src := ts.do(t, "GET", "/api/v1/recordings/r/tracks/en/source", ts.token, nil)
	wantStatus(t, src, http.StatusOK)
	if string(readAll(t, src)) != enVTT {
		t.Errorf("source is not the file as uploaded")
	}
	wantStatus(t, ts.do(t, "DELETE", "/api/v1/recordings/r/tracks/en", ts.token, nil), http.StatusNoContent)
	wantStatus(t, ts.do(t, "GET", "/api/v1/recordings/r/tracks/en", "", nil), http.StatusNotFound)
}

type searchJSON struct {
	Total  int
	Page   int
	Hits   []archive.Hit
	Facets archive.Facets
}

func TestSearchAPI(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "r")
	wantStatus(t, ts.do(t, "PUT", "/api/v1/recordings/r/tracks/en", ts.token, enVTT), http.StatusCreated)

	resp := ts.do(t, "GET", "/api/v1/search?q=milestone&lang=en", "", nil)
	wantStatus(t, resp, http.StatusOK)
	res := decode[searchJSON](t, resp)
	if res.Total != 1 || len(res.Hits) != 1 {
		t.Fatalf("search milestone = %+v; want one hit", res)
	}
	h := res.Hits[0]
	if h.RecordingID != "r" || h.StartMS != 1000 || h.URL != "/watch/r?t=1&lang=en" || !strings.Contains(h.Highlight, "<mark>") {
		t.Errorf("hit = %+v; want r at 1000 ms, its watch URL and a highlight", h)
	}

	// Deleting the track removes its hits.
	wantStatus(t, ts.do(t, "DELETE", "/api/v1/recordings/r/tracks/en", ts.token, nil), http.StatusNoContent)
	if res := decode[searchJSON](t, ts.do(t, "GET", "/api/v1/search?q=milestone", "", nil)); res.Total != 0 {
		t.Errorf("after track delete search finds %d; want 0", res.Total)
	}

	// Index down: uploads still succeed, search is 503, recovery catches up.
	ts.index.SetDown(true)
	wantStatus(t, ts.do(t, "PUT", "/api/v1/recordings/r/tracks/en", ts.token, enVTT), http.StatusCreated)
	down := ts.do(t, "GET", "/api/v1/search?q=milestone", "", nil)
	wantStatus(t, down, http.StatusServiceUnavailable)
	if e := decode[apiError](t, down); e.Error.Code != "unavailable" || e.Error.Message == "" {
		t.Errorf("search while index down: %+v; want code unavailable with a message", e.Error)
	}
	wantStatus(t, ts.do(t, "GET", "/api/v1/recordings/r/tracks/en", "", nil), http.StatusOK)

	ctx, stop := contextWithCancel(t)
	done := make(chan error)
	go func() { done <- ts.svc.Run(ctx) }()
	defer func() { stop(); <-done }()
	ts.index.SetDown(false)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		resp := ts.do(t, "GET", "/api/v1/search?q=milestone", "", nil)
		if resp.StatusCode == http.StatusOK && decode[searchJSON](t, resp).Total == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("5s after the index came back search does not find the track")
		}
	}

	// Deleting the recording removes its hits.
	wantStatus(t, ts.do(t, "DELETE", "/api/v1/recordings/r", ts.token, nil), http.StatusNoContent)
	if res := decode[searchJSON](t, ts.do(t, "GET", "/api/v1/search?q=milestone", "", nil)); res.Total != 0 {
		t.Errorf("after recording delete search finds %d; want 0", res.Total)
	}
}

// The check route reports what a PUT would store and stores nothing; a
// rejected file is a report (200, acceptable false) with its line.
func TestTrackCheck(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "r")
	overlap := "1\n00:00:01,000 --> 00:00:04,000\nOne.\n\n2\n00:00:03,000 --> 00:00:05,000\nTwo.\n"
	resp := ts.do(t, "POST", "/api/v1/recordings/r/tracks/en/check?name=en.srt&kind=interpretation", ts.token, overlap)
	wantStatus(t, resp, http.StatusOK)
	rep := decode[archive.TrackCheck](t, resp)
	if !rep.Acceptable || rep.Format != "srt" || rep.CueCount != 2 || len(rep.FirstCues) != 2 || rep.Kind != archive.KindInterpretation ||
		len(rep.Warnings) == 0 || !strings.Contains(rep.Warnings[0].Reason, "overlaps") || rep.Warnings[0].Line != 6 {
		t.Errorf("check = %+v; want an acceptable srt of 2 cues, interpretation, overlap warning at line 6", rep)
	}
	wantStatus(t, ts.do(t, "GET", "/api/v1/recordings/r/tracks/en", "", nil), http.StatusNotFound)

	bad := "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nfine\n\n00:00:09.000 --> 00:00:05.000\nbackwards\n"
	resp = ts.do(t, "POST", "/api/v1/recordings/r/tracks/en/check?name=en.vtt", ts.token, bad)
	wantStatus(t, resp, http.StatusOK)
	rep = decode[archive.TrackCheck](t, resp)
	if rep.Acceptable || len(rep.Errors) != 1 || rep.Errors[0].Line != 6 || rep.Errors[0].Reason == "" {
		t.Errorf("check of a bad file = %+v; want not acceptable, one error at line 6", rep)
	}
	wantStatus(t, ts.do(t, "POST", "/api/v1/recordings/r/tracks/en/check", "", overlap), http.StatusUnauthorized)
	wantStatus(t, ts.do(t, "GET", "/api/v1/recordings/r/tracks/en", "", nil), http.StatusNotFound)
}

func TestAuditAPI(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "r")
	wantStatus(t, ts.do(t, "PUT", "/api/v1/recordings/r/tracks/en?name=en.vtt", ts.token, enVTT), http.StatusCreated)
	wantStatus(t, ts.do(t, "POST", "/api/v1/recordings/r/tracks/en/shift", ts.token, map[string]int{"offset_ms": 250}), http.StatusOK)
	resp := ts.do(t, "GET", "/api/v1/recordings/r/audit?limit=1", ts.token, nil)
	wantStatus(t, resp, http.StatusOK)
	page := decode[archive.AuditPage](t, resp)
	if len(page.Entries) != 1 || page.Entries[0].Action != archive.AuditTrackShift || page.Next == "" {
		t.Fatalf("audit page = %+v; want the shift, then a cursor", page)
	}
	older := decode[archive.AuditPage](t, ts.do(t, "GET", "/api/v1/recordings/r/audit?before="+page.Next, ts.token, nil))
	if len(older.Entries) == 0 || older.Entries[0].Action != archive.AuditTrackPut {
		t.Errorf("older page = %+v; want the track upload first", older)
	}
	wantStatus(t, ts.do(t, "GET", "/api/v1/recordings/r/audit?limit=0", ts.token, nil), http.StatusBadRequest)
	wantStatus(t, ts.do(t, "GET", "/api/v1/recordings/r/audit", "", nil), http.StatusUnauthorized)
}

package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/server"
)

// Anonymous quoting is bounded per client address: the third request in
// the window is refused with 429 and Retry-After; an editor is not limited.
func TestAPIQuotesRateLimited(t *testing.T) {
	ts := newTestServer(t, func(o *server.Options) { o.QuotesPerAddress = 2 })
	ctx := context.Background()
	ed := archive.Principal{Name: "editor", Role: archive.RoleEditor}
	if _, _, err := ts.svc.Create(ctx, ed, archive.RecordingInput{ID: "r", Title: "R", Status: archive.StatusPublished}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.svc.PutTrack(ctx, ed, "r", archive.TrackUpload{Lang: "en", Name: "en.srt", Data: []byte("1\n00:00:01,000 --> 00:00:03,000\nQuoted words\n")}); err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"recording_id": "r", "lang": "en", "start_ms": 1000, "end_ms": 3000}
	for i := range 2 {
		resp := ts.do(t, "POST", "/api/v1/quotes", "", body)
		q := decode[struct{ ID, URL, Text string }](t, resp)
		if resp.StatusCode != http.StatusCreated || q.Text != "Quoted words" || resp.Header.Get("Location") != "/q/"+q.ID || q.URL != "/q/"+q.ID {
			t.Fatalf("quote %d = %d %+v Location %q", i, resp.StatusCode, q, resp.Header.Get("Location"))
		}
		got := decode[struct{ Text string }](t, ts.do(t, "GET", "/api/v1/quotes/"+q.ID, "", nil))
		if got.Text != "Quoted words" {
			t.Errorf("GET quote text = %q", got.Text)
		}
	}
	resp := ts.do(t, "POST", "/api/v1/quotes", "", body)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("third anonymous quote = %d Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp := ts.do(t, "POST", "/api/v1/quotes", ts.token, body); resp.StatusCode != http.StatusCreated {
		t.Errorf("editor's quote after the anonymous limit = %d; want 201", resp.StatusCode)
	}
}

package server_test

import (
	"html"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
)

// quotePage fetches /q/<id> in an interface language and returns the body.
func quotePage(t *testing.T, ts *testServer, id, ui string, want int) string {
	t.Helper()
	resp := ts.do(t, "GET", "/q/"+id, "", nil, "Accept", "text/html", "Accept-Language", ui)
	wantStatus(t, resp, want)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("GET /q/%s Content-Type = %q; want text/html", id, ct)
	}
	return html.UnescapeString(string(readAll(t, resp)))
}

// A quote over two cues keeps both texts and the speaker, and its page
// shows them with the role, the event, date and place, the language, the
// provenance and a link to the moment.
func TestQuotePageShowsTheQuote(t *testing.T) {
	ts := newTestServer(t, nil)
	id := quotedRecording(t, ts, "", "")
	q := decode[struct {
		Text     string
		Speakers []archive.QuoteSpeaker
	}](t, ts.do(t, "GET", "/api/v1/quotes/"+id, "", nil))
	if q.Text != "Survivors must be heard, müssen gehört werden.\nNadie conoce mejor la trata, « disent-ils »." {
		t.Errorf("quote text = %q; want both cues", q.Text)
	}
	if len(q.Speakers) != 1 || q.Speakers[0].Name != "Bob Named" || q.Speakers[0].Role != "Chair" {
		t.Errorf("quote speakers = %+v; want Bob Named, Chair", q.Speakers)
	}
	page := quotePage(t, ts, id, "en", http.StatusOK)
	wantIn(t, "quote page", page,
		"Survivors must be heard, müssen gehört werden.", "Nadie conoce mejor la trata, « disent-ils ».",
		"Bob Named", "Chair", "HRC side event", "March 12, 2026", "Geneva", `lang="en"`,
		"Original statement in English, as spoken; transcribed by a person",
		`href="/watch/q?lang=en&t=6&end=9"`, "Passage from 0:06 to 0:09.")
	// In French, the labels are French.
	fr := quotePage(t, ts, id, "fr", http.StatusOK)
	wantIn(t, "quote page in French", fr, "Déclaration originale en anglais, telle que prononcée ; transcrit", "12 mars 2026", "Le voir dans l’enregistrement complet")
}

// The player plays the quote: media from /media/<id> with the range as a
// media fragment (it plays even without script), data-start and data-end
// for app.js, the quote's language as the default captions.
func TestQuotePagePlayer(t *testing.T) {
	ts := newTestServer(t, nil)
	id := quotedRecording(t, ts, writeTemp(t, mediatest.Video(t), ".mp4"), "video/mp4")
	page := quotePage(t, ts, id, "en", http.StatusOK)
	wantIn(t, "quote page player", page,
		`<video id="player"`, `src="/media/q#t=6,9"`, `data-start="6"`, `data-end="9"`, `data-lang="en"`,
		`src="/api/v1/recordings/q/tracks/en.vtt" srclang="en" label="English" default`)
}

// Correcting the track after quoting leaves the quote's words as they
// were; the page says the transcript changed and shows the new wording.
// Shifting the track by +2 s finds the new wording at the shifted time.
func TestQuotePageAfterCorrectionAndShift(t *testing.T) {
	ts := newTestServer(t, nil)
	id := quotedRecording(t, ts, "", "")
	corrected := strings.Replace(quoteVTT, "Survivors must be heard", "Survivors must always be heard", 1)
	wantStatus(t, ts.do(t, "PUT", "/api/v1/recordings/q/tracks/en?name=en.vtt", ts.token, corrected, "Content-Type", "text/vtt"), http.StatusOK)
	page := quotePage(t, ts, id, "en", http.StatusOK)
	quoted, _, _ := strings.Cut(page, `id="quote-changed"`)
	wantIn(t, "quote page, the quote itself", quoted, "Survivors must be heard, müssen gehört werden.")
	_, note, _ := strings.Cut(page, `id="quote-changed"`)
	wantIn(t, "quote page, the note", note, "The transcript has been corrected since this was quoted", "Survivors must always be heard")

	wantStatus(t, ts.do(t, "POST", "/api/v1/recordings/q/tracks/en/shift", ts.token, map[string]any{"offset_ms": 2000}), http.StatusOK)
	page = quotePage(t, ts, id, "en", http.StatusOK)
	_, note, _ = strings.Cut(page, `id="quote-changed"`)
	wantIn(t, "quote page after +2 s", note, "Survivors must always be heard", "Nadie conoce")
	wantIn(t, "quote page after +2 s", page, `href="/watch/q?lang=en&t=8&end=11"`)
}

// An unknown quote is a 404 page in the viewer's language.
func TestQuotePageNotFound(t *testing.T) {
	ts := newTestServer(t, nil)
	for ui, want := range map[string]string{
		"en": "There is no quote at this address", "fr": "Il n’y a pas de citation à cette adresse",
		"es": "No hay ninguna cita en esta dirección", "de": "Unter dieser Adresse gibt es kein Zitat",
	} {
		for _, id := range []string{"abcdefghijkm", "nope"} {
			page := quotePage(t, ts, id, ui, http.StatusNotFound)
			wantIn(t, "unknown quote page in "+ui, page, want, `<html lang="`+ui+`">`)
		}
	}
}

func wantIn(t *testing.T, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("%s lacks %q", what, s)
		}
	}
	if t.Failed() {
		t.Logf("%s:\n%s", what, body)
	}
}

func writeTemp(t *testing.T, data []byte, ext string) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "*"+ext)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

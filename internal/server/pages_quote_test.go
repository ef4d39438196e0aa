package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"image/png"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
	"github.com/verbatim-archive/verbatim/internal/server"
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
	wantIn(t, "quote page after +2 s", page, `href="/watch/q?lang=en&t=8&end=11"`, "Passage from 0:08 to 0:11.", "Side event, HRC side event, Geneva, March 12, 2026, 0:08–0:11.")
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

var metaTag = regexp.MustCompile(`<meta (?:property|name)="([a-z:_]+)" content="([^"]*)">`)

// metaTags reads a page's meta tags by property or name.
func metaTags(page string) map[string]string {
	out := map[string]string{}
	for _, m := range metaTag.FindAllStringSubmatch(page, -1) {
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}

// jsonLD decodes the page's one JSON-LD block.
func jsonLD(t *testing.T, page string) map[string]any {
	t.Helper()
	_, rest, ok := strings.Cut(page, `<script type="application/ld+json">`)
	body, _, ok2 := strings.Cut(rest, "</script>")
	if !ok || !ok2 {
		t.Fatalf("the page has no JSON-LD block:\n%s", page)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("JSON-LD is not JSON: %v\n%s", err, body)
	}
	return v
}

var quoteClock = time.Date(2026, 12, 2, 23, 30, 0, 0, time.UTC)

// The share tags point at the card by absolute URL (the configured base
// URL), declare the size the card really has, and describe the quote;
// the JSON-LD is a schema.org Clip of the recording's VideoObject.
func TestQuotePageShareTagsAndClipLD(t *testing.T) {
	ts := newTestServer(t, func(o *server.Options) {
		o.PublicURL = "https://verbatim.example"
		o.Now = func() time.Time { return quoteClock }
	})
	id := quotedRecording(t, ts, writeTemp(t, mediatest.Video(t), ".mp4"), "video/mp4")
	resp := ts.do(t, "GET", "/q/"+id, "", nil, "Accept-Language", "en")
	wantStatus(t, resp, http.StatusOK)
	raw := string(readAll(t, resp))
	tags := metaTags(raw)
	permalink := "https://verbatim.example/q/" + id
	for k, want := range map[string]string{
		"og:url": permalink, "og:image": permalink + "/card.png", "twitter:image": permalink + "/card.png",
		"twitter:card": "summary_large_image", "og:title": "Bob Named, Chair · Side event", "og:image:type": "image/png",
	} {
		if tags[k] != want {
			t.Errorf("%s = %q; want %q", k, tags[k], want)
		}
	}
	for _, k := range []string{"og:description", "twitter:description", "description"} {
		if !strings.Contains(tags[k], "Survivors must be heard") || !strings.Contains(tags[k], "HRC side event") {
			t.Errorf("%s = %q; want the quote and the event", k, tags[k])
		}
	}
	card := ts.do(t, "GET", "/q/"+id+"/card.png", "", nil)
	wantStatus(t, card, http.StatusOK)
	cfg, err := png.DecodeConfig(bytes.NewReader(readAll(t, card)))
	if err != nil {
		t.Fatalf("card.png: %v", err)
	}
	if tags["og:image:width"] != strconv.Itoa(cfg.Width) || tags["og:image:height"] != strconv.Itoa(cfg.Height) {
		t.Errorf("og:image is declared %s×%s; the card is %d×%d", tags["og:image:width"], tags["og:image:height"], cfg.Width, cfg.Height)
	}

	ld := jsonLD(t, raw)
	partOf, _ := ld["partOf"].(map[string]any)
	for k, want := range map[string]any{
		"@context": "https://schema.org", "@type": "Clip", "url": permalink, "startOffset": 6.0, "endOffset": 9.0,
		"inLanguage": "en", "name": "Bob Named, Chair · Side event",
	} {
		if ld[k] != want {
			t.Errorf("JSON-LD %s = %v; want %v", k, ld[k], want)
		}
	}
	for k, want := range map[string]any{
		"@type": "VideoObject", "name": "Side event", "url": "https://verbatim.example/watch/q",
		"contentUrl": "https://verbatim.example/media/q", "uploadDate": "2026-03-12", "thumbnailUrl": permalink + "/card.png",
	} {
		if partOf[k] != want {
			t.Errorf("JSON-LD partOf.%s = %v; want %v", k, partOf[k], want)
		}
	}
	if d, _ := ld["description"].(string); !strings.Contains(d, "Survivors must be heard") {
		t.Errorf("JSON-LD description = %q; want the quote", d)
	}

	// The citations carry the timestamped absolute URL and the day the
	// page is shown.
	page := html.UnescapeString(raw)
	moment := "https://verbatim.example/watch/q?lang=en&t=6&end=9"
	wantIn(t, "citations", page,
		"“Survivors must be heard, müssen gehört werden. Nadie conoce mejor la trata, « disent-ils ».” — Bob Named (Chair). Side event, HRC side event, Geneva, March 12, 2026, 0:06–0:09. Original statement in English, as spoken; transcribed by a person. "+moment+" (accessed 2026-12-02).",
		"Named, B. (2026, March 12). Side event [Video; 0:06–0:09; Original statement in English, as spoken; transcribed by a person]. HRC side event, Geneva. Verbatim. Retrieved December 2, 2026, from "+moment,
		"Named, Bob. 2026. “Side event.” HRC side event, Geneva, March 12. Video, 0:06–0:09.",
		"["+"0:06–0:09]("+moment+")")
}

// Without a configured base URL, absolute URLs start with the request's
// own scheme and host.
func TestQuotePageOriginFromRequest(t *testing.T) {
	ts := newTestServer(t, nil)
	id := quotedRecording(t, ts, "", "")
	tags := metaTags(string(readAll(t, ts.do(t, "GET", "/q/"+id, "", nil))))
	if want := ts.URL + "/q/" + id + "/card.png"; tags["og:image"] != want {
		t.Errorf("og:image = %q; want %q", tags["og:image"], want)
	}
}

// A quote whose speaker is hidden since shows the withheld notice instead
// of the words everywhere: the text, the tags, the JSON-LD, the
// citations; no player, no clip.
func TestQuotePageWithheld(t *testing.T) {
	ts := newTestServer(t, nil)
	id := quotedRecording(t, ts, writeTemp(t, mediatest.Video(t), ".mp4"), "video/mp4")
	hideSpeaker(t, ts, "q", "Bob Named")
	resp := ts.do(t, "GET", "/q/"+id, "", nil, "Accept-Language", "en")
	wantStatus(t, resp, http.StatusOK)
	raw := string(readAll(t, resp))
	page := html.UnescapeString(raw)
	for _, bad := range append(bobsWords, "Chair") {
		if strings.Contains(page, bad) {
			t.Errorf("the page of a quote whose speaker is hidden shows %q", bad)
		}
	}
	wantIn(t, "withheld quote page", page, "Passage withheld at the speaker’s request.", "No clip: this passage is withheld")
	if strings.Contains(page, `<video`) {
		t.Error("the page of a withheld quote has a player")
	}
	tags := metaTags(raw)
	if !strings.HasPrefix(tags["og:description"], "Passage withheld at the speaker’s request.") {
		t.Errorf("og:description = %q; want the withheld notice", tags["og:description"])
	}
	if d, _ := jsonLD(t, raw)["description"].(string); !strings.HasPrefix(d, "Passage withheld") {
		t.Errorf("JSON-LD description = %q; want the withheld notice", d)
	}
}

// An interpretation is labelled as one, of the floor language's
// statement; the same moment in the other language stands beside it.
func TestQuotePageInterpretationAndOtherLanguages(t *testing.T) {
	ts := newTestServer(t, nil)
	wantStatus(t, ts.do(t, "POST", "/api/v1/recordings", ts.token, map[string]any{
		"id": "i", "title": "Side event", "status": "published", "speakers": []map[string]any{{"name": "Bob Named", "role": "Chair"}},
	}), http.StatusCreated)
	fr := "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Bob Named>Les survivantes doivent être entendues.\n"
	en := "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Bob Named>Survivors must be heard.\n"
	wantStatus(t, ts.do(t, "PUT", "/api/v1/recordings/i/tracks/fr?name=fr.vtt&kind=original&source=verified", ts.token, fr, "Content-Type", "text/vtt"), http.StatusCreated)
	wantStatus(t, ts.do(t, "PUT", "/api/v1/recordings/i/tracks/en?name=en.vtt&kind=interpretation&source=machine", ts.token, en, "Content-Type", "text/vtt"), http.StatusCreated)
	q := decode[struct{ ID string }](t, ts.do(t, "POST", "/api/v1/quotes", "", map[string]any{"recording_id": "i", "lang": "en", "start_ms": 1000, "end_ms": 3000}))
	page := quotePage(t, ts, q.ID, "en", http.StatusOK)
	wantIn(t, "quote of an interpretation", page,
		"English interpretation of a statement made in French; machine transcription, not checked",
		`<section class="other" lang="fr">`, "Les survivantes doivent être entendues.", "original speech · transcription checked by an editor")
	wantIn(t, "the same in German", quotePage(t, ts, q.ID, "de", http.StatusOK),
		"Verdolmetschung auf Englisch einer Aussage auf Französisch; maschinelle")
	quoted, _, _ := strings.Cut(page, `class="quote-others"`)
	if strings.Contains(quoted, "Les survivantes") {
		t.Error("the French words appear as the quote itself")
	}
}

// With a clip cutter the page links the clip in the source's format;
// without one the link is absent and the page says why, in the viewer's
// language.
func TestQuotePageClipLink(t *testing.T) {
	video := writeTemp(t, mediatest.Video(t), ".mp4")
	plain := newTestServer(t, nil)
	id := quotedRecording(t, plain, video, "video/mp4")
	for ui, why := range map[string]string{
		"en": "No clip to download: this server cannot cut clips (ffmpeg is not installed on it).",
		"fr": "ffmpeg",
	} {
		page := quotePage(t, plain, id, ui, http.StatusOK)
		wantIn(t, "quote page without ffmpeg ("+ui+")", page, why)
		if strings.Contains(page, "/clip.") {
			t.Errorf("quote page without ffmpeg (%s) links a clip", ui)
		}
	}
	fr := quotePage(t, plain, id, "fr", http.StatusOK)
	if strings.Contains(fr, "No clip to download") {
		t.Error("the French page gives the reason in English")
	}

	ts := newClipServer(t)
	id = quotedRecording(t, ts, video, "video/mp4")
	page := quotePage(t, ts, id, "en", http.StatusOK)
	wantIn(t, "quote page with ffmpeg", page, `<a href="/q/`+id+`/clip.mp4" download>Download this clip (MP4)</a>`)
	if stored := storedFiles(t, ts, id, "clip"); len(stored) != 0 {
		t.Errorf("showing the page cut a clip: %v", stored)
	}
}

// A quote with part of it withheld since keeps the words that may be
// shown, with the gap marked, and has no player: the passage's media
// would carry the withheld speaker's voice (as its clip and embed would).
func TestQuotePagePartWithheld(t *testing.T) {
	ts := newTestServer(t, nil)
	quotedRecording(t, ts, writeTemp(t, mediatest.Video(t), ".mp4"), "video/mp4")
	both, err := ts.svc.CreateQuote(context.Background(), archive.Principal{}, archive.QuoteRequest{RecordingID: "q", Lang: "en", StartMS: 6000, EndMS: 11000})
	if err != nil {
		t.Fatal(err)
	}
	if page := quotePage(t, ts, both.ID, "en", http.StatusOK); !strings.Contains(page, "<video") {
		t.Fatal("the quote page has no player before anyone is hidden")
	}
	hideSpeaker(t, ts, "q", "Eve Other")
	for lang, notice := range map[string]string{
		"en": "Part of this passage is withheld at a speaker’s request, so it is not played here",
		"fr": "Une partie de ce passage est retenue",
		"es": "Parte de este pasaje se ha retenido",
		"de": "Ein Teil dieser Passage wird",
	} {
		page := quotePage(t, ts, both.ID, lang, http.StatusOK)
		wantIn(t, lang+" page of a partly withheld quote", page, notice, "Survivors must be heard")
		if strings.Contains(page, "<video") {
			t.Errorf("%s: the page of a partly withheld quote has a player", lang)
		}
		for _, bad := range []string{"A later answer", "Eve Other"} {
			if strings.Contains(page, bad) {
				t.Errorf("%s: the page of a partly withheld quote shows %q", lang, bad)
			}
		}
	}
}

package server_test

import (
	"bytes"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/asticode/go-astisub"
	"golang.org/x/text/unicode/norm"

	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
	"github.com/verbatim-archive/verbatim/internal/server"
)

// The leak test: a published recording with a named speaker (Bob), an
// anonymised one (Ana Real, shown as "Member A") and a hidden one (Maria
// Lopez, alias "Ms Lopez") who also speaks inside Bob's cues, in all five
// input formats, with her and Ana's names spelt every which way and a
// redacted place name. Every GET route of the route table is walked as a
// viewer — or named below as carrying no recording content — and none may
// show the real names, her words or the place.

// forbidden are folded (see folded) and must appear in no viewer response.
var forbidden = []string{"maria", "lopez", "ana real", "quetzalpan", "nightjar"}

// notContent are the GET routes (by path) and the viewer routes of other
// methods (by "METHOD /path") that carry no recording content, and why. A
// new route must be walked below (walks, viewerWrites) or listed here.
var notContent = map[string]string{
	"/healthz":              "liveness, no content",
	"/readyz":               "readiness, no content",
	"/static/:name":         "embedded assets",
	"/media/:id":            "the video bytes (no text); walked anyway",
	"/media/:id/poster.jpg": "a frame of the video (no text), as visible as the video; walked anyway",
}

const leakVTT = `WEBVTT

00:00:01.000 --> 00:00:03.000
<v Bob Named>Over to you.</v> <v Maria Lopez>nightjarvtt one</v>

00:00:04.000 --> 00:00:06.000
<v Bob Named>Thank you MARIA LOPEZ and ma<i>ría</i>
lópez, and ana <b>Real</b> from Quetzalpan.
<v Maria Lopez>nightjarvtt two

00:00:07.000 --> 00:00:08.000
<v Maria Lopez>nightjarvtt alone

00:00:09.000 --> 00:00:10.000
<v Ana Real>Bob speaks to ms   lopez now.
`

const leakSRT = `1
00:00:01,000 --> 00:00:03,000
- Bob Named: Over to you.
- Maria Lopez: nightjarsrt one

2
00:00:04,000 --> 00:00:06,000
Bob Named: Thank you <b>Maria</b>  López and ANA REAL
from quetzalpan, maria
lopez.
`

const leakASS = `[Script Info]
ScriptType: v4.00+

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:01.00,0:00:03.00,Default,Bob Named,0,0,0,,Over to you.\NMaria Lopez: nightjarass one
Dialogue: 0,0:00:04.00,0:00:06.00,Default,Bob Named,0,0,0,,Thank you {\i1}Maria{\i0} LOPEZ\Nand Ana Real of QUETZALPAN.
`

const leakTTML = `<?xml version="1.0" encoding="UTF-8"?>
<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttm="http://www.w3.org/ns/ttml#metadata" xmlns:tts="http://www.w3.org/ns/ttml#styling" xml:lang="de">
<head><metadata>
<ttm:agent xml:id="bob"><ttm:name>Bob Named</ttm:name></ttm:agent>
<ttm:agent xml:id="m"><ttm:name>Maria Lopez</ttm:name></ttm:agent>
<ttm:agent xml:id="a"><ttm:name>Ana Real</ttm:name></ttm:agent>
</metadata></head>
<body><div>
<p begin="00:00:01.000" end="00:00:03.000" ttm:agent="bob">Over to you. <span ttm:agent="m">nightjarttml one</span></p>
<p begin="00:00:04.000" end="00:00:06.000" ttm:agent="bob">Thank you <span tts:fontStyle="italic">Mar</span>ia<br/>Lopez and Ána Réal, Quetzalpan.</p>
<p begin="00:00:07.000" end="00:00:08.000" ttm:agent="a">I am here.</p>
</div></body></tt>
`

func leakSTL(tb testing.TB) []byte {
	tb.Helper()
	return stlOf(tb, []stlCue{
		{time.Second, 3 * time.Second, []string{"- Bob Named: Over to you.", "- Maria Lopez: nightjarstl one"}},
		{4 * time.Second, 6 * time.Second, []string{"Bob Named: Thank you maria lopez", "and Ana Real of Quetzalpan."}},
	})
}

type stlCue struct {
	start, end time.Duration
	lines      []string
}

func stlOf(tb testing.TB, cues []stlCue) []byte {
	tb.Helper()
	subs := astisub.NewSubtitles()
	day := time.Date(2021, 1, 25, 0, 0, 0, 0, time.UTC)
	subs.Metadata = &astisub.Metadata{Framerate: 25, Title: "leak", STLCreationDate: &day, STLRevisionDate: &day}
	for _, c := range cues {
		it := &astisub.Item{StartAt: c.start, EndAt: c.end}
		for _, l := range c.lines {
			it.Lines = append(it.Lines, astisub.Line{Items: []astisub.LineItem{{Text: l}}})
		}
		subs.Items = append(subs.Items, it)
	}
	var buf bytes.Buffer
	if err := subs.WriteToSTL(&buf); err != nil {
		tb.Fatalf("WriteToSTL: %v", err)
	}
	return buf.Bytes()
}

// Unmarked interpretations, one per input format, of the times Maria
// speaks in: each borrows its speakers from the original by time, and a
// cue of a time she spoke in (even inside Bob's cue) is hers too.
const interpVTT = `WEBVTT

00:00:01.000 --> 00:00:03.000
Passe. nightjarptvtt um

00:00:04.000 --> 00:00:06.000
Obrigado. nightjarptvtt dois

00:00:09.000 --> 00:00:10.000
members words now
`

const interpSRT = `1
00:00:01,000 --> 00:00:03,000
Over. nightjarnlsrt een

2
00:00:07,000 --> 00:00:08,000
nightjarnlsrt alleen

3
00:00:09,000 --> 00:00:10,000
members words now
`

const interpASS = `[Script Info]
ScriptType: v4.00+

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:01.00,0:00:03.00,Default,,0,0,0,,Prosze. nightjarplass jeden
Dialogue: 0,0:00:04.00,0:00:06.00,Default,,0,0,0,,Dziekuje.\Nnightjarplass dwa
Dialogue: 0,0:00:09.00,0:00:10.00,Default,,0,0,0,,members words now
`

const interpTTML = `<?xml version="1.0" encoding="UTF-8"?>
<tt xmlns="http://www.w3.org/ns/ttml" xml:lang="sv">
<body><div>
<p begin="00:00:01.000" end="00:00:03.000">Varsagod. nightjarsvttml ett</p>
<p begin="00:00:04.000" end="00:00:06.000">Tack.<br/>nightjarsvttml två</p>
<p begin="00:00:09.000" end="00:00:10.000">members words now</p>
</div></body></tt>
`

func interpSTL(tb testing.TB) []byte {
	tb.Helper()
	return stlOf(tb, []stlCue{
		{time.Second, 3 * time.Second, []string{"Vaersgo. nightjardastl en"}},
		{4 * time.Second, 6 * time.Second, []string{"Tak.", "nightjardastl to"}},
		{9 * time.Second, 10 * time.Second, []string{"members words now"}},
	})
}

// leakRecording sets up the recording through the API, as an editor does.
func leakRecording(tb testing.TB, ts *testServer) {
	tb.Helper()
	resp := ts.do(tb, "POST", "/api/v1/recordings", ts.token, map[string]any{
		"id": "leak", "title": "Launch, with Maria López", "status": "published", "date": "2021-01-25",
		"event":       "Launch of the Quetzalpan council",
		"description": "Ana Real and MARIA LOPEZ speak of Quetzalpan.",
		"speakers": []map[string]any{
			{"name": "Bob Named", "role": "Chair"},
			{"name": "Ana Real", "visibility": "anonymised", "pseudonym": "Member A", "role": "Survivor from Quetzalpan"},
			{"name": "Maria Lopez", "visibility": "hidden", "aliases": []string{"Ms Lopez"}},
		},
		"redactions": []map[string]any{{"text": "Quetzalpan"}},
	})
	wantStatus(tb, resp, http.StatusCreated)
	// One interpretation before the originals (it learns its speakers
	// when read), the others after (they borrow them on upload).
	for _, f := range []struct {
		lang, name string
		data       []byte
	}{
		{"da", "da.stl", interpSTL(tb)},
		{"en", "en.vtt", []byte(leakVTT)}, {"fr", "fr.srt", []byte(leakSRT)}, {"es", "es.ass", []byte(leakASS)},
		{"de", "de.ttml", []byte(leakTTML)}, {"it", "it.stl", leakSTL(tb)},
		{"pt", "pt.vtt", []byte(interpVTT)}, {"nl", "nl.srt", []byte(interpSRT)}, {"pl", "pl.ass", []byte(interpASS)},
		{"sv", "sv.ttml", []byte(interpTTML)},
	} {
		lang := f.lang
		kind := "original"
		if slices.Contains(interpLangs, lang) {
			kind = "interpretation"
		}
		resp := ts.do(tb, "PUT", "/api/v1/recordings/leak/tracks/"+lang+"?name="+f.name+"&kind="+kind, ts.token, f.data, "Content-Type", "application/octet-stream")
		if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
			tb.Fatalf("upload %s: %d %s", f.name, resp.StatusCode, readAll(tb, resp))
		}
		if body := string(readAll(tb, resp)); strings.Contains(body, "is held") {
			tb.Errorf("upload %s held a known speaker: %s", f.name, body)
		}
	}
}

var (
	originalLangs = []string{"en", "fr", "es", "de", "it"}
	interpLangs   = []string{"pt", "nl", "pl", "sv", "da"} // unmarked: speakers borrowed
	langs         = append(slices.Clone(originalLangs), interpLangs...)
)

// viewerWrites are the routes other than GET and HEAD that viewers may
// use (public in routeAccess) and that answer with recording content —
// creating a quote, say. Each makes its requests as a viewer on the leak
// recording and returns the response bodies (checked) and, by GET route,
// the URLs of what it made (walked and checked with walks). A public
// route that is not a GET must have an entry here or in notContent,
// keyed "METHOD /path".
var viewerWrites = map[string]func(tb testing.TB, ts *testServer) (bodies []string, walks map[string][]string){}

// walks are the concrete viewer requests made for each GET route; a new
// GET route adds its requests here, or — for pages of something a viewer
// makes first, such as a quote — its viewerWrites probe returns them.
func walks(queries []string) map[string][]string {
	w := map[string][]string{
		"/": {"/", "/?ui=fr", "/?year=2021", "/?lang=en", "/?speaker=Member+A", "/?speaker=Maria+Lopez", "/?speaker=Ms+Lopez",
			"/?speaker=Ana+Real", "/?speaker=Bob+Named&ui=de"},
		"/events/:slug":          {"/events/launch-of-the-redacted-council", "/events/launch-of-the-quetzalpan-council"},
		"/watch/:id":             {},
		"/search":                {},
		"/api/v1/recordings":     {"/api/v1/recordings"},
		"/api/v1/recordings/:id": {"/api/v1/recordings/leak"},
		"/api/v1/search":         {},
		"/login":                 {"/login"},
		"/edit":                  {"/edit"},
		"/edit/password":         {"/edit/password"},
		"/edit/:id/speakers":     {"/edit/leak/speakers"},
		"/edit/:id":              {"/edit/leak"},
		"/edit/new":              {"/edit/new"},
		"/admin/accounts":        {"/admin/accounts"},
		"/healthz":               {"/healthz"},
		"/readyz":                {"/readyz"},
		"/robots.txt":            {"/robots.txt"},
		// The leak server lists one URL per sitemap file (leakOptions), so
		// the index and every file of it are walked.
		"/sitemap.xml":                        {"/sitemap.xml"},
		"/sitemaps/:file":                     {"/sitemaps/pages-1.xml", "/sitemaps/pages-2.xml", "/sitemaps/recordings-1.xml"},
		"/feed.atom":                          {"/feed.atom", "/feed.atom?ui=fr"},
		"/watch/:id/card.png":                 {"/watch/leak/card.png"},
		"/static/:name":                       {"/static/app.js", "/static/app.css"},
		"/media/:id":                          {"/media/leak"},
		"/media/:id/poster.jpg":               {"/media/leak/poster.jpg"},
		"/api/v1/recordings/:id/tracks/:lang": {},
		"/api/v1/recordings/:id/tracks/:lang/source": {},
		"/api/v1/recordings/:id/audit":               {"/api/v1/recordings/leak/audit", "/api/v1/recordings/leak/audit?limit=200"},
	}
	for _, l := range langs {
		w["/watch/:id"] = append(w["/watch/:id"], "/watch/leak?lang="+l, "/watch/leak?lang="+l+"&ui="+l+"&t=4")
		w["/api/v1/recordings/:id/tracks/:lang/source"] = append(w["/api/v1/recordings/:id/tracks/:lang/source"], "/api/v1/recordings/leak/tracks/"+l+"/source")
		for _, ext := range []string{"", ".vtt", ".srt", ".ttml", ".txt"} {
			w["/api/v1/recordings/:id/tracks/:lang"] = append(w["/api/v1/recordings/:id/tracks/:lang"], "/api/v1/recordings/leak/tracks/"+l+ext)
		}
	}
	for _, q := range queries {
		e := url.QueryEscape(q)
		w["/search"] = append(w["/search"], "/search?q="+e)
		w["/api/v1/search"] = append(w["/api/v1/search"], "/api/v1/search?q="+e)
	}
	return w
}

// folded is what a reader would recognise: entities and JSON escapes
// resolved, tags dropped, accents and case gone, every run of other
// characters one space.
func folded(s string) string {
	s = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&", `\n`, " ").Replace(s)
	s = html.UnescapeString(s)
	var sb strings.Builder
	inTag := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case r == '<':
			inTag = true
		case r == '>' && inTag:
			inTag = false
		case inTag:
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			sb.WriteRune(unicode.ToLower(r))
		default:
			sb.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(sb.String()), " ")
}

func TestLeakEveryViewerRoute(t *testing.T) {
	clips := withClipsIfFFmpeg(t)
	ts := newTestServer(t, func(o *server.Options) {
		if clips != nil {
			clips(o)
		}
		o.SitemapPageSize = 1
	})
	leakRecording(t, ts)
	// With its video, the recording's sitemap entry carries the video's
	// title and description too.
	wantStatus(t, ts.do(t, "PUT", "/api/v1/recordings/leak/media", ts.token, mediatest.Video(t), "Content-Type", "video/mp4"), http.StatusCreated)

	queries := []string{"Maria", "lopez", "Maria Lopez", "Ms Lopez", "Ana Real", "Quetzalpan", "nightjarvtt", "nightjarsrt", "nightjarass", "nightjarttml", "nightjarstl", "nightjarptvtt", "nightjarnlsrt", "nightjarplass", "nightjarsvttml", "nightjardastl", "nightjar*"}
	w := walks(queries)
	for key, probe := range viewerWrites {
		bodies, made := probe(t, ts)
		for i, body := range bodies {
			for _, bad := range forbidden {
				if strings.Contains(" "+folded(body)+" ", " "+bad) {
					t.Errorf("%s (response %d) shows %q:\n%.2000s", key, i, bad, body)
				}
			}
		}
		for route, urls := range made {
			w[route] = append(w[route], urls...)
		}
	}
	// A quote over Bob's cue with her turn inside it: stored with the gap.
	resp := ts.do(t, "POST", "/api/v1/quotes", "", map[string]any{"recording_id": "leak", "lang": "en", "start_ms": 1000, "end_ms": 6000})
	quote := decode[struct{ ID, Text string }](t, resp)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(quote.Text, "Over to you.") {
		t.Fatalf("POST /api/v1/quotes = %d %+v; want 201 with Bob's words", resp.StatusCode, quote)
	}
	w["/api/v1/quotes/:id"] = []string{"/api/v1/quotes/" + quote.ID}
	for _, ui := range []string{"en", "fr", "es", "de"} {
		w["/q/:id"] = append(w["/q/:id"], "/q/"+quote.ID+"?ui="+ui)
	}
	w["/q/:id/captions.vtt"] = []string{"/q/" + quote.ID + "/captions.vtt"}
	w["/embed/:id"] = []string{"/embed/" + quote.ID, "/embed/" + quote.ID + "?ui=fr"}
	w["/embed/watch/:id"] = []string{"/embed/watch/leak?t=4", "/embed/watch/leak?t=1&end=6&lang=fr&ui=de"}
	w["/oembed"] = []string{oembedURL(ts.URL + "/q/" + quote.ID)}
	for _, l := range langs {
		w["/embed/watch/:id"] = append(w["/embed/watch/:id"], "/embed/watch/leak?lang="+l)
		w["/oembed"] = append(w["/oembed"], oembedURL(ts.URL+"/watch/leak?t=1&end=6&lang="+l))
	}
	leakQuoteFiles(t, ts, w) // a quote of Maria's, its card and clip made, then she is hidden
	for _, route := range server.GETRoutes(ts.srv) {
		_, walked := w[route]
		_, exempt := notContent[route]
		if !walked && !exempt {
			t.Errorf("GET %s is in the route table but the leak test neither walks it nor lists it as carrying no recording content", route)
		}
	}
	for key, a := range routeAccess {
		method, route, _ := strings.Cut(key, " ")
		if a != public || method == http.MethodGet || method == http.MethodHead {
			continue
		}
		_, probed := viewerWrites[key]
		_, exempt := notContent[key]
		if !probed && !exempt {
			t.Errorf("%s %s is open to viewers but the leak test has no viewerWrites probe for it nor lists it as carrying no recording content", method, route)
		}
	}
	seen := map[string]string{} // what a viewer got, by URL
	for route, urls := range w {
		if len(urls) == 0 {
			t.Errorf("route %s has no walk", route)
		}
		for _, u := range urls {
			resp := ts.do(t, "GET", u, "", nil)
			body := string(readAll(t, resp))
			seen[u] = body
			if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				// No page may make a third-party request: its policy names
				// this origin only, and its markup no other origin. Only
				// the embeds may be framed, by anyone (frame-ancestors *).
				csp := resp.Header.Get("Content-Security-Policy")
				if route == "/embed/:id" || route == "/embed/watch/:id" {
					csp = strings.Replace(csp, "frame-ancestors *", "frame-ancestors 'none'", 1)
				}
				if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "http") || strings.Contains(csp, "*") {
					t.Errorf("GET %s: Content-Security-Policy %q allows other origins", u, csp)
				}
				// Absolute links to this site itself (canonical) are fine.
				own := strings.ReplaceAll(body, `href="`+ts.URL+`/`, `href="/`)
				for _, attr := range []string{`src="http`, `href="http`, `src="//`, `href="//`, `action="http`} {
					if strings.Contains(own, attr) {
						t.Errorf("GET %s refers to another origin (%s)", u, attr)
					}
				}
			}
			f := folded(body)
			if strings.HasPrefix(u, "/search") || strings.HasPrefix(u, "/api/v1/search") {
				// The page and the API repeat the query itself; what else
				// they show must not leak.
				q, _ := url.ParseQuery(strings.SplitN(u, "?", 2)[1])
				f = strings.ReplaceAll(f, folded(q.Get("q")), " ")
			}
			if q, _ := url.ParseQuery(strings.SplitN(u+"?", "?", 2)[1]); q.Get("speaker") != "" && !strings.HasPrefix(u, "/search") {
				// Browsing by a speaker repeats the name asked for.
				f = strings.ReplaceAll(f, folded(q.Get("speaker")), " ")
			}
			for _, bad := range forbidden {
				if strings.Contains(" "+f+" ", " "+bad) {
					t.Errorf("GET %s (%d) shows %q:\n%.2000s", u, resp.StatusCode, bad, body)
				}
			}
		}
	}

	// The sitemap and the feed do list the recording (else they would
	// prove nothing), with what viewers may see of it.
	for u, want := range map[string]string{
		"/sitemaps/recordings-1.xml": "<video:description>Member A and [name withheld] speak of [redacted].</video:description>",
		"/feed.atom":                 "<title>Launch, with [name withheld]</title>",
	} {
		if !strings.Contains(seen[u], want) {
			t.Errorf("GET %s lacks %q:\n%s", u, want, seen[u])
		}
	}

	// Search finds nothing of hers, by word or by name, but does find Bob.
	for _, q := range queries {
		res := decode[struct{ Total int }](t, ts.do(t, "GET", "/api/v1/search?q="+url.QueryEscape(q), "", nil))
		if res.Total != 0 {
			t.Errorf("search %q finds %d hits; want 0", q, res.Total)
		}
		if strings.Contains(seen["/search?q="+url.QueryEscape(q)], `class="hit"`) {
			t.Errorf("search page for %q lists hits", q)
		}
	}
	for _, l := range interpLangs {
		if res := decode[struct{ Total int }](t, ts.do(t, "GET", "/api/v1/search?q=members+words&lang="+l, "", nil)); res.Total != 1 {
			t.Errorf("search for the interpreted words of the anonymised speaker in %s finds %d; want 1", l, res.Total)
		}
		for _, ext := range []string{".vtt", ".srt", ".ttml", ".txt"} {
			b := seen["/api/v1/recordings/leak/tracks/"+l+ext]
			if !strings.Contains(b, "Member A") || !strings.Contains(b, "members words now") || !strings.Contains(b, "[passage withheld at the speaker") {
				t.Errorf("interpretation %s%s lacks the pseudonym's words or the withheld notice:\n%s", l, ext, b)
			}
		}
	}
	for _, l := range originalLangs {
		if res := decode[struct{ Total int }](t, ts.do(t, "GET", "/api/v1/search?q=thank+you&lang="+l, "", nil)); res.Total < 1 {
			t.Errorf("search for Bob's words in %s finds nothing: the test would prove nothing", l)
		}
	}
	// What viewers do see: Bob's words, the pseudonym, the withheld notice
	// in the interface language, and the markers in every export.
	for _, l := range originalLangs {
		for _, ext := range []string{".vtt", ".srt", ".ttml", ".txt"} {
			b := seen["/api/v1/recordings/leak/tracks/"+l+ext]
			if !strings.Contains(b, "Over to you.") || !strings.Contains(b, "[passage withheld at the speaker") || !strings.Contains(b, "[name withheld]") || !strings.Contains(b, "[redacted]") {
				t.Errorf("%s%s lacks Bob's words or a marker:\n%s", l, ext, b)
			}
		}
	}
	notices := map[string]string{"en": "Passage withheld at the speaker’s request.", "fr": "Passage retenu à la demande", "es": "Pasaje retenido a petición", "de": "Passage auf Wunsch der sprechenden Person"}
	for l, want := range notices {
		if b := seen["/watch/leak?lang="+l+"&ui="+l+"&t=4"]; !strings.Contains(html.UnescapeString(b), want) {
			t.Errorf("watch page in %s lacks the withheld notice %q", l, want)
		}
	}
	if !strings.Contains(seen["/watch/leak?lang=en"], "Member A") {
		t.Errorf("watch page lacks the pseudonym")
	}
	// The editor, with a token, sees everything.
	if b := string(readAll(t, ts.do(t, "GET", "/api/v1/recordings/leak/tracks/en", ts.token, nil))); !strings.Contains(b, "nightjarvtt") || !strings.Contains(b, "Maria Lopez") {
		t.Errorf("editor does not see the withheld words: %s", b)
	}
}

package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
	"github.com/verbatim-archive/verbatim/internal/server"
)

// embedPanel publishes a recording with a named chair and an anonymised
// survivor, with media and an English track, and quotes both of them.
func embedPanel(t *testing.T, ts *testServer) archive.Quote {
	t.Helper()
	ctx := context.Background()
	wantStatus(t, ts.do(t, "POST", "/api/v1/recordings", ts.token, map[string]any{
		"id": "panel", "title": "Side event on trafficking", "event": "HRC47", "status": "published",
		"speakers": []map[string]any{
			{"name": "Bob Named", "role": "Chair"},
			{"name": "Ana Real", "visibility": "anonymised", "pseudonym": "Member A"},
		},
	}), http.StatusCreated)
	ed := archive.Principal{Name: "editor", Role: archive.RoleEditor}
	if _, err := ts.svc.PutMedia(ctx, ed, "panel", archive.MediaUpload{Body: bytes.NewReader(mediatest.Video(t)), Name: "v.mp4", ContentType: "video/mp4", Size: -1}); err != nil {
		t.Fatal(err)
	}
	vtt := "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Bob Named>Over to you.</v>\n\n00:00:04.000 --> 00:00:06.000\n<v Ana Real>I was one of them.</v>\n"
	wantStatus(t, ts.do(t, "PUT", "/api/v1/recordings/panel/tracks/en?name=en.vtt", ts.token, vtt, "Content-Type", "text/vtt"), http.StatusCreated)
	q, err := ts.svc.CreateQuote(ctx, archive.Principal{}, archive.QuoteRequest{RecordingID: "panel", Lang: "en", StartMS: 1000, EndMS: 6000})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func oembedURL(u string, extra ...string) string {
	v := url.Values{"url": {u}, "format": {"json"}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return "/oembed?" + v.Encode()
}

// oembedReply reads an oEmbed answer and checks what the spec requires of
// every response and of type video.
func oembedReply(t *testing.T, resp *http.Response) map[string]any {
	t.Helper()
	wantStatus(t, resp, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("oEmbed Content-Type = %q; want application/json", ct)
	}
	var m map[string]any
	if err := json.Unmarshal(readAll(t, resp), &m); err != nil {
		t.Fatalf("oEmbed answer is not JSON: %v", err)
	}
	if m["version"] != "1.0" || m["type"] != "video" {
		t.Errorf("oEmbed version, type = %v, %v; want 1.0, video", m["version"], m["type"])
	}
	for _, k := range []string{"html", "provider_name", "provider_url", "title"} {
		if s, _ := m[k].(string); s == "" {
			t.Errorf("oEmbed %s = %v; want a string", k, m[k])
		}
	}
	for _, k := range []string{"width", "height"} {
		if n, ok := m[k].(float64); !ok || n < 1 || n != float64(int(n)) {
			t.Errorf("oEmbed %s = %v; want a positive whole number", k, m[k])
		}
	}
	_, tu := m["thumbnail_url"]
	_, tw := m["thumbnail_width"]
	_, th := m["thumbnail_height"]
	if tu != tw || tu != th {
		t.Errorf("oEmbed thumbnail fields come together or not at all: %v", m)
	}
	html, _ := m["html"].(string)
	w, h := int(m["width"].(float64)), int(m["height"].(float64))
	if !regexp.MustCompile(`^<iframe src="[^"]+" width="` + strconv.Itoa(w) + `" height="` + strconv.Itoa(h) + `" title="[^"]*"[^<>]*></iframe>$`).MatchString(html) {
		t.Errorf("oEmbed html = %q; want one iframe of %d×%d", html, w, h)
	}
	return m
}

var iframeSrc = regexp.MustCompile(`src="([^"]+)"`)

// TestOEmbed: a quote URL and a watch URL answer oEmbed 1.0 video JSON
// whose iframe is a frameable embed of this site; the named chair is the
// author, the anonymised speaker never; maxwidth and maxheight are
// honoured; XML is 501; a URL of no quote, no published recording or
// another site is 404.
func TestOEmbed(t *testing.T) {
	ts := newTestServer(t, nil)
	q := embedPanel(t, ts)
	wantStatus(t, ts.do(t, "POST", "/api/v1/recordings", ts.token, map[string]any{"id": "draft", "title": "Draft"}), http.StatusCreated)

	m := oembedReply(t, ts.do(t, "GET", oembedURL(ts.URL+"/q/"+q.ID), "", nil))
	if m["author_name"] != "Bob Named" {
		t.Errorf("quote author_name = %v; want the named chair only", m["author_name"])
	}
	if title := m["title"].(string); !strings.Contains(title, "Over to you.") || !strings.Contains(title, "Side event on trafficking") {
		t.Errorf("quote title = %q; want the words and the recording", title)
	}
	if m["thumbnail_url"] != ts.URL+"/q/"+q.ID+"/card.png" || m["thumbnail_width"] != 1200.0 || m["thumbnail_height"] != 630.0 {
		t.Errorf("quote thumbnail = %v %v×%v; want the 1200×630 card", m["thumbnail_url"], m["thumbnail_width"], m["thumbnail_height"])
	}
	if m["width"] != 640.0 || m["height"] != 360.0 || m["provider_url"] != ts.URL+"/" {
		t.Errorf("quote size %v×%v, provider_url %v; want 640×360 on %s/", m["width"], m["height"], m["provider_url"], ts.URL)
	}
	src := iframeSrc.FindStringSubmatch(m["html"].(string))
	if src == nil || src[1] != ts.URL+"/embed/"+q.ID {
		t.Fatalf("quote iframe = %v; want %s/embed/%s", m["html"], ts.URL, q.ID)
	}
	resp := ts.do(t, "GET", strings.TrimPrefix(src[1], ts.URL), "", nil)
	wantStatus(t, resp, http.StatusOK)
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors *") {
		t.Errorf("the iframe's page cannot be framed: %q", csp)
	}

	small := oembedReply(t, ts.do(t, "GET", oembedURL(ts.URL+"/q/"+q.ID, "maxwidth", "320"), "", nil))
	if small["width"] != 320.0 || small["height"] != 180.0 || small["thumbnail_url"] != nil {
		t.Errorf("maxwidth=320: %v×%v thumbnail %v; want 320×180 and no thumbnail larger than asked", small["width"], small["height"], small["thumbnail_url"])
	}
	low := oembedReply(t, ts.do(t, "GET", oembedURL(ts.URL+"/q/"+q.ID, "maxheight", "90", "maxwidth", "2000"), "", nil))
	if low["width"] != 160.0 || low["height"] != 90.0 {
		t.Errorf("maxheight=90: %v×%v; want 160×90", low["width"], low["height"])
	}

	w := oembedReply(t, ts.do(t, "GET", oembedURL(ts.URL+"/watch/panel?t=1&end=3.5&lang=en"), "", nil))
	if src := iframeSrc.FindStringSubmatch(w["html"].(string)); src == nil || src[1] != ts.URL+"/embed/watch/panel?end=3.5&amp;lang=en&amp;t=1" {
		t.Errorf("watch iframe = %v; want /embed/watch/panel with t, end and lang", w["html"])
	}
	if title := w["title"].(string); !strings.HasPrefix(title, "Side event on trafficking") || w["author_name"] != nil {
		t.Errorf("watch oEmbed = %v; want the recording's title, no author", w)
	}
	// No poster frame here (no media worker): the title card.
	if w["thumbnail_url"] != ts.URL+"/watch/panel/card.png" || w["thumbnail_width"] != 1200.0 || w["thumbnail_height"] != 630.0 {
		t.Errorf("watch thumbnail = %v %v×%v; want the recording's 1200×630 title card", w["thumbnail_url"], w["thumbnail_width"], w["thumbnail_height"])
	}
	// Without format, JSON too; a URL of the site on its other scheme too.
	oembedReply(t, ts.do(t, "GET", "/oembed?url="+url.QueryEscape(strings.Replace(ts.URL, "http:", "https:", 1)+"/watch/panel"), "", nil))

	other := "zzzzzzzzzzzz"
	for _, tt := range []struct {
		query string
		want  int
	}{
		{oembedURL(ts.URL+"/q/"+q.ID, "format", "xml"), http.StatusNotImplemented},
		{oembedURL(ts.URL + "/q/" + other), http.StatusNotFound},
		{oembedURL(ts.URL + "/q/nope"), http.StatusNotFound},
		{oembedURL(ts.URL + "/watch/nope"), http.StatusNotFound},
		{oembedURL(ts.URL + "/watch/draft"), http.StatusNotFound},
		{oembedURL(ts.URL + "/search?q=words"), http.StatusNotFound},
		{oembedURL(ts.URL + "/embed/" + q.ID), http.StatusNotFound},
		{oembedURL("https://example.org/q/" + q.ID), http.StatusNotFound},
		{oembedURL("/q/" + q.ID), http.StatusNotFound},
		{oembedURL("javascript:alert(1)"), http.StatusNotFound},
		{"/oembed?format=json", http.StatusBadRequest},
		{oembedURL(ts.URL+"/q/"+q.ID, "maxwidth", "wide"), http.StatusBadRequest},
		{oembedURL(ts.URL+"/q/"+q.ID, "maxheight", "0"), http.StatusBadRequest},
		{oembedURL(ts.URL + "/watch/panel?t=" + strings.Repeat("9", 3000)), http.StatusBadRequest},
	} {
		resp := ts.do(t, "GET", tt.query, "", nil)
		body := readAll(t, resp)
		var e struct {
			Error struct{ Code, Message string }
		}
		if resp.StatusCode != tt.want || json.Unmarshal(body, &e) != nil || e.Error.Message == "" {
			t.Errorf("GET %.120s = %d %s; want %d with a JSON error", tt.query, resp.StatusCode, body, tt.want)
		}
	}
}

// TestEmbedConsent: after the quoted chair is hidden the embed, its
// captions and the oEmbed carry neither his words nor his name: the
// withheld notice instead, and no video. Before, they do (so the test can
// fail).
func TestEmbedConsent(t *testing.T) {
	ts := newTestServer(t, nil)
	q := embedPanel(t, ts)
	words := []string{"Over to you", "Bob Named", "I was one of them", "Member A"}
	check := func(hidden bool) {
		t.Helper()
		_, page := getText(t, ts, "/embed/"+q.ID)
		_, vtt := getText(t, ts, "/q/"+q.ID+"/captions.vtt")
		_, oe := getText(t, ts, oembedURL(ts.URL+"/q/"+q.ID))
		// The page names the speaker (the words are its captions).
		for what, body := range map[string]string{"embed page": page, "captions": vtt, "oEmbed": oe} {
			for _, w := range words[:2] {
				if w == words[0] && what == "embed page" {
					continue
				}
				if got := strings.Contains(body, w); got == hidden {
					t.Errorf("hidden=%v: %s contains %q = %v:\n%s", hidden, what, w, got, body)
				}
			}
		}
		if hidden {
			for _, body := range []string{page, vtt, oe} {
				wantNotContains(t, "after hiding", body, words...)
			}
		}
		if !hidden {
			wantContains(t, "captions", vtt, "00:00:01.000 --> 00:00:03.000\nBob Named: Over to you.", "00:00:04.000 --> 00:00:06.000\nMember A: I was one of them.")
			wantContains(t, "embed page", page, `<video id="clip"`, `src="/media/panel#t=1,6"`, `<track kind="captions" src="/q/`+q.ID+`/captions.vtt" srclang="en"`, `href="/q/`+q.ID+`"`)
			wantNotContains(t, "captions", vtt, "Ana Real")
		}
	}
	check(false)
	// Part of it withheld: the words that may be shown, and no video (it
	// would carry her voice), as for the clip.
	hideSpeaker(t, ts, "panel", "Ana Real")
	_, page := getText(t, ts, "/embed/"+q.ID+"?ui=en")
	_, vtt := getText(t, ts, "/q/"+q.ID+"/captions.vtt")
	wantContains(t, "embed page of a quote part withheld", page, "Part of this passage is withheld", "<p>Over to you.</p>", "<p>Passage withheld at the speaker’s request.</p>", "Bob Named")
	wantNotContains(t, "embed page of a quote part withheld", page, "<video", "I was one of them", "Member A", "Ana Real")
	wantContains(t, "captions of a quote part withheld", vtt, "Bob Named: Over to you.", "Passage withheld")
	wantNotContains(t, "captions of a quote part withheld", vtt, "I was one of them", "Member A", "Ana Real")
	hideSpeaker(t, ts, "panel", "Bob Named")
	check(true)
	_, page = getText(t, ts, "/embed/"+q.ID+"?ui=en")
	wantContains(t, "embed page of a withheld quote", page, "Passage withheld at the speaker’s request.")
	wantNotContains(t, "embed page of a withheld quote", page, "<video", "I was one of them", "Member A")
	_, oe := getText(t, ts, oembedURL(ts.URL+"/q/"+q.ID))
	wantNotContains(t, "oEmbed of a withheld quote", oe, "author_name", "I was one of them", "Member A")
}

func getText(t *testing.T, ts *testServer, path string) (*http.Response, string) {
	t.Helper()
	resp := ts.do(t, "GET", path, "", nil)
	body := string(readAll(t, resp))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d %s", path, resp.StatusCode, body)
	}
	return resp, body
}

// TestOnlyEmbedsFrameable walks every GET route of the route table, as a
// viewer and as a signed-in editor: the embed routes send frame-ancestors
// * and no X-Frame-Options, and every other HTML answer — page, error
// page, redirect target — frame-ancestors 'none' and X-Frame-Options DENY.
func TestOnlyEmbedsFrameable(t *testing.T) {
	site := newWebSite(t, 1, nil)
	ctx := context.Background()
	ed := archive.Principal{Name: "ana", Role: archive.RoleEditor}
	if _, _, err := site.svc.Create(ctx, ed, archive.RecordingInput{ID: "open", Title: "Open panel", Event: "Open panel", Status: archive.StatusPublished}); err != nil {
		t.Fatal(err)
	}
	if _, err := site.svc.PutMedia(ctx, ed, "open", archive.MediaUpload{Body: bytes.NewReader(mediatest.Video(t)), Name: "v.mp4", ContentType: "video/mp4", Size: -1}); err != nil {
		t.Fatal(err)
	}
	if _, err := site.svc.PutTrack(ctx, ed, "open", archive.TrackUpload{Lang: "en", Name: "en.srt", Data: []byte("1\n00:00:01,000 --> 00:00:03,000\nOpen words\n")}); err != nil {
		t.Fatal(err)
	}
	q, err := site.svc.CreateQuote(ctx, archive.Principal{}, archive.QuoteRequest{RecordingID: "open", Lang: "en", StartMS: 1000, EndMS: 3000})
	if err != nil {
		t.Fatal(err)
	}
	self := site.urls[0]
	editor := newBrowserClient(t, self)
	if resp := editor.signIn(t, "ana", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in = %d", resp.StatusCode)
	}
	_, home := newBrowserClient(t, self).send(t, "GET", "/", nil)
	asset := regexp.MustCompile(`/static/app\.[0-9a-f]+\.css`).FindString(home)
	embeds := 0
	for _, route := range server.GETRoutes(site.srvs[0]) {
		path := strings.NewReplacer(":id", "open", ":lang", "en", ":name", "open", ":slug", "open-panel").Replace(route)
		switch {
		case route == "/static/:name":
			path = asset
		case strings.HasPrefix(route, "/q/:id") || route == "/embed/:id":
			path = strings.Replace(path, "open", q.ID, 1)
		case route == "/oembed":
			path = oembedURL(self + "/q/" + q.ID)
		}
		// Each route as found and as not found (an error page is a page).
		missing := strings.NewReplacer("open", "nope", q.ID, "zzzzzzzzzzzz").Replace(path)
		for _, p := range []string{path, missing} {
			for _, c := range []*browserClient{newBrowserClient(t, self), editor} {
				resp, body := c.send(t, "GET", p, nil)
				csp, xfo := resp.Header.Get("Content-Security-Policy"), resp.Header.Get("X-Frame-Options")
				html := strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html")
				switch {
				case route == "/embed/:id" || route == "/embed/watch/:id":
					if !strings.Contains(csp, "frame-ancestors *") || xfo != "" || !html {
						t.Errorf("GET %s (%d, %s): CSP %q, X-Frame-Options %q; want an HTML page that may be framed", p, resp.StatusCode, resp.Header.Get("Content-Type"), csp, xfo)
					}
					if resp.StatusCode == http.StatusOK {
						embeds++
						wantNotContains(t, "embed "+p, body, "<form", `action="/logout"`)
					}
				case strings.Contains(csp, "frame-ancestors") && !strings.Contains(csp, "frame-ancestors 'none'"):
					t.Errorf("GET %s (%d): CSP %q lets other sites frame it", p, resp.StatusCode, csp)
				case html && (!strings.Contains(csp, "frame-ancestors 'none'") || xfo != "DENY"):
					t.Errorf("GET %s (%d): an HTML answer with CSP %q, X-Frame-Options %q; want frame-ancestors 'none' and DENY", p, resp.StatusCode, csp, xfo)
				}
			}
		}
	}
	if embeds != 4 {
		t.Errorf("%d embed pages answered 200; want both embeds for both callers", embeds)
	}
}

func wantContains(t *testing.T, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("%s does not contain %q:\n%s", what, s, body)
		}
	}
}

func wantNotContains(t *testing.T, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(body, s) {
			t.Errorf("%s contains %q; want it absent", what, s)
		}
	}
}

// TestOEmbedPublicURL: with a public URL set, oEmbed answers for links on
// it and writes every absolute URL on it, not on the address reached.
func TestOEmbedPublicURL(t *testing.T) {
	ts := newTestServer(t, func(o *server.Options) { o.PublicURL = "https://archive.example.org" })
	q := embedPanel(t, ts)
	m := oembedReply(t, ts.do(t, "GET", oembedURL("https://archive.example.org/q/"+q.ID), "", nil))
	for _, k := range []string{"provider_url", "thumbnail_url", "html"} {
		if s, _ := m[k].(string); !strings.Contains(s, "https://archive.example.org/") || strings.Contains(s, ts.URL) {
			t.Errorf("%s = %q; want it on the public URL", k, s)
		}
	}
	oembedReply(t, ts.do(t, "GET", oembedURL(ts.URL+"/watch/panel"), "", nil)) // the address reached is the site too
	wantStatus(t, ts.do(t, "GET", oembedURL("https://other.example.org/q/"+q.ID), "", nil), http.StatusNotFound)
}

var oembedLink = regexp.MustCompile(`<link rel="alternate" type="application/json\+oembed" href="([^"]+)" title="([^"]+)">`)

// TestShareTagsAndDiscovery: the watch page says what a preview needs (a
// video.other with its title, description, canonical URL and media) and,
// like the quote page, where its oEmbed is; following that link answers
// the oEmbed of the very moment or quote the page shows.
func TestShareTagsAndDiscovery(t *testing.T) {
	ts := newTestServer(t, nil)
	q := embedPanel(t, ts)
	_, page := getText(t, ts, "/watch/panel?t=1&end=3.5&lang=en")
	tags := metaTags(page)
	for k, want := range map[string]string{
		"og:type": "video.other", "og:title": "Side event on trafficking", "og:url": ts.URL + "/watch/panel",
		"og:video": ts.URL + "/media/panel", "og:video:type": "video/mp4", "twitter:title": "Side event on trafficking",
	} {
		if tags[k] != want {
			t.Errorf("watch page %s = %q; want %q", k, tags[k], want)
		}
	}
	if tags["og:image"] != ts.URL+"/watch/panel/card.png" || tags["og:image:width"] != "1200" || tags["og:image:height"] != "630" || tags["twitter:card"] != "summary_large_image" {
		t.Errorf("watch page image %q %s×%s, twitter:card %q; want the title card, large", tags["og:image"], tags["og:image:width"], tags["og:image:height"], tags["twitter:card"])
	}
	if tags["og:description"] == "" || tags["og:description"] != tags["description"] {
		t.Errorf("watch page og:description = %q; want the page's description %q", tags["og:description"], tags["description"])
	}
	for _, tt := range []struct{ page, wantSrc string }{
		{page, ts.URL + "/embed/watch/panel?end=3.5&amp;lang=en&amp;t=1"},
		{func() string { _, p := getText(t, ts, "/q/"+q.ID); return p }(), ts.URL + "/embed/" + q.ID},
	} {
		m := oembedLink.FindStringSubmatch(tt.page)
		if m == nil {
			t.Errorf("no oEmbed discovery link on the page for %s", tt.wantSrc)
			continue
		}
		href := html.UnescapeString(m[1])
		if !strings.HasPrefix(href, ts.URL+"/oembed?") {
			t.Errorf("oEmbed link %q is not this site's /oembed", href)
			continue
		}
		res := oembedReply(t, ts.do(t, "GET", strings.TrimPrefix(href, ts.URL), "", nil))
		if src := iframeSrc.FindStringSubmatch(res["html"].(string)); src == nil || src[1] != tt.wantSrc {
			t.Errorf("discovered oEmbed iframes %v; want %s", res["html"], tt.wantSrc)
		}
	}
}

// TestEmbedFollowsRetiming: after the quoted track is shifted by +2 s the
// words are 2 s later in the media, and so are the embed's passage and
// its captions (the clip's rule: archive.QuoteView.MediaMoment).
func TestEmbedFollowsRetiming(t *testing.T) {
	ts := newTestServer(t, nil)
	q := embedPanel(t, ts)
	wantStatus(t, ts.do(t, "POST", "/api/v1/recordings/panel/tracks/en/shift", ts.token, map[string]int{"offset_ms": 2000}), http.StatusOK)
	_, page := getText(t, ts, "/embed/"+q.ID)
	wantContains(t, "embed page after a +2 s shift", page, `src="/media/panel#t=3,8"`, `data-start="3" data-end="8"`)
	_, vtt := getText(t, ts, "/q/"+q.ID+"/captions.vtt")
	wantContains(t, "captions after a +2 s shift", vtt, "00:00:03.000 --> 00:00:05.000\nBob Named: Over to you.", "00:00:06.000 --> 00:00:08.000\nMember A: I was one of them.")
}

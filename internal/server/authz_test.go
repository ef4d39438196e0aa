package server_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/bleveindex"
	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
	"github.com/verbatim-archive/verbatim/internal/server"
)

// access is who may use a route, as the route table means it.
type access int

const (
	public     access = iota // everyone; a Bearer token that does not resolve is still 401
	signin                   // the sign-in form: anyone may post it
	draftRead                // reads of a draft: editors only, viewers get 404 (it does not exist for them)
	editorAPI                // API: 401 for viewers, 403 for other roles
	editorPage               // pages: viewers are sent to /login
	adminPage                // pages: editors get 403
	quoteFile                // a quote's card or clip: everyone; the matrix names no quote, so 404 for all, never 401/403 (quote_files_test serves real ones)
)

// routeAccess is the expected access of every route in the table. A new
// route without an entry here fails TestAuthorizationMatrix.
var routeAccess = map[string]access{
	"GET /": public, "HEAD /": public,
	"GET /events/:slug": public, "HEAD /events/:slug": public,
	"GET /healthz": public, "HEAD /healthz": public,
	"GET /readyz": public, "HEAD /readyz": public,
	"GET /media/:id": public, "HEAD /media/:id": public,
	"GET /media/:id/poster.jpg": public, "HEAD /media/:id/poster.jpg": public,
	"GET /watch/:id": public, "HEAD /watch/:id": public,
	"GET /search": public, "HEAD /search": public,
	"GET /static/:name": public, "HEAD /static/:name": public,
	"GET /robots.txt": public, "HEAD /robots.txt": public,
	"GET /sitemap.xml": public, "HEAD /sitemap.xml": public,
	"GET /sitemaps/:file": public, "HEAD /sitemaps/:file": public,
	"GET /feed.atom": public, "HEAD /feed.atom": public,
	"GET /watch/:id/card.png": public, "HEAD /watch/:id/card.png": public,
	"GET /q/:id": public, "HEAD /q/:id": public, // the matrix's quote of the open recording
	"GET /q/:id/card.png": quoteFile, "HEAD /q/:id/card.png": quoteFile,
	"GET /q/:id/clip.mp4": quoteFile, "HEAD /q/:id/clip.mp4": quoteFile,
	"GET /q/:id/clip.webm": quoteFile, "HEAD /q/:id/clip.webm": quoteFile,
	"GET /q/:id/captions.vtt": public, "HEAD /q/:id/captions.vtt": public, // of the matrix's quote
	"GET /embed/:id": public, "HEAD /embed/:id": public, // of the matrix's quote
	"GET /embed/watch/:id": public, "HEAD /embed/watch/:id": public,
	"GET /oembed": public, "HEAD /oembed": public, // of the matrix's quote's URL
	"GET /api/v1/recordings": public, "HEAD /api/v1/recordings": public,
	"GET /api/v1/search": public, "HEAD /api/v1/search": public,
	"POST /api/v1/quotes": signin /* anyone may post */, "GET /api/v1/quotes/:id": public, "HEAD /api/v1/quotes/:id": public,
	"GET /api/v1/recordings/:id": draftRead, "HEAD /api/v1/recordings/:id": draftRead,
	"GET /api/v1/recordings/:id/tracks/:lang": draftRead, "HEAD /api/v1/recordings/:id/tracks/:lang": draftRead,

	"POST /api/v1/recordings":                         editorAPI,
	"PATCH /api/v1/recordings/:id":                    editorAPI,
	"DELETE /api/v1/recordings/:id":                   editorAPI,
	"PUT /api/v1/recordings/:id/media":                editorAPI,
	"PUT /api/v1/recordings/:id/tracks/:lang":         editorAPI,
	"POST /api/v1/recordings/:id/tracks/:lang/check":  editorAPI,
	"DELETE /api/v1/recordings/:id/tracks/:lang":      editorAPI,
	"GET /api/v1/recordings/:id/tracks/:lang/source":  editorAPI,
	"HEAD /api/v1/recordings/:id/tracks/:lang/source": editorAPI,
	"GET /api/v1/recordings/:id/audit":                editorAPI,
	"HEAD /api/v1/recordings/:id/audit":               editorAPI,
	"POST /api/v1/recordings/:id/tracks/:lang/shift":  editorAPI,
	"POST /api/v1/recordings/:id/tracks/:lang/linear": editorAPI,
	"POST /api/v1/uploads/":                           editorAPI,
	"HEAD /api/v1/uploads/:upload":                    editorAPI,
	"PATCH /api/v1/uploads/:upload":                   editorAPI,
	"DELETE /api/v1/uploads/:upload":                  editorAPI,

	"GET /login": signin, "HEAD /login": signin, "POST /login": signin, "POST /logout": signin,

	"GET /edit": editorPage, "HEAD /edit": editorPage,
	"echo_route_not_found /edit": editorPage, "echo_route_not_found /edit/*": editorPage,
	"GET /edit/new": editorPage, "HEAD /edit/new": editorPage, "POST /edit/new": editorPage,
	"GET /edit/:id": editorPage, "HEAD /edit/:id": editorPage, "POST /edit/:id": editorPage, "POST /edit/:id/delete": editorPage,
	"GET /edit/password": editorPage, "HEAD /edit/password": editorPage, "POST /edit/password": editorPage,
	"GET /edit/:id/speakers": editorPage, "HEAD /edit/:id/speakers": editorPage, "POST /edit/:id/speakers": editorPage,

	"GET /admin/accounts": adminPage, "HEAD /admin/accounts": adminPage, "POST /admin/accounts": adminPage,
	"POST /admin/accounts/:name/:action": adminPage,
	"echo_route_not_found /admin":        adminPage, "echo_route_not_found /admin/*": adminPage,
}

// principal is one kind of caller, with what it sends.
type principal struct {
	name    string
	bearer  string
	cookies []*http.Cookie
	csrf    string
	viewer  bool // must never see draft content
}

// want is the expected outcome of a route for a principal: an exact
// status, or "allowed" (anything but 401, 403 and a redirect to sign-in).
func want(a access, p string) (status int, allowed bool) {
	switch p {
	case "revoked token", "bad token":
		return http.StatusUnauthorized, false
	}
	viewer := p == "anonymous" || p == "expired session"
	switch a {
	case public:
		return http.StatusOK, false
	case quoteFile:
		return http.StatusNotFound, false
	case signin:
		return 0, true
	case draftRead:
		if viewer {
			return http.StatusNotFound, false
		}
		return http.StatusOK, false
	case editorAPI:
		if viewer {
			return http.StatusUnauthorized, false
		}
	case editorPage:
		if viewer {
			return http.StatusSeeOther, false
		}
	case adminPage:
		if viewer {
			return http.StatusSeeOther, false
		}
		if p != "admin" {
			return http.StatusForbidden, false
		}
	}
	return 0, true
}

const secret = "SECRET"

// TestAuthorizationMatrix: every route of the table, for every kind of
// caller, answers as routeAccess says, and no response to a viewer
// carries draft content.
func TestAuthorizationMatrix(t *testing.T) {
	site := newWebSite(t, 1, func(o *server.Options) {
		o.SessionTTL = time.Hour
		o.SitemapPageSize = 1 // an index, so /sitemaps/recordings-1.xml exists
	})
	ctx := context.Background()
	ed := archive.Principal{Name: "ana", Role: archive.RoleEditor}
	if _, err := site.svc.AddAccount(ctx, "root", archive.RoleAdmin, []byte(testPassword)); err != nil {
		t.Fatal(err)
	}
	seed := func(id, title string, status archive.Status) {
		t.Helper()
		if _, _, err := site.svc.Create(ctx, ed, archive.RecordingInput{ID: id, Title: title, Event: title, Status: status}); err != nil {
			t.Fatal(err)
		}
		if _, err := site.svc.PutMedia(ctx, ed, id, archive.MediaUpload{Body: bytes.NewReader(mediatest.WithData(t, []byte(title+" media"))), Name: "v.mp4", ContentType: "video/mp4", Size: -1}); err != nil {
			t.Fatal(err)
		}
		srt := "1\n00:00:01,000 --> 00:00:03,000\n" + title + " words\n"
		if _, err := site.svc.PutTrack(ctx, ed, id, archive.TrackUpload{Lang: "en", Name: "en.srt", Data: []byte(srt)}); err != nil {
			t.Fatal(err)
		}
	}
	seed("open", "Open panel", archive.StatusPublished)
	seed("draft", secret+" draft", archive.StatusDraft)
	givePosters(t, site.store) // /media/:id/poster.jpg is there to be asked for
	quote, err := site.svc.CreateQuote(ctx, archive.Principal{}, archive.QuoteRequest{RecordingID: "open", Lang: "en", StartMS: 1000, EndMS: 3000})
	if err != nil {
		t.Fatal(err)
	}

	self := site.urls[0]
	principals := matrixPrincipals(t, site)
	_, home := newBrowserClient(t, self).send(t, "GET", "/", nil)
	asset := regexp.MustCompile(`/static/app\.[0-9a-f]+\.css`).FindString(home)
	routes := site.srvs[0].Routes()
	fresh := 0
	for _, r := range routes {
		key := r.Method + " " + r.Path
		a, ok := routeAccess[key]
		if !ok {
			t.Errorf("route %s has no entry in routeAccess: say who may use it", key)
			continue
		}
		for _, p := range principals {
			id := "open"
			if a == draftRead || a == editorAPI {
				id = "draft"
			}
			unsafe := r.Method != "GET" && r.Method != "HEAD"
			status, allowed := want(a, p.name)
			if unsafe && allowed { // a write that may happen gets a recording or an account of its own
				fresh++
				id = fmt.Sprintf("w%d", fresh)
				switch {
				case strings.Contains(r.Path, ":id"):
					seed(id, secret+" fresh", archive.StatusDraft)
				case strings.Contains(r.Path, ":name") || r.Path == "/login":
					if _, err := site.svc.AddAccount(ctx, id, archive.RoleEditor, []byte(testPassword)); err != nil {
						t.Fatal(err)
					}
				}
			} else if unsafe {
				id = "draft"
			}
			path, body, ctype := matrixRequest(r, id, asset, mediatest.Video(t))
			path = strings.Replace(path, "/api/v1/quotes/open", "/api/v1/quotes/"+quote.ID, 1)
			if path == "/q/open" {
				path = "/q/" + quote.ID
			}
			path = strings.Replace(path, "/embed/open", "/embed/"+quote.ID, 1)
			path = strings.Replace(path, "/q/open/captions.vtt", "/q/"+quote.ID+"/captions.vtt", 1)
			if r.Path == "/oembed" {
				path += "?url=" + url.QueryEscape(self+"/q/"+quote.ID)
			}
			method := r.Method
			if method == "echo_route_not_found" {
				method = "GET"
			}
			req, _ := http.NewRequest(method, self+path, body)
			req.Header.Set("Accept", "text/html")
			if ctype != "" {
				req.Header.Set("Content-Type", ctype)
			}
			if p.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+p.bearer)
			}
			for _, c := range p.cookies {
				req.AddCookie(c)
			}
			if unsafe {
				req.Header.Set("Origin", self)
				req.Header.Set("X-CSRF-Token", p.csrf)
			}
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			loc := resp.Header.Get("Location")
			switch {
			case allowed && (resp.StatusCode == 401 || resp.StatusCode == 403 || strings.HasPrefix(loc, "/login")):
				t.Errorf("%s as %s = %d %s; want it allowed\n%.300s", key, p.name, resp.StatusCode, loc, got)
			case !allowed && resp.StatusCode != status:
				t.Errorf("%s as %s = %d; want %d\n%.300s", key, p.name, resp.StatusCode, status, got)
			case !allowed && status == http.StatusSeeOther && !strings.HasPrefix(loc, "/login"):
				t.Errorf("%s as %s redirects to %q; want /login", key, p.name, loc)
			}
			if p.viewer && bytes.Contains(got, []byte(secret)) {
				t.Errorf("%s as %s: the response carries draft content:\n%.300s", key, p.name, got)
			}
		}
		// Every read, asked by a viewer for the draft, shows nothing of it.
		if r.Method == "GET" && strings.Contains(r.Path, ":id") {
			for _, p := range principals {
				if !p.viewer {
					continue
				}
				path, _, _ := matrixRequest(r, "draft", asset, nil)
				req, _ := http.NewRequest("GET", self+path, nil)
				for _, c := range p.cookies {
					req.AddCookie(c)
				}
				resp, err := http.DefaultTransport.RoundTrip(req)
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				// An editor page sends a viewer to sign in instead.
				toLogin := resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login")
				if resp.StatusCode < 400 && !toLogin || bytes.Contains(got, []byte(secret)) {
					t.Errorf("%s for the draft as %s = %d; want a 4xx with nothing of it\n%.300s", key, p.name, resp.StatusCode, got)
				}
			}
		}
	}
	for key := range routeAccess {
		found := false
		for _, r := range routes {
			found = found || r.Method+" "+r.Path == key
		}
		if !found {
			t.Errorf("routeAccess has %s, which is not in the route table", key)
		}
	}
}

// matrixRequest fills a route's parameters and gives it a plausible body.
func matrixRequest(r server.Route, id, asset string, video []byte) (string, io.Reader, string) {
	p := strings.NewReplacer(":id", id, ":lang", "en", ":name", id, ":action", "token", ":slug", "open-panel", ":file", "recordings-1.xml", "/*", "/nope").Replace(r.Path)
	switch r.Path {
	case "/static/:name":
		p = asset
	case "/search", "/api/v1/search":
		p += "?q=words"
	}
	switch {
	case r.Method == "PUT" && strings.HasSuffix(r.Path, "/media"):
		return p, bytes.NewReader(video), "video/mp4"
	case r.Method == "PUT":
		return p, strings.NewReader("1\n00:00:01,000 --> 00:00:02,000\nhello\n"), "application/x-subrip"
	case r.Path == "/login": // a right password: the answer is a redirect, not a refusal
		return p, strings.NewReader(url.Values{"name": {id}, "password": {testPassword}}.Encode()), "application/x-www-form-urlencoded"
	case r.Path == "/edit/password": // a new password too short: refused as input, nothing changes
		return p, strings.NewReader(url.Values{"current": {testPassword}, "new": {"short"}}.Encode()), "application/x-www-form-urlencoded"
	case r.Path == "/api/v1/quotes": // anyone may quote a published recording
		return p, strings.NewReader(`{"recording_id":"open","lang":"en","start_ms":1000,"end_ms":3000}`), "application/json"
	case strings.HasPrefix(r.Path, "/api/") && (r.Method == "POST" || r.Method == "PATCH"):
		return p, strings.NewReader(`{}`), "application/json"
	case r.Method == "POST":
		return p, strings.NewReader(url.Values{"name": {"x" + id}, "role": {"editor"}}.Encode()), "application/x-www-form-urlencoded"
	}
	return p, nil, ""
}

// matrixPrincipals signs in an editor and an admin, and makes a revoked
// token, an expired session (signed by an instance whose clock is two
// hours behind, on the same store and key) and a malformed token.
func matrixPrincipals(t *testing.T, site *webSite) []principal {
	t.Helper()
	ctx := context.Background()
	self := site.urls[0]
	// An anonymous browser's sign-in CSRF cookie and token.
	b := newBrowserClient(t, self)
	_, page := b.send(t, "GET", "/login", nil)
	u, _ := url.Parse(self)
	anonCookies, anonToken := b.Jar.Cookies(u), formToken(t, page)

	signed := func(name string) principal {
		c := newBrowserClient(t, self)
		if resp := c.signIn(t, name, testPassword); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in %s = %d", name, resp.StatusCode)
		}
		_, page := c.send(t, "GET", "/edit", nil)
		return principal{name: name, cookies: c.Jar.Cookies(u), csrf: formToken(t, page)}
	}
	editor, admin := signed("ana"), signed("root")
	editor.name, admin.name = "editor", "admin"

	revoked, err := site.svc.IssueToken(ctx, archive.Principal{Name: "root", Role: archive.RoleAdmin}, "ana", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := site.svc.IssueToken(ctx, archive.Principal{Name: "root", Role: archive.RoleAdmin}, "root", true); err != nil {
		t.Fatal(err)
	}
	ana, _ := site.svc.IssueToken(ctx, archive.Principal{Name: "root", Role: archive.RoleAdmin}, "ana", true) // revokes `revoked`

	bi, err := bleveindex.OpenMem()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bi.Close() })
	past := func() time.Time { return time.Now().Add(-2 * time.Hour) }
	svc, err := archive.NewService(archive.Options{Blobs: site.store, Index: bi, PasswordCost: bcrypt.MinCost, Now: past})
	if err != nil {
		t.Fatal(err)
	}
	old, err := server.New(server.Options{Service: svc, Now: past, SessionTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	oldSite := httptestServer(t, old)
	c := newBrowserClient(t, oldSite)
	if resp := c.signIn(t, "ana", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in on the instance in the past = %d", resp.StatusCode)
	}
	ou, _ := url.Parse(oldSite)
	expired := principal{name: "expired session", cookies: anonCookies, csrf: anonToken, viewer: true}
	for _, ck := range c.Jar.Cookies(ou) {
		if strings.Contains(ck.Name, "session") {
			expired.cookies = append([]*http.Cookie{ck}, anonCookies...)
		}
	}
	if len(expired.cookies) == len(anonCookies) {
		t.Fatal("the instance in the past set no session cookie")
	}

	return []principal{
		{name: "anonymous", cookies: anonCookies, csrf: anonToken, viewer: true},
		editor,
		{name: "editor token", bearer: ana},
		admin,
		{name: "revoked token", bearer: revoked, viewer: true},
		expired,
		{name: "bad token", bearer: "vbt_not-a-token", viewer: true},
	}
}

// frameTools make a plain JPEG for any video: the matrix's videos are
// headers without decodable frames, and only the poster's presence counts.
type frameTools struct{}

func (frameTools) Poster(_ context.Context, _ archive.MediaInput, _ time.Duration, out string) error {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 16, 9)), nil); err != nil {
		return err
	}
	return os.WriteFile(out, b.Bytes(), 0o600)
}

func (frameTools) Faststart(context.Context, archive.MediaInput, string) error {
	return errors.New("frameTools: no remux")
}

// givePosters runs a media worker with frameTools over store's work.
func givePosters(t *testing.T, store archive.Blobs) {
	t.Helper()
	svc, err := archive.NewService(archive.Options{Blobs: store, MediaTools: frameTools{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.ProcessMedia(context.Background()); err != nil {
		t.Fatal(err)
	}
}

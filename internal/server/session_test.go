package server_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/bleveindex"
	"github.com/verbatim-archive/verbatim/internal/disk"
	"github.com/verbatim-archive/verbatim/internal/server"
)

const testPassword = "correct horse battery"

// clock is a settable clock shared by a test's servers.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// webSite is one store shared by several server instances (as behind a
// load balancer), each with its own Service, with an editor "ana" (who
// has a password) and her API token.
type webSite struct {
	store *disk.Store
	svc   *archive.Service // the first instance's
	token string
	clock *clock
	urls  []string
	svcs  []*archive.Service
	srvs  []*server.Server
}

func newWebSite(tb testing.TB, instances int, mod func(*server.Options)) *webSite {
	tb.Helper()
	store, err := disk.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	site := &webSite{store: store, clock: &clock{t: time.Now()}}
	for i := range instances {
		bi, err := bleveindex.OpenMem()
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { bi.Close() })
		svc, err := archive.NewService(archive.Options{Blobs: store, Index: bi, PasswordCost: bcrypt.MinCost, Now: site.clock.now})
		if err != nil {
			tb.Fatal(err)
		}
		if i == 0 {
			site.svc = svc
			if site.token, err = svc.AddAccount(context.Background(), "ana", archive.RoleEditor, []byte(testPassword)); err != nil {
				tb.Fatal(err)
			}
		}
		opts := server.Options{Service: svc, Now: site.clock.now}
		if mod != nil {
			mod(&opts)
		}
		srv, err := server.New(opts)
		if err != nil {
			tb.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		tb.Cleanup(ts.Close)
		site.urls = append(site.urls, ts.URL)
		site.svcs = append(site.svcs, svc)
		site.srvs = append(site.srvs, srv)
	}
	return site
}

// browserClient keeps cookies and does not follow redirects, like a
// browser whose every step the test looks at.
type browserClient struct {
	http.Client
	base string
}

func newBrowserClient(tb testing.TB, base string) *browserClient {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &browserClient{base: base, Client: http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// on returns a client for another instance with the same cookies.
func (b *browserClient) on(base string) *browserClient {
	u, _ := url.Parse(b.base)
	v, _ := url.Parse(base)
	// Instances are on different ports of one host: cookies are per host.
	if u.Hostname() != v.Hostname() {
		panic("instances must share a host")
	}
	c := *b
	c.base = base
	return &c
}

func (b *browserClient) send(tb testing.TB, method, path string, body io.Reader, header ...string) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := b.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, string(data)
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// formToken is the CSRF token in a page's form.
func formToken(tb testing.TB, page string) string {
	tb.Helper()
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		tb.Fatalf("no _csrf field in page:\n%s", page)
	}
	return html.UnescapeString(m[1])
}

// post submits a form as a browser on this site does (Origin set).
func (b *browserClient) post(tb testing.TB, path string, form url.Values, header ...string) (*http.Response, string) {
	tb.Helper()
	h := append([]string{"Content-Type", "application/x-www-form-urlencoded", "Origin", b.base}, header...)
	return b.send(tb, "POST", path, strings.NewReader(form.Encode()), h...)
}

// signIn opens the sign-in page and submits it.
func (b *browserClient) signIn(tb testing.TB, name, password string) *http.Response {
	tb.Helper()
	resp, page := b.send(tb, "GET", "/login", nil)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET /login = %d", resp.StatusCode)
	}
	resp, _ = b.post(tb, "/login", url.Values{"_csrf": {formToken(tb, page)}, "name": {name}, "password": {password}})
	return resp
}

// TestSignInAcrossInstances: a session signed by one instance is accepted
// by another on the same storage (the key is created once in storage),
// and signing out ends it on both.
func TestSignInAcrossInstances(t *testing.T) {
	site := newWebSite(t, 2, nil)
	if _, _, err := site.svc.Create(context.Background(), archive.Principal{Name: "ana", Role: archive.RoleEditor},
		archive.RecordingInput{ID: "draft-panel", Title: "A draft panel"}); err != nil {
		t.Fatal(err)
	}
	b := newBrowserClient(t, site.urls[0])
	resp := b.signIn(t, "ana", testPassword)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/edit" {
		t.Fatalf("sign-in = %d to %q; want 303 to /edit", resp.StatusCode, resp.Header.Get("Location"))
	}
	var sc *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "verbatim_session" {
			sc = c
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Path != "/" || sc.Secure {
		t.Fatalf("session cookie over plain http = %+v; want verbatim_session, HttpOnly, SameSite=Lax, Path=/, not Secure", sc)
	}
	for i, u := range site.urls {
		resp, page := b.on(u).send(t, "GET", "/edit", nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "A draft panel") {
			t.Fatalf("instance %d: GET /edit = %d; want 200 with the draft listed\n%s", i, resp.StatusCode, page)
		}
	}
	// Sign out on the second instance: both refuse the cookie afterwards.
	_, page := b.on(site.urls[1]).send(t, "GET", "/edit", nil)
	resp, _ = b.on(site.urls[1]).post(t, "/logout", url.Values{"_csrf": {formToken(t, page)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /logout = %d; want 303", resp.StatusCode)
	}
	// Replay the old cookie, as a thief who copied it would.
	for i, u := range site.urls {
		replay := newBrowserClient(t, u)
		req, _ := http.NewRequest("GET", u+"/edit", nil)
		req.AddCookie(&http.Cookie{Name: sc.Name, Value: sc.Value})
		resp, err := replay.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("instance %d: signed-out cookie: GET /edit = %d to %q; want 303 to /login", i, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

// TestSessionCookieBehindTLSProxy: behind a trusted proxy that says https
// the cookie is __Host- prefixed and Secure; an untrusted client sending
// the same header gets the plain one.
func TestSessionCookieBehindTLSProxy(t *testing.T) {
	for _, tt := range []struct {
		trusted []string
		want    string
		secure  bool
	}{
		{[]string{"127.0.0.0/8"}, "__Host-verbatim_session", true},
		{nil, "verbatim_session", false},
	} {
		site := newWebSite(t, 1, func(o *server.Options) { o.TrustedProxies = tt.trusted })
		b := newBrowserClient(t, site.urls[0])
		_, page := b.send(t, "GET", "/login", nil, "X-Forwarded-Proto", "https")
		// Send by hand what a browser would send over https.
		var csrf *http.Cookie
		u, _ := url.Parse(site.urls[0])
		for _, c := range b.Jar.Cookies(u) {
			csrf = c
		}
		form := url.Values{"_csrf": {formToken(t, page)}, "name": {"ana"}, "password": {testPassword}}
		req, _ := http.NewRequest("POST", site.urls[0]+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-Proto", "https")
		origin := "http://" + u.Host
		if tt.secure {
			origin = "https://" + u.Host
		}
		req.Header.Set("Origin", origin)
		if csrf == nil {
			t.Fatalf("trusted %v: the sign-in page set no cookie", tt.trusted)
		}
		req.AddCookie(&http.Cookie{Name: csrf.Name, Value: csrf.Value})
		resp, err := b.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var got *http.Cookie
		for _, c := range resp.Cookies() {
			if strings.Contains(c.Name, "session") {
				got = c
			}
		}
		if resp.StatusCode != http.StatusSeeOther || got == nil || got.Name != tt.want || got.Secure != tt.secure || !got.HttpOnly || got.Path != "/" {
			t.Errorf("trusted %v: sign-in = %d, cookie %+v; want 303 and %s (Secure %v, HttpOnly, Path=/)", tt.trusted, resp.StatusCode, got, tt.want, tt.secure)
		}
	}
}

// TestSessionExpires: a session is refused once its lifetime has passed.
func TestSessionExpires(t *testing.T) {
	site := newWebSite(t, 1, func(o *server.Options) { o.SessionTTL = time.Hour })
	b := newBrowserClient(t, site.urls[0])
	if resp := b.signIn(t, "ana", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in = %d", resp.StatusCode)
	}
	if resp, _ := b.send(t, "GET", "/edit", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /edit right after sign-in = %d", resp.StatusCode)
	}
	site.clock.add(time.Hour + time.Second)
	if resp, _ := b.send(t, "GET", "/edit", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("GET /edit after the session's hour = %d; want 303 to sign-in", resp.StatusCode)
	}
}

// TestSignInSameAnswer: unknown account and wrong password cannot be told
// apart by status or page.
func TestSignInSameAnswer(t *testing.T) {
	site := newWebSite(t, 1, nil)
	var pages []string
	for _, name := range []string{"ana", "nobody"} {
		b := newBrowserClient(t, site.urls[0])
		_, page := b.send(t, "GET", "/login", nil)
		resp, page := b.post(t, "/login", url.Values{"_csrf": {formToken(t, page)}, "name": {name}, "password": {"wrong password!"}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("sign-in as %s with a wrong password = %d; want 401", name, resp.StatusCode)
		}
		pages = append(pages, strings.ReplaceAll(csrfInput.ReplaceAllString(page, ""), name, "NAME"))
	}
	if pages[0] != pages[1] {
		t.Errorf("wrong password and unknown account answer differently:\n%s\n----\n%s", pages[0], pages[1])
	}
}

// TestSessionKeyRotation: with configured keys the first signs and every
// one verifies, so a new key put first keeps old sessions valid until the
// old key is dropped.
func TestSessionKeyRotation(t *testing.T) {
	oldKey := []byte("old-key-0123456789abcdef0123456789")
	newKey := []byte("new-key-0123456789abcdef0123456789")
	keys := [][][]byte{{oldKey}, {newKey, oldKey}, {newKey}}
	n := 0
	site := newWebSite(t, 3, func(o *server.Options) { o.SessionKeys = keys[n]; n++ })
	b := newBrowserClient(t, site.urls[0])
	if resp := b.signIn(t, "ana", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in = %d", resp.StatusCode)
	}
	for i, want := range []int{http.StatusOK, http.StatusOK, http.StatusSeeOther} {
		if resp, _ := b.on(site.urls[i]).send(t, "GET", "/edit", nil); resp.StatusCode != want {
			t.Errorf("session signed with the old key, instance with keys %q: GET /edit = %d; want %d", keys[i], resp.StatusCode, want)
		}
	}
	if _, err := server.New(server.Options{Service: site.svc, SessionKeys: [][]byte{[]byte("short")}}); err == nil {
		t.Errorf("New with a 5-byte session key succeeded")
	}
}

func httptestServer(tb testing.TB, h http.Handler) string {
	tb.Helper()
	ts := httptest.NewServer(h)
	tb.Cleanup(ts.Close)
	return ts.URL
}

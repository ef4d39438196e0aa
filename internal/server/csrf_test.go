package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/server"
)

// TestCSRF: a cookie-authenticated write needs the page's token and must
// come from this site; Bearer-token requests are exempt.
func TestCSRF(t *testing.T) {
	site := newWebSite(t, 1, nil)
	ctx := context.Background()
	ana := archive.Principal{Name: "ana", Role: archive.RoleEditor}
	if _, _, err := site.svc.Create(ctx, ana, archive.RecordingInput{ID: "panel", Title: "Panel"}); err != nil {
		t.Fatal(err)
	}
	b := newBrowserClient(t, site.urls[0])
	if resp := b.signIn(t, "ana", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in = %d", resp.StatusCode)
	}
	_, page := b.send(t, "GET", "/edit", nil)
	token := formToken(t, page)
	self := site.urls[0]

	tests := []struct {
		name   string
		header []string
		want   int
	}{
		{"no token", []string{"Origin", self}, http.StatusForbidden},
		{"wrong token", []string{"Origin", self, "X-CSRF-Token", "AAAA" + token[4:]}, http.StatusForbidden},
		{"token from another Origin", []string{"Origin", "https://evil.example", "X-CSRF-Token", token}, http.StatusForbidden},
		{"token, cross-site fetch", []string{"Sec-Fetch-Site", "cross-site", "X-CSRF-Token", token}, http.StatusForbidden},
		{"token, same-site subdomain", []string{"Sec-Fetch-Site", "same-site", "X-CSRF-Token", token}, http.StatusForbidden},
		{"token, Origin null", []string{"Origin", "null", "X-CSRF-Token", token}, http.StatusForbidden},
		{"token and this Origin", []string{"Origin", self, "X-CSRF-Token", token}, http.StatusOK},
		{"token, same-origin fetch", []string{"Sec-Fetch-Site", "same-origin", "X-CSRF-Token", token}, http.StatusOK},
	}
	for i, tt := range tests {
		_, etag, err := site.svc.Get(ctx, ana, "panel")
		if err != nil {
			t.Fatal(err)
		}
		body := `{"title":"Panel ` + strconv.Itoa(i) + `"}`
		h := append([]string{"Content-Type", "application/json", "If-Match", `"` + etag + `"`, "Accept", "application/json"}, tt.header...)
		resp, msg := b.send(t, "PATCH", "/api/v1/recordings/panel", strings.NewReader(body), h...)
		if resp.StatusCode != tt.want {
			t.Errorf("%s: cookie PATCH = %d; want %d\n%s", tt.name, resp.StatusCode, tt.want, msg)
		}
		rec, _, _ := site.svc.Get(ctx, ana, "panel")
		if changed := rec.Title == "Panel "+strconv.Itoa(i); changed != (tt.want == http.StatusOK) {
			t.Errorf("%s: title now %q: the refused write changed it, or the accepted one did not", tt.name, rec.Title)
		}
	}

	// The sign-out form without its token does not sign out.
	resp, _ := b.post(t, "/logout", url.Values{})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST /logout without token = %d; want 403", resp.StatusCode)
	}
	if resp, _ := b.send(t, "GET", "/edit", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("after a refused sign-out GET /edit = %d; want 200 (still signed in)", resp.StatusCode)
	}

	// A Bearer request from any Origin needs no token: browsers never add
	// Authorization by themselves.
	_, etag, _ := site.svc.Get(ctx, ana, "panel")
	resp, msg := newBrowserClient(t, self).send(t, "PATCH", "/api/v1/recordings/panel", strings.NewReader(`{"title":"By token"}`),
		"Content-Type", "application/json", "If-Match", `"`+etag+`"`, "Authorization", "Bearer "+site.token, "Origin", "https://tool.example")
	if resp.StatusCode != http.StatusOK {
		t.Errorf("Bearer PATCH from another Origin = %d; want 200\n%s", resp.StatusCode, msg)
	}

	// Login CSRF: the sign-in form without the token of its page.
	c := newBrowserClient(t, self)
	resp, _ = c.post(t, "/login", url.Values{"name": {"ana"}, "password": {testPassword}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST /login without a token = %d; want 403", resp.StatusCode)
	}
}

// TestSignInThrottle: repeated failures are refused with 429 and
// Retry-After, per account and per client address, even once the right
// password is given; the window passing lets the account in again.
func TestSignInThrottle(t *testing.T) {
	site := newWebSite(t, 1, func(o *server.Options) {
		o.LoginPerAccount, o.LoginPerAddress, o.LoginWindow = 3, 6, 10*time.Minute
	})
	ctx := context.Background()
	if _, err := site.svc.AddAccount(ctx, "ben", archive.RoleEditor, []byte(testPassword)); err != nil {
		t.Fatal(err)
	}
	b := newBrowserClient(t, site.urls[0])
	try := func(name, pw string) *http.Response {
		_, page := b.send(t, "GET", "/login", nil)
		resp, _ := b.post(t, "/login", url.Values{"_csrf": {formToken(t, page)}, "name": {name}, "password": {pw}})
		return resp
	}
	for i := range 3 {
		if resp := try("ana", "wrong password"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d for ana = %d; want 401", i+1, resp.StatusCode)
		}
	}
	resp := try("ana", testPassword)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("4th attempt for ana (right password) = %d; want 429", resp.StatusCode)
	}
	if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra <= 0 || ra > 600 {
		t.Errorf("Retry-After = %q; want seconds within the 10-minute window", resp.Header.Get("Retry-After"))
	}
	// Per address: failures for other (even unknown) accounts add up.
	for _, name := range []string{"carla", "dmitri", "eve"} {
		if resp := try(name, "wrong password"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure for %s = %d; want 401", name, resp.StatusCode)
		}
	}
	if resp := try("ben", testPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("ben, right password, after 6 failures from this address = %d; want 429", resp.StatusCode)
	}
	site.clock.add(10*time.Minute + time.Second)
	if resp := try("ana", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("ana after the window = %d; want 303 (signed in)", resp.StatusCode)
	}
}

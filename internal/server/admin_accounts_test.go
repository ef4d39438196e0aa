package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

var tokenInPage = regexp.MustCompile(`<code class="token" id="new-token">(vbt_[A-Za-z0-9_-]+)</code>`)

// TestAdminAccountsPage: an admin adds an account (its token shown once),
// issues a token and removes the account on the page; an editor may not
// open the page.
func TestAdminAccountsPage(t *testing.T) {
	site := newWebSite(t, 1, nil)
	ctx := context.Background()
	if _, err := site.svc.AddAccount(ctx, "root", archive.RoleAdmin, []byte(testPassword)); err != nil {
		t.Fatal(err)
	}
	editor := newBrowserClient(t, site.urls[0])
	editor.signIn(t, "ana", testPassword)
	if resp, _ := editor.send(t, "GET", "/admin/accounts", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("editor GET /admin/accounts = %d; want 403", resp.StatusCode)
	}

	admin := newBrowserClient(t, site.urls[0])
	admin.signIn(t, "root", testPassword)
	resp, page := admin.send(t, "GET", "/admin/accounts", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `data-account="ana"`) || strings.Contains(page, "$2a$") {
		t.Fatalf("GET /admin/accounts = %d; want 200 listing ana and no hash\n%s", resp.StatusCode, page)
	}
	csrf := formToken(t, page)
	resp, page = admin.post(t, "/admin/accounts", url.Values{"_csrf": {csrf}, "name": {"carl"}, "role": {"editor"}, "password": {"a long enough pw"}})
	m := tokenInPage.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("add carl = %d; want 200 with the token shown\n%s", resp.StatusCode, page)
	}
	if _, err := site.svc.Authenticate(ctx, m[1]); err != nil {
		t.Errorf("the token shown for carl does not authenticate: %v", err)
	}
	if _, page := admin.send(t, "GET", "/admin/accounts", nil); tokenInPage.MatchString(page) {
		t.Errorf("the token is shown again on the next visit")
	}
	resp, page = admin.post(t, "/admin/accounts", url.Values{"_csrf": {csrf}, "name": {"carl"}, "role": {"editor"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "exists") {
		t.Errorf("adding carl twice = %d; want 409 saying it exists", resp.StatusCode)
	}
	resp, page = admin.post(t, "/admin/accounts/carl/token", url.Values{"_csrf": {csrf}, "revoke": {"on"}})
	m2 := tokenInPage.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || m2 == nil {
		t.Fatalf("issue token = %d; want 200 with the token", resp.StatusCode)
	}
	if _, err := site.svc.Authenticate(ctx, m[1]); err == nil {
		t.Errorf("carl's first token still works after a revoking issue")
	}
	if resp, _ := admin.post(t, "/admin/accounts/carl/remove", url.Values{"_csrf": {csrf}}); resp.StatusCode != http.StatusOK {
		t.Errorf("remove carl = %d; want 200", resp.StatusCode)
	}
	if _, err := site.svc.Authenticate(ctx, m2[1]); err == nil {
		t.Errorf("a removed account's token still works")
	}
	if resp, _ := admin.post(t, "/admin/accounts/root/remove", url.Values{"_csrf": {csrf}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an admin removing their own account = %d; want 400", resp.StatusCode)
	}
}

// TestPasswordChangeEndsOtherSessions: changing the password ends every
// other session of the account; the browser that changed it stays in.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	site := newWebSite(t, 2, nil)
	here := newBrowserClient(t, site.urls[0])
	there := newBrowserClient(t, site.urls[1])
	here.signIn(t, "ana", testPassword)
	there.signIn(t, "ana", testPassword)
	_, page := here.send(t, "GET", "/edit/password", nil)
	resp, page := here.post(t, "/edit/password", url.Values{"_csrf": {formToken(t, page)}, "current": {"not it at all"}, "new": {"another good one"}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("password change with a wrong current password = %d; want 401", resp.StatusCode)
	}
	resp, _ = here.post(t, "/edit/password", url.Values{"_csrf": {formToken(t, page)}, "current": {testPassword}, "new": {"another good one"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("password change = %d; want 200", resp.StatusCode)
	}
	if resp, _ := here.send(t, "GET", "/edit", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("the browser that changed the password: GET /edit = %d; want 200", resp.StatusCode)
	}
	if resp, _ := there.send(t, "GET", "/edit", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("another session after the password change: GET /edit = %d; want 303 to sign-in", resp.StatusCode)
	}
	if _, err := site.svc.CheckPassword(context.Background(), "ana", []byte("another good one")); err != nil {
		t.Errorf("the new password does not sign in: %v", err)
	}
}

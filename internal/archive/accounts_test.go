package archive_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

func TestAccounts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	token, err := e.svc.AddAccount(ctx, "maria", archive.RoleEditor, []byte("correct horse battery"))
	if err != nil {
		t.Fatalf("AddAccount: %v", err)
	}
	if !strings.HasPrefix(token, "vbt_") || len(token) < 40 {
		t.Errorf("token %q; want vbt_ and at least 40 characters", token)
	}
	who, err := e.svc.Authenticate(ctx, token)
	if err != nil || who != (archive.Principal{Name: "maria", Role: archive.RoleEditor}) {
		t.Errorf("Authenticate(token) = %+v, %v; want maria/editor", who, err)
	}
	for _, bad := range []string{"", "vbt_", token + "x", "Bearer " + token, strings.Replace(token, "vbt_", "xyz_", 1)} {
		if _, err := e.svc.Authenticate(ctx, bad); !errors.Is(err, archive.ErrUnauthorized) {
			t.Errorf("Authenticate(%q) error = %v; want ErrUnauthorized", bad, err)
		}
	}
	if _, err := e.svc.AddAccount(ctx, "maria", archive.RoleAdmin, nil); !errors.Is(err, archive.ErrConflict) {
		t.Errorf("AddAccount(existing) error = %v; want ErrConflict", err)
	}
	if _, err := e.svc.CheckPassword(ctx, "maria", []byte("correct horse battery")); err != nil {
		t.Errorf("CheckPassword(right) = %v", err)
	}
	for _, tt := range []struct{ name, pw string }{{"maria", "wrong password!"}, {"nobody", "correct horse battery"}} {
		if _, err := e.svc.CheckPassword(ctx, tt.name, []byte(tt.pw)); !errors.Is(err, archive.ErrUnauthorized) {
			t.Errorf("CheckPassword(%q, %q) error = %v; want ErrUnauthorized", tt.name, tt.pw, err)
		}
	}
	// Only hashes reach storage.
	objs, _ := e.store.List(ctx, "accounts/")
	for _, o := range objs {
		rc, _, _ := e.store.Get(ctx, o.Key, 0, -1)
		buf := new(strings.Builder)
		_, _ = copyAll(buf, rc)
		if strings.Contains(buf.String(), token) || strings.Contains(buf.String(), "correct horse") {
			t.Errorf("%s holds the token or password in clear", o.Key)
		}
	}
}

func TestAddAccountValidates(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		role archive.Role
		pw   []byte
	}{
		{"Bad Name", archive.RoleEditor, nil},
		{"tokens", archive.RoleEditor, nil},
		{"ok", "viewer", nil},
		{"ok", archive.RoleEditor, []byte("short")},
	}
	for _, tt := range tests {
		if _, err := e.svc.AddAccount(context.Background(), tt.name, tt.role, tt.pw); !errors.Is(err, archive.ErrInvalid) {
			t.Errorf("AddAccount(%q, %q) error = %v; want ErrInvalid", tt.name, tt.role, err)
		}
	}
}

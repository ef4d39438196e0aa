package blobtest

import (
	"errors"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// HostileKeys are keys every store must refuse with ErrInvalid: each tries
// to leave the store's directory or bucket, or would name the same object
// two ways.
var HostileKeys = []string{
	"",
	".",
	"..",
	"../x",
	"../../etc/passwd",
	"a/../../b",
	"a/./b",
	"a/..",
	"/etc/passwd",
	"/",
	"a//b",
	"a/",
	`a\b`,
	`..\..\x`,
	"a\x00b",
	"a\nb",
	".hidden",
	"dir/.tmp-1234",
	"\xff\xfe",
	strings.Repeat("k", 1025),
	"a/" + strings.Repeat("s", 201),
}

func testHostileKeys(t *testing.T, b archive.Blobs) {
	ctx := t.Context()
	for _, key := range HostileKeys {
		if _, err := b.Put(ctx, key, bytesReader("x"), 1, archive.PutOptions{}); !errors.Is(err, archive.ErrInvalid) {
			t.Errorf("Put(%q) = %v; want ErrInvalid", key, err)
		}
		if _, err := b.Put(ctx, key, bytesReader("x"), 1, archive.PutOptions{IfNoneMatch: true}); !errors.Is(err, archive.ErrInvalid) {
			t.Errorf("Put(%q, IfNoneMatch) = %v; want ErrInvalid", key, err)
		}
		rc, _, err := b.Get(ctx, key, 0, -1)
		if err == nil {
			rc.Close()
		}
		if !errors.Is(err, archive.ErrInvalid) {
			t.Errorf("Get(%q) = %v; want ErrInvalid", key, err)
		}
		if _, err := b.Stat(ctx, key); !errors.Is(err, archive.ErrInvalid) {
			t.Errorf("Stat(%q) = %v; want ErrInvalid", key, err)
		}
		if err := b.Delete(ctx, key); !errors.Is(err, archive.ErrInvalid) {
			t.Errorf("Delete(%q) = %v; want ErrInvalid", key, err)
		}
	}
	if got, err := b.List(ctx, ""); err != nil || len(got) != 0 {
		t.Errorf("List after hostile writes = %v, %v; want an empty store", got, err)
	}
}

func testHostilePrefixes(t *testing.T, b archive.Blobs) {
	put(t, b, "a/b", []byte("x"), archive.PutOptions{})
	for _, prefix := range []string{"..", "../", "/", "/etc", "a/../", `a\`, "a//", "a\x00"} {
		if got, err := b.List(t.Context(), prefix); !errors.Is(err, archive.ErrInvalid) {
			t.Errorf("List(%q) = %v, %v; want ErrInvalid", prefix, got, err)
		}
	}
}

// testUnusualKeys stores keys that are legal but need escaping on the way
// to a file name or a URL.
func testUnusualKeys(t *testing.T, b archive.Blobs) {
	keys := []string{
		"speakers/José Ramos-Horta.json",
		"tracks/de-CH+ü.vtt",
		"q/a%20b?c=d&e#f",
		"日本語/キー",
		"x/a.b.c",
		"x/trailing-dot.",
		strings.Repeat("k", 200) + "/" + strings.Repeat("v", 200),
	}
	for _, key := range keys {
		put(t, b, key, []byte(key), archive.PutOptions{})
	}
	for _, key := range keys {
		wantContent(t, b, key, []byte(key))
	}
	got, err := b.List(t.Context(), "")
	if err != nil || len(got) != len(keys) {
		t.Fatalf("List = %d objects, %v; want %d", len(got), err, len(keys))
	}
	for _, info := range got {
		wantContent(t, b, info.Key, []byte(info.Key))
	}
}

func bytesReader(s string) *strings.Reader { return strings.NewReader(s) }

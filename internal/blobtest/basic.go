package blobtest

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

func testPutGetStat(t *testing.T, b archive.Blobs) {
	const key = "recordings/r1/manifest.json"
	data := []byte(`{"id":"r1","title":"Side event"}`)
	before := time.Now().Add(-time.Minute)
	info := put(t, b, key, data, archive.PutOptions{ContentType: "application/json"})
	if info.Key != key || info.Size != int64(len(data)) || info.ETag == "" {
		t.Errorf("Put(%q) = %+v; want key, size %d and an ETag", key, info, len(data))
	}
	if strings.Contains(info.ETag, `"`) {
		t.Errorf("Put(%q).ETag = %s; want it without quotes", key, info.ETag)
	}

	got, ginfo := get(t, b, key, 0, -1)
	if !bytes.Equal(got, data) {
		t.Errorf("Get(%q) = %q; want %q", key, got, data)
	}
	st, err := b.Stat(t.Context(), key)
	if err != nil {
		t.Fatalf("Stat(%q) = %v", key, err)
	}
	for _, c := range []struct {
		op  string
		got archive.BlobInfo
	}{{"Get", ginfo}, {"Stat", st}} {
		if c.got.Key != key || c.got.Size != info.Size || c.got.ETag != info.ETag ||
			c.got.ContentType != "application/json" {
			t.Errorf("%s(%q) = %+v; want key, size, ETag and type of Put %+v", c.op, key, c.got, info)
		}
		if c.got.ModTime.Before(before) || c.got.ModTime.After(time.Now().Add(time.Minute)) {
			t.Errorf("%s(%q).ModTime = %v; want about now", c.op, key, c.got.ModTime)
		}
	}
}

func testOverwrite(t *testing.T, b archive.Blobs) {
	const key = "accounts/ana.json"
	first := put(t, b, key, []byte("first version"), archive.PutOptions{})
	second := put(t, b, key, []byte("second, longer version"), archive.PutOptions{})
	if first.ETag == second.ETag {
		t.Errorf("ETag after changing the content = %q; want it to change", second.ETag)
	}
	wantContent(t, b, key, []byte("second, longer version"))
	st, err := b.Stat(t.Context(), key)
	if err != nil || st.ETag != second.ETag || st.Size != second.Size {
		t.Errorf("Stat(%q) = %+v, %v; want %+v", key, st, err, second)
	}
}

func testEmptyObject(t *testing.T, b archive.Blobs) {
	const key = "empty/object"
	info := put(t, b, key, nil, archive.PutOptions{})
	if info.Size != 0 {
		t.Errorf("Put(%q, empty).Size = %d; want 0", key, info.Size)
	}
	got, ginfo := get(t, b, key, 0, -1)
	if len(got) != 0 || ginfo.Size != 0 {
		t.Errorf("Get(%q) = %q (size %d); want empty", key, got, ginfo.Size)
	}
}

func testList(t *testing.T, b archive.Blobs) {
	keys := []string{
		"recordings/r2/manifest.json",
		"recordings/r1/tracks/en.vtt",
		"quotes/q1.json",
		"recordings/r1/manifest.json",
		"recordings-old/x",
		"z",
		"recordings/r1/tracks/fr.vtt",
	}
	infos := map[string]archive.BlobInfo{}
	for i, k := range keys {
		infos[k] = put(t, b, k, []byte(strings.Repeat("x", i+1)), archive.PutOptions{})
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"quotes/q1.json", "recordings-old/x", "recordings/r1/manifest.json",
			"recordings/r1/tracks/en.vtt", "recordings/r1/tracks/fr.vtt", "recordings/r2/manifest.json", "z"}},
		{"recordings/", []string{"recordings/r1/manifest.json", "recordings/r1/tracks/en.vtt",
			"recordings/r1/tracks/fr.vtt", "recordings/r2/manifest.json"}},
		{"recordings", []string{"recordings-old/x", "recordings/r1/manifest.json", "recordings/r1/tracks/en.vtt",
			"recordings/r1/tracks/fr.vtt", "recordings/r2/manifest.json"}},
		{"recordings/r1/tracks/", []string{"recordings/r1/tracks/en.vtt", "recordings/r1/tracks/fr.vtt"}},
		{"recordings/r1/tracks/e", []string{"recordings/r1/tracks/en.vtt"}},
		{"recordings/r1/manifest.json", []string{"recordings/r1/manifest.json"}},
		{"z", []string{"z"}},
		{"nothing/", nil},
		{"recordings/r3", nil},
	}
	for _, tt := range tests {
		got, err := b.List(t.Context(), tt.prefix)
		if err != nil {
			t.Errorf("List(%q) = %v", tt.prefix, err)
			continue
		}
		var gotKeys []string
		for _, info := range got {
			gotKeys = append(gotKeys, info.Key)
			want := infos[info.Key]
			if info.Size != want.Size || info.ETag != want.ETag {
				t.Errorf("List(%q): %q has size %d, ETag %q; want %d, %q",
					tt.prefix, info.Key, info.Size, info.ETag, want.Size, want.ETag)
			}
		}
		if diff := cmp.Diff(tt.want, gotKeys); diff != "" {
			t.Errorf("List(%q) keys (-want +got):\n%s", tt.prefix, diff)
		}
	}
}

func testDelete(t *testing.T, b archive.Blobs) {
	put(t, b, "recordings/r1/poster.jpg", []byte("jpeg"), archive.PutOptions{})
	put(t, b, "recordings/r1/manifest.json", []byte("{}"), archive.PutOptions{})
	if err := b.Delete(t.Context(), "recordings/r1/poster.jpg"); err != nil {
		t.Fatalf("Delete(existing) = %v", err)
	}
	wantMissing(t, b, "recordings/r1/poster.jpg")
	wantContent(t, b, "recordings/r1/manifest.json", []byte("{}"))
	if err := b.Delete(t.Context(), "recordings/r1/poster.jpg"); err != nil {
		t.Errorf("Delete(already deleted) = %v; want nil", err)
	}
	if err := b.Delete(t.Context(), "never/was/here"); err != nil {
		t.Errorf("Delete(missing) = %v; want nil", err)
	}
	if err := b.Delete(t.Context(), "recordings/r1/manifest.json"); err != nil {
		t.Fatalf("Delete(last object of a prefix) = %v", err)
	}
	got, err := b.List(t.Context(), "recordings/")
	if err != nil || len(got) != 0 {
		t.Errorf("List after deleting everything = %v, %v; want nothing", got, err)
	}
	// A key can be created again after a delete, even conditionally.
	put(t, b, "recordings/r1/manifest.json", []byte("again"), archive.PutOptions{IfNoneMatch: true})
	wantContent(t, b, "recordings/r1/manifest.json", []byte("again"))
}

func testMissing(t *testing.T, b archive.Blobs) {
	put(t, b, "present", []byte("here"), archive.PutOptions{})
	put(t, b, "dir/child", []byte("child"), archive.PutOptions{})
	// "dir" is only a prefix of another key: no object of its own.
	for _, key := range []string{"absent", "present/below", "recordings/none/manifest.json", "dir"} {
		if _, err := b.Stat(t.Context(), key); !errors.Is(err, archive.ErrNotFound) {
			t.Errorf("Stat(%q) = %v; want ErrNotFound", key, err)
		}
		for _, r := range [][2]int64{{0, -1}, {5, 10}} {
			rc, _, err := b.Get(t.Context(), key, r[0], r[1])
			if err == nil {
				rc.Close()
			}
			if !errors.Is(err, archive.ErrNotFound) {
				t.Errorf("Get(%q, %d, %d) = %v; want ErrNotFound", key, r[0], r[1], err)
			}
		}
	}
	if err := b.Delete(t.Context(), "dir"); err != nil {
		t.Errorf("Delete(dir), a prefix only = %v; want nil", err)
	}
	wantContent(t, b, "dir/child", []byte("child"))
}

func testContentType(t *testing.T, b archive.Blobs) {
	tests := []struct{ key, put, want string }{
		{"tracks/en.vtt", "text/vtt; charset=utf-8", "text/vtt; charset=utf-8"},
		{"media/talk.mp4", "video/mp4", "video/mp4"},
		{"media/unknown", "", "application/octet-stream"},
	}
	for _, tt := range tests {
		info := put(t, b, tt.key, []byte("body"), archive.PutOptions{ContentType: tt.put})
		if info.ContentType != tt.want {
			t.Errorf("Put(%q, type %q).ContentType = %q; want %q", tt.key, tt.put, info.ContentType, tt.want)
		}
		st, err := b.Stat(t.Context(), tt.key)
		if err != nil || st.ContentType != tt.want {
			t.Errorf("Stat(%q) = %q, %v; want %q", tt.key, st.ContentType, err, tt.want)
		}
		_, ginfo := get(t, b, tt.key, 0, -1)
		if ginfo.ContentType != tt.want {
			t.Errorf("Get(%q).ContentType = %q; want %q", tt.key, ginfo.ContentType, tt.want)
		}
	}
}

func testUnknownSize(t *testing.T, b archive.Blobs) {
	const key = "recordings/r1/tracks/de.source"
	data := []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nGuten Tag\n")
	info, err := b.Put(t.Context(), key, onlyReader{bytes.NewReader(data)}, -1, archive.PutOptions{})
	if err != nil {
		t.Fatalf("Put(%q, size -1) = %v", key, err)
	}
	if info.Size != int64(len(data)) {
		t.Errorf("Put(%q, size -1).Size = %d; want %d", key, info.Size, len(data))
	}
	wantContent(t, b, key, data)
}

func testShortBody(t *testing.T, b archive.Blobs) {
	const key = "media/truncated.mp4"
	_, err := b.Put(t.Context(), key, onlyReader{strings.NewReader("only ten b")}, 100, archive.PutOptions{})
	if !errors.Is(err, archive.ErrInvalid) {
		t.Errorf("Put(%q) of 10 bytes announced as 100 = %v; want ErrInvalid", key, err)
	}
	wantMissing(t, b, key)
	// Likewise past a part: an S3 store sends this one in parts.
	_, err = b.Put(t.Context(), key, Generator(5, 7<<20), 30<<20, archive.PutOptions{})
	if !errors.Is(err, archive.ErrInvalid) {
		t.Errorf("Put(%q) of 10 bytes announced as 100 = %v; want ErrInvalid", key, err)
	}
	wantMissing(t, b, key)
}

func testCanceledPut(t *testing.T, b archive.Blobs) {
	const key = "media/canceled.mp4"
	_, err := b.Put(canceled(t), key, onlyReader{strings.NewReader("body")}, -1, archive.PutOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Put(%q) with a canceled context = %v; want context.Canceled", key, err)
	}
	wantMissing(t, b, key)
}

// testListAfter: a store with archive.AfterLister lists the keys under
// the prefix that sort after the given key, whether or not that key
// exists, and nothing of other prefixes.
func testListAfter(t *testing.T, b archive.Blobs) {
	al, ok := b.(archive.AfterLister)
	if !ok {
		t.Skip("the store has no ListAfter")
	}
	for _, k := range []string{"log/0001_a", "log/0002_b", "log/0003_c", "log/0003_d", "logs/x", "lo"} {
		put(t, b, k, nil, archive.PutOptions{})
	}
	tests := []struct {
		after string
		want  []string
	}{
		{"", []string{"log/0001_a", "log/0002_b", "log/0003_c", "log/0003_d"}},
		{"log/0001_a", []string{"log/0002_b", "log/0003_c", "log/0003_d"}},
		{"log/0002", []string{"log/0002_b", "log/0003_c", "log/0003_d"}},
		{"log/0003_c", []string{"log/0003_d"}},
		{"log/0004", nil},
		{"a", []string{"log/0001_a", "log/0002_b", "log/0003_c", "log/0003_d"}},
	}
	for _, tt := range tests {
		got, err := al.ListAfter(t.Context(), "log/", tt.after)
		if err != nil {
			t.Errorf("ListAfter(log/, %q) = %v", tt.after, err)
			continue
		}
		var keys []string
		for _, in := range got {
			keys = append(keys, in.Key)
		}
		if diff := cmp.Diff(tt.want, keys); diff != "" {
			t.Errorf("ListAfter(log/, %q) keys (-want +got):\n%s", tt.after, diff)
		}
	}
}

// testListPage: a store with archive.PageLister lists at most limit keys
// under the prefix after the given one, in key order.
func testListPage(t *testing.T, b archive.Blobs) {
	pl, ok := b.(archive.PageLister)
	if !ok {
		t.Skip("the store has no ListPage")
	}
	for _, k := range []string{"log/0001_a", "log/0002_b", "log/0003_c", "log/0003_d", "logs/x", "lo"} {
		put(t, b, k, nil, archive.PutOptions{})
	}
	tests := []struct {
		after string
		limit int
		want  []string
	}{
		{"", 2, []string{"log/0001_a", "log/0002_b"}},
		{"", 10, []string{"log/0001_a", "log/0002_b", "log/0003_c", "log/0003_d"}},
		{"", -1, []string{"log/0001_a", "log/0002_b", "log/0003_c", "log/0003_d"}},
		{"log/0001_a", 1, []string{"log/0002_b"}},
		{"log/0002", 2, []string{"log/0002_b", "log/0003_c"}},
		{"log/0003_c", 5, []string{"log/0003_d"}},
		{"log/0003_d", 5, nil},
		{"", 0, nil},
	}
	for _, tt := range tests {
		got, err := pl.ListPage(t.Context(), "log/", tt.after, tt.limit)
		if err != nil {
			t.Errorf("ListPage(log/, %q, %d) = %v", tt.after, tt.limit, err)
			continue
		}
		var keys []string
		for _, in := range got {
			keys = append(keys, in.Key)
		}
		if diff := cmp.Diff(tt.want, keys); diff != "" {
			t.Errorf("ListPage(log/, %q, %d) keys (-want +got):\n%s", tt.after, tt.limit, diff)
		}
	}
}

// testVersion: a store with archive.Versioner gives a token that changes
// whenever the object is replaced, even by the same bytes, stays while it
// is not, and wraps ErrNotFound for a missing object.
func testVersion(t *testing.T, b archive.Blobs) {
	v, ok := b.(archive.Versioner)
	if !ok {
		t.Skip("the store has no Version")
	}
	version := func() string {
		tok, err := v.Version(t.Context(), "v/obj")
		if err != nil {
			t.Fatalf("Version: %v", err)
		}
		return tok
	}
	put(t, b, "v/obj", []byte("one"), archive.PutOptions{})
	first := version()
	if again := version(); again != first {
		t.Errorf("Version changed without a write: %q then %q", first, again)
	}
	put(t, b, "v/obj", []byte("one"), archive.PutOptions{})
	if second := version(); second == first {
		t.Errorf("Version %q did not change when the object was replaced", first)
	}
	if _, err := v.Version(t.Context(), "v/missing"); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("Version of a missing object = %v; want ErrNotFound", err)
	}
}

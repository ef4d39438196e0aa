package archive_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
)

func putMedia(tb testing.TB, e *env, id string, data []byte) archive.Media {
	tb.Helper()
	m, err := e.svc.PutMedia(context.Background(), editor, id, archive.MediaUpload{
		Name: "talk.mp4", ContentType: "video/mp4", Size: int64(len(data)), Body: bytes.NewReader(data),
	})
	if err != nil {
		tb.Fatalf("PutMedia(%s): %v", id, err)
	}
	return m
}

func TestPutAndOpenMedia(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.create(t, archive.RecordingInput{ID: "r", Title: "T", Status: archive.StatusPublished})
	data := mediatest.Sized(t, 10000)
	m := putMedia(t, e, "r", data)
	if m.Size != 10000 || m.ContentType != "video/mp4" || !strings.HasSuffix(m.Key, ".mp4") || len(m.SHA256) != 64 {
		t.Errorf("PutMedia = %+v; want size 10000, video/mp4, a .mp4 key and a sha256", m)
	}
	rc, got, err := e.svc.OpenMedia(ctx, viewer, "r", 1000, 1000)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(body, data[1000:2000]) || got.Size != 10000 {
		t.Errorf("OpenMedia(1000, 1000) = %d bytes (size %d); want bytes 1000-1999 of 10000", len(body), got.Size)
	}
	second := putMedia(t, e, "r", mediatest.Sized(t, 3000))
	if _, err := e.store.Stat(ctx, m.Key); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("replaced media %s still stored (err %v)", m.Key, err)
	}
	rec, _, _ := e.svc.Get(ctx, editor, "r")
	if rec.Media == nil || rec.Media.Key != second.Key {
		t.Errorf("manifest media = %+v; want key %s", rec.Media, second.Key)
	}
}

// TestPutMediaManifestFailure injects a failure after the media object is
// stored and before the manifest is written: the upload fails, the new
// object is gone, and the manifest still points at the previous media,
// which is still there.
func TestPutMediaManifestFailure(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.create(t, archive.RecordingInput{ID: "r", Title: "T"})
	old := putMedia(t, e, "r", mediatest.Sized(t, 4000))

	e.blobs.setFailPut(func(key string) bool { return strings.HasSuffix(key, "/manifest.json") })
	_, err := e.svc.PutMedia(ctx, editor, "r", archive.MediaUpload{Name: "new.mp4", ContentType: "video/mp4", Size: 5000, Body: bytes.NewReader(mediatest.Sized(t, 5000))})
	e.blobs.setFailPut(nil)
	if err == nil {
		t.Fatal("PutMedia with failing manifest write succeeded; want an error")
	}
	objs, err := e.store.List(ctx, "recordings/r/media/")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || objs[0].Key != old.Key {
		t.Errorf("media objects after failed upload = %v; want only %s", objs, old.Key)
	}
	assertManifestConsistent(t, e, "r")
}

func TestPutMediaNeedsExistingRecording(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.PutMedia(context.Background(), editor, "nope", archive.MediaUpload{Name: "a.webm", ContentType: "video/webm", Size: 1, Body: strings.NewReader("x")})
	if !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("PutMedia(missing recording) error = %v; want ErrNotFound", err)
	}
}

// assertManifestConsistent checks that every object the manifest points at
// exists.
func assertManifestConsistent(tb testing.TB, e *env, id string) {
	tb.Helper()
	ctx := context.Background()
	rec, _, err := e.svc.Get(ctx, editor, id)
	if err != nil {
		tb.Fatal(err)
	}
	var keys []string
	if rec.Media != nil {
		keys = append(keys, rec.Media.Key)
	}
	for _, t := range rec.Tracks {
		keys = append(keys, t.Key+".vtt", t.Key+".source")
	}
	for _, k := range keys {
		if _, err := e.store.Stat(ctx, k); err != nil {
			tb.Errorf("manifest of %s points at %s: %v", id, k, err)
		}
	}
}

func TestPutMediaRefusesNonMedia(t *testing.T) {
	e := newEnv(t)
	e.create(t, archive.RecordingInput{ID: "r", Title: "T"})
	for _, ct := range []string{"text/html", "application/octet-stream", "image/svg+xml", ""} {
		_, err := e.svc.PutMedia(context.Background(), editor, "r", archive.MediaUpload{Name: "x.html", ContentType: ct, Size: 6, Body: strings.NewReader("<html>")})
		if !errors.Is(err, archive.ErrUnsupported) {
			t.Errorf("PutMedia(%q) error = %v; want ErrUnsupported", ct, err)
		}
	}
	if objs, _ := e.store.List(context.Background(), "recordings/r/media/"); len(objs) != 0 {
		t.Errorf("refused uploads left objects: %v", objs)
	}
}

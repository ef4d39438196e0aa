package archive_test

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/media"
	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
)

// TestPutMediaDescribes: what is stored, served and measured comes from
// the content, whatever name and type the client gave.
func TestPutMediaDescribes(t *testing.T) {
	tests := []struct {
		name, declared string
		data           []byte
		ct             string
		format         media.Info
	}{
		{"talk.html", "text/html", mediatest.MP4(t, mediatest.Spec{Duration: 95 * time.Second, Width: 1280, Height: 720, MoovLast: true}), "video/mp4",
			media.Info{Container: "mp4", Brand: "isom", DurationMS: 95000, Width: 1280, Height: 720, VideoCodec: "avc1", AudioCodec: "mp4a"}},
		{"", "", mediatest.WebM(t, mediatest.Spec{Duration: 61500 * time.Millisecond}), "video/webm",
			media.Info{Container: "webm", Brand: "webm", DurationMS: 61500, Width: 320, Height: 240, VideoCodec: "V_VP9", AudioCodec: "A_OPUS", Faststart: true}},
		{"voice.mp4", "video/mp4", mediatest.MP4(t, mediatest.Spec{AudioOnly: true, Duration: time.Minute}), "audio/mp4",
			media.Info{Container: "mp4", Brand: "isom", DurationMS: 60000, AudioCodec: "mp4a", Faststart: true}},
	}
	for _, tt := range tests {
		t.Run(tt.format.Container+" "+tt.ct, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			e.create(t, archive.RecordingInput{ID: "r", Title: "T"})
			m, err := e.svc.PutMedia(ctx, editor, "r", archive.MediaUpload{Name: tt.name, ContentType: tt.declared, Size: int64(len(tt.data)), Body: bytes.NewReader(tt.data)})
			if err != nil {
				t.Fatalf("PutMedia: %v", err)
			}
			rec, _, err := e.svc.Get(ctx, editor, "r")
			if err != nil {
				t.Fatal(err)
			}
			if rec.Media == nil || rec.Media.ContentType != tt.ct || m.ContentType != tt.ct {
				t.Errorf("media = %+v; want content type %s", rec.Media, tt.ct)
			}
			// The key keeps a media extension of the name, never another.
			if wantExt := map[string]string{"voice.mp4": ".mp4"}[tt.name]; !strings.HasSuffix(m.Key, cmp.Or(wantExt, ".bin")) {
				t.Errorf("media key %q; want the extension %q", m.Key, cmp.Or(wantExt, ".bin"))
			}
			if diff := gocmp.Diff(&tt.format, rec.Media.Format); diff != "" {
				t.Errorf("manifest format (-want +got):\n%s", diff)
			}
			if rec.DurationMS != tt.format.DurationMS {
				t.Errorf("DurationMS = %d; want %d from the headers", rec.DurationMS, tt.format.DurationMS)
			}
			info, err := e.store.Stat(ctx, m.Key)
			if err != nil || info.ContentType != "application/octet-stream" {
				t.Errorf("stored object %s = %+v, %v; want it kept as opaque bytes", m.Key, info, err)
			}
		})
	}
}

// TestPutMediaRefusesLeavesRecording: content that is not a recording is
// refused with what it is, the recording exactly as before (manifest bytes,
// ETag, media), and nothing new kept.
func TestPutMediaRefusesLeavesRecording(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.create(t, archive.RecordingInput{ID: "r", Title: "T"})
	old := putMedia(t, e, "r", mediatest.Sized(t, 4000))
	before, _ := readAll(t, e, "recordings/r/manifest.json")
	_, etag, _ := e.svc.Get(ctx, editor, "r")
	full := mediatest.MP4(t, mediatest.Spec{MoovLast: true})
	for _, tt := range []struct {
		name string
		data []byte
		says string
	}{
		{"page.html", []byte("<!DOCTYPE html><title>x</title>"), "HTML text"},
		{"talk.mp4", []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n"), "plain text"},
		{"song.mp3", append([]byte("ID3\x03\x00"), make([]byte, 3000)...), "MP3 audio"},
		{"cut.mp4", full[:len(full)-100], "a truncated MP4 file"},
	} {
		_, err := e.svc.PutMedia(ctx, editor, "r", archive.MediaUpload{Name: tt.name, ContentType: "video/mp4", Size: int64(len(tt.data)), Body: bytes.NewReader(tt.data)})
		if !errors.Is(err, archive.ErrUnsupported) || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("PutMedia(%s) = %v; want ErrUnsupported saying %q", tt.name, err, tt.says)
		}
	}
	after, _ := readAll(t, e, "recordings/r/manifest.json")
	_, etag2, _ := e.svc.Get(ctx, editor, "r")
	if !bytes.Equal(before, after) || etag != etag2 {
		t.Errorf("manifest changed by refused uploads:\n%s\n→\n%s", before, after)
	}
	objs, _ := e.store.List(ctx, "recordings/r/media/")
	if len(objs) != 1 || objs[0].Key != old.Key {
		t.Errorf("media objects after refusals = %v; want only %s", objs, old.Key)
	}
}

func readAll(tb testing.TB, e *env, key string) ([]byte, error) {
	tb.Helper()
	rc, _, err := e.store.Get(context.Background(), key, 0, -1)
	if err != nil {
		tb.Fatal(err)
	}
	defer rc.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(rc)
	return b.Bytes(), err
}

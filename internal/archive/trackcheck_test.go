package archive_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// snapshot lists every stored object with its ETag.
func snapshot(t *testing.T, e *env) map[string]string {
	t.Helper()
	list, err := e.store.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, b := range list {
		out[b.Key] = b.ETag
	}
	return out
}

func TestCheckTrackReportsWithoutStoring(t *testing.T) {
	long := strings.Repeat("word ", 50)
	cases := []struct {
		name       string
		lang, file string
		data       string
		acceptable bool
		errLine    int      // of the first error, when not acceptable
		warnings   []string // each must appear in some warning
		newSp      []string
		held       []string
		cues       int
		first      string // text of the first cue
		replaces   bool
		kind       archive.Kind
	}{
		{
			name: "warnings", lang: "de", file: "de.srt",
			data:       "1\n00:00:01,000 --> 00:00:04,000\nMaria: Wir beginnen.\n\n2\n00:00:03,500 --> 00:00:20,000\nAlice: " + long + "\n\n3\n00:00:21,000 --> 00:00:22,000\n \n",
			acceptable: true, warnings: []string{"overlaps the previous cue", "lasts 16.5s", "characters, more than 200", "empty cue dropped", `new speaker "Maria" is held`},
			newSp: []string{"Maria"}, held: []string{"Maria"}, cues: 2, first: "Wir beginnen.", kind: archive.KindInterpretation,
		},
		{
			name: "replaces en", lang: "en", file: "en.srt",
			data:       "1\n00:00:01,000 --> 00:00:02,000\nAlice: Again.\n",
			acceptable: true, newSp: []string{}, held: []string{}, cues: 1, first: "Again.", replaces: true, kind: archive.KindOriginal,
		},
		{
			name: "end before start", lang: "fr", file: "fr.srt",
			data:       "1\n00:00:01,000 --> 00:00:02,000\nBon.\n\n2\n00:00:05,000 --> 00:00:04,000\nMal.\n",
			acceptable: false, errLine: 6,
		},
		{name: "not a subtitle", lang: "fr", file: "fr.srt", data: "just some text\nwithout any timing\n", acceptable: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := trackEnv(t)
			ctx := context.Background()
			putTrack(t, e, "en", "en.vtt", enVTT)
			before := snapshot(t, e)
			rec0, etag0, err := e.svc.Get(ctx, editor, "r")
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.svc.CheckTrack(ctx, editor, "r", archive.TrackUpload{Lang: tc.lang, Name: tc.file, Data: []byte(tc.data)})
			if err != nil {
				t.Fatalf("CheckTrack: %v", err)
			}
			if d := cmp.Diff(before, snapshot(t, e)); d != "" {
				t.Errorf("CheckTrack changed the store (-before +after):\n%s", d)
			}
			rec1, etag1, _ := e.svc.Get(ctx, editor, "r")
			if etag1 != etag0 || !cmp.Equal(rec0, rec1) {
				t.Errorf("CheckTrack changed the recording")
			}
			if got.Acceptable != tc.acceptable {
				t.Fatalf("Acceptable = %v; want %v (errors %v)", got.Acceptable, tc.acceptable, got.Errors)
			}
			if !tc.acceptable {
				if len(got.Errors) == 0 || got.Errors[0].Reason == "" {
					t.Fatalf("Errors = %v; want the reason", got.Errors)
				}
				if tc.errLine > 0 && got.Errors[0].Line != tc.errLine {
					t.Errorf("error line = %d; want %d (%v)", got.Errors[0].Line, tc.errLine, got.Errors)
				}
				if _, err := e.svc.PutTrack(ctx, editor, "r", archive.TrackUpload{Lang: tc.lang, Name: tc.file, Data: []byte(tc.data)}); err == nil {
					t.Errorf("PutTrack accepted a file CheckTrack refused")
				}
				return
			}
			for _, w := range tc.warnings {
				found := false
				for _, x := range got.Warnings {
					found = found || strings.Contains(x.Reason, w)
				}
				if !found {
					t.Errorf("no warning containing %q in %v", w, got.Warnings)
				}
			}
			if !cmp.Equal(got.NewSpeakers, tc.newSp) || !cmp.Equal(got.Held, tc.held) {
				t.Errorf("new, held = %q, %q; want %q, %q", got.NewSpeakers, got.Held, tc.newSp, tc.held)
			}
			if got.CueCount != tc.cues || len(got.FirstCues) != tc.cues || got.FirstCues[0].Text != tc.first {
				t.Errorf("cue count %d, first cues %v; want %d, first %q", got.CueCount, got.FirstCues, tc.cues, tc.first)
			}
			if (got.Replaces != nil) != tc.replaces || got.Kind != tc.kind || got.Format != "srt" {
				t.Errorf("replaces %v, kind %q, format %q; want replaces=%v, %q, srt", got.Replaces, got.Kind, got.Format, tc.replaces, tc.kind)
			}
			// Accepting stores what the check announced.
			res, err := e.svc.PutTrack(ctx, editor, "r", archive.TrackUpload{Lang: tc.lang, Name: tc.file, Data: []byte(tc.data)})
			if err != nil {
				t.Fatalf("PutTrack after the check: %v", err)
			}
			if res.Track.CueCount != got.CueCount || res.Track.Kind != got.Kind {
				t.Errorf("stored %d cues of kind %q; the check said %d, %q", res.Track.CueCount, res.Track.Kind, got.CueCount, got.Kind)
			}
		})
	}
}

func TestCheckTrackRefusesRequests(t *testing.T) {
	e := trackEnv(t)
	ctx := context.Background()
	up := archive.TrackUpload{Lang: "en", Name: "en.srt", Data: []byte("1\n00:00:01,000 --> 00:00:02,000\nHi.\n")}
	if _, err := e.svc.CheckTrack(ctx, viewer, "r", up); !errors.Is(err, archive.ErrUnauthorized) && !errors.Is(err, archive.ErrForbidden) {
		t.Errorf("viewer CheckTrack: %v; want unauthorized", err)
	}
	if _, err := e.svc.CheckTrack(ctx, editor, "missing", up); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("CheckTrack(missing): %v; want not found", err)
	}
	up.Lang = "not a tag"
	if _, err := e.svc.CheckTrack(ctx, editor, "r", up); !errors.Is(err, archive.ErrInvalid) {
		t.Errorf("CheckTrack(bad lang): %v; want invalid", err)
	}
}

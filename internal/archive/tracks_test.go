package archive_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/subtitle"
)

const enVTT = `WEBVTT

00:00:01.000 --> 00:00:03.000
<v Alice>We open the session.

00:00:04.000 --> 00:00:06.000
<v Survivor S>I was trafficked at sixteen.

00:00:07.000 --> 00:00:09.000
<v Hidden H>My village was near the border.

00:00:10.000 --> 00:00:12.000
<v Alice>Thank you, Survivor S.
`

// frSRT has the same timings and no speaker marks: speakers come from en.
const frSRT = "1\r\n00:00:01,000 --> 00:00:03,000\r\nNous ouvrons la séance.\r\n\r\n" +
	"2\r\n00:00:04,000 --> 00:00:06,000\r\nJ'ai été victime de traite à seize ans.\r\n\r\n" +
	"3\r\n00:00:07,000 --> 00:00:09,000\r\nMon village était près de la frontière.\r\n\r\n" +
	"4\r\n00:00:10,000 --> 00:00:12,000\r\nMerci.\r\n"

func trackEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	e.create(t, archive.RecordingInput{ID: "r", Title: "Panel", Status: archive.StatusPublished, Date: "2021-06-22", Speakers: []archive.Speaker{
		{ID: "alice", Name: "Alice", Visibility: archive.VisibilityNamed},
		{ID: "s", Name: "Survivor S", Visibility: archive.VisibilityAnonymised, Pseudonym: "Speaker 1"},
		{ID: "h", Name: "Hidden H", Visibility: archive.VisibilityHidden},
	}})
	return e
}

func putTrack(t *testing.T, e *env, lang, name, data string) archive.TrackResult {
	t.Helper()
	res, err := e.svc.PutTrack(context.Background(), editor, "r", archive.TrackUpload{Lang: lang, Name: name, Data: []byte(data)})
	if err != nil {
		t.Fatalf("PutTrack(%s): %v", lang, err)
	}
	return res
}

func TestPutTrackAndViewerFilter(t *testing.T) {
	e := trackEnv(t)
	ctx := context.Background()
	res := putTrack(t, e, "en", "en.vtt", enVTT)
	if res.Track.CueCount != 4 || res.Track.Version != 1 || res.Track.Kind != archive.KindOriginal || res.Track.FormatUploaded != "vtt" {
		t.Errorf("PutTrack = %+v; want 4 cues, version 1, original, vtt", res.Track)
	}
	if want := []string{"Alice", "Survivor S", "Hidden H"}; !cmp.Equal(res.Speakers, want) {
		t.Errorf("speakers found = %v; want %v", res.Speakers, want)
	}

	_, edCues, err := e.svc.GetTrack(ctx, editor, "r", "en")
	if err != nil || len(edCues) != 4 {
		t.Fatalf("GetTrack(editor) = %d cues, %v; want 4", len(edCues), err)
	}
	_, cues, err := e.svc.GetTrack(ctx, viewer, "r", "en")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cues {
		got = append(got, c.Speaker+": "+c.Text)
	}
	want := []string{"Alice: We open the session.", "Speaker 1: I was trafficked at sixteen.", "Alice: Thank you, Speaker 1."}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("viewer cues (-want +got):\n%s", diff)
	}
	for _, format := range []string{archive.FormatVTT, archive.FormatSRT, archive.FormatTTML, archive.FormatText} {
		out, err := e.svc.ExportTrack(ctx, viewer, "r", "en", format)
		if err != nil {
			t.Errorf("ExportTrack(%s): %v", format, err)
			continue
		}
		if s := string(out); strings.Contains(s, "Hidden H") || strings.Contains(s, "village") || strings.Contains(s, "Survivor S") {
			t.Errorf("ExportTrack(viewer, %s) leaks a hidden or anonymised speaker:\n%s", format, s)
		}
	}

	docs, _ := e.index.get("r")
	if len(docs) != 3 {
		t.Fatalf("indexed %d documents; want the 3 viewer-visible cues", len(docs))
	}
	if docs[1].Speaker != "Speaker 1" || docs[0].Next != docs[1].Text || docs[2].Next != "" || docs[0].Lang != "en" || docs[0].Date != "2021-06-22" {
		t.Errorf("indexed docs = %+v; want pseudonym, Next chaining and recording facts", docs)
	}
}

func TestBorrowSpeakersAndNewSpeakers(t *testing.T) {
	e := trackEnv(t)
	ctx := context.Background()
	putTrack(t, e, "en", "en.vtt", enVTT+"\n00:00:13.000 --> 00:00:14.000\n<v Bob>Newcomer here.\n")
	res := putTrack(t, e, "fr", "fr.srt", frSRT)
	if res.Track.Kind != archive.KindInterpretation {
		t.Errorf("second track kind = %q; want interpretation", res.Track.Kind)
	}
	_, cues, err := e.svc.GetTrack(ctx, editor, "r", "fr")
	if err != nil {
		t.Fatal(err)
	}
	var speakers []string
	for _, c := range cues {
		speakers = append(speakers, c.Speaker)
	}
	if want := []string{"Alice", "Survivor S", "Hidden H", "Alice"}; !cmp.Equal(speakers, want) {
		t.Errorf("fr speakers borrowed from en = %v; want %v", speakers, want)
	}
	rec, _, _ := e.svc.Get(ctx, editor, "r")
	if n := len(rec.Speakers); n != 4 || rec.Speakers[3].Name != "Bob" || rec.Speakers[3].Visibility != archive.VisibilityNamed {
		t.Errorf("recording speakers = %+v; want Bob added as a named fourth", rec.Speakers)
	}
	if want := []string{"en", "fr"}; !cmp.Equal(rec.Languages, want) {
		t.Errorf("languages = %v; want %v", rec.Languages, want)
	}
	// The hidden speaker's words stay out of search in French too.
	docs, _ := e.index.get("r")
	for _, d := range docs {
		if strings.Contains(d.Text, "frontière") || strings.Contains(d.Text, "border") {
			t.Errorf("hidden speaker's cue indexed: %+v", d)
		}
	}
}

func TestRejectedTrackKeepsPrevious(t *testing.T) {
	e := trackEnv(t)
	ctx := context.Background()
	putTrack(t, e, "en", "en.vtt", enVTT)
	before, _, _ := e.svc.Get(ctx, editor, "r")
	_, beforeCues, _ := e.svc.GetTrack(ctx, editor, "r", "en")

	tests := []struct {
		name, file, data string
		want             error
		line             int
	}{
		{"end before start", "en.srt", "1\n00:00:05,000 --> 00:00:01,000\nBackwards\n", archive.ErrInvalid, 2},
		{"png", "en.srt", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", archive.ErrUnsupported, 0},
		{"empty", "en.vtt", "WEBVTT\n", archive.ErrInvalid, 0},
	}
	for _, tt := range tests {
		_, err := e.svc.PutTrack(ctx, editor, "r", archive.TrackUpload{Lang: "en", Name: tt.file, Data: []byte(tt.data)})
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: PutTrack error = %v; want %v", tt.name, err, tt.want)
			continue
		}
		var se *subtitle.Error
		if !errors.As(err, &se) || se.Reason == "" || (tt.line > 0 && se.Line != tt.line) {
			t.Errorf("%s: error %v carries no *subtitle.Error with line %d and a reason", tt.name, err, tt.line)
		}
	}
	after, _, _ := e.svc.Get(ctx, editor, "r")
	_, afterCues, _ := e.svc.GetTrack(ctx, editor, "r", "en")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("manifest changed by rejected uploads (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(beforeCues, afterCues); diff != "" {
		t.Errorf("cues changed by rejected uploads (-before +after):\n%s", diff)
	}
	if _, err := e.svc.PutTrack(ctx, editor, "r", archive.TrackUpload{Lang: "english!", Data: []byte(enVTT)}); !errors.Is(err, archive.ErrInvalid) {
		t.Errorf("PutTrack(bad lang) error = %v; want ErrInvalid", err)
	}
}

func TestReplaceShiftDeleteTrack(t *testing.T) {
	e := trackEnv(t)
	ctx := context.Background()
	first := putTrack(t, e, "en", "en.vtt", enVTT)
	second := putTrack(t, e, "en", "en.vtt", strings.Replace(enVTT, "We open the session.", "We open the meeting.", 1))
	if second.Track.Version != 2 || second.Track.Key == first.Track.Key {
		t.Errorf("replacement = version %d key %s; want version 2 and a fresh key", second.Track.Version, second.Track.Key)
	}
	if _, err := e.store.Stat(ctx, first.Track.Key+".vtt"); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("old version's objects remain after replacement (err %v)", err)
	}
	tr, err := e.svc.ShiftTrack(ctx, editor, "r", "en", 1500*time.Millisecond)
	if err != nil || tr.Version != 3 {
		t.Fatalf("ShiftTrack = %+v, %v; want version 3", tr, err)
	}
	_, cues, _ := e.svc.GetTrack(ctx, editor, "r", "en")
	if cues[0].StartMS != 2500 || cues[0].Text != "We open the meeting." {
		t.Errorf("after shift first cue = %+v; want start 2500 and the replaced text", cues[0])
	}
	src, err := e.svc.TrackSource(ctx, editor, "r", "en")
	if err != nil || !strings.Contains(string(src), "We open the meeting.") || !strings.Contains(string(src), "00:00:01.000") {
		t.Errorf("source after shift = %q, %v; want the file as uploaded", src, err)
	}
	if _, err := e.svc.LinearTrack(ctx, editor, "r", "en", 0, 0, 10*time.Second, 20*time.Second); err != nil {
		t.Fatalf("LinearTrack: %v", err)
	}
	_, cues, _ = e.svc.GetTrack(ctx, editor, "r", "en")
	if cues[0].StartMS != 5000 {
		t.Errorf("after doubling, first cue starts at %d ms; want 5000", cues[0].StartMS)
	}
	assertManifestConsistent(t, e, "r")
	if err := e.svc.DeleteTrack(ctx, editor, "r", "en"); err != nil {
		t.Fatal(err)
	}
	if docs, _ := e.index.get("r"); len(docs) != 0 {
		t.Errorf("after DeleteTrack the index holds %d docs; want 0", len(docs))
	}
	if objs, _ := e.store.List(ctx, "recordings/r/tracks/"); len(objs) != 0 {
		t.Errorf("after DeleteTrack objects remain: %v", objs)
	}
	if _, _, err := e.svc.GetTrack(ctx, editor, "r", "en"); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("GetTrack after delete error = %v; want ErrNotFound", err)
	}
}

// TestIndexDownThenRetry: with the index down an upload still succeeds, a
// pending-index marker stays in storage, search answers ErrUnavailable;
// Run catches up once the index is back and removes the marker.
func TestIndexDownThenRetry(t *testing.T) {
	e := trackEnv(t)
	ctx := t.Context()
	e.index.setDown(true)
	putTrack(t, e, "en", "en.vtt", enVTT)
	if got := pendingIDs(t, e.store); !cmp.Equal(got, []string{"r"}) {
		t.Errorf("pending index work in storage while the index is down = %v; want [r]", got)
	}
	if _, err := e.svc.Search(ctx, viewer, archive.SearchQuery{Text: "session"}); !errors.Is(err, archive.ErrUnavailable) {
		t.Errorf("Search with index down error = %v; want ErrUnavailable", err)
	}
	if _, _, err := e.svc.GetTrack(ctx, viewer, "r", "en"); err != nil {
		t.Errorf("watching needs no index, GetTrack: %v", err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- e.svc.Run(runCtx) }()
	defer func() { stop(); <-done }()
	e.index.setDown(false)
	var res archive.SearchResult
	var err error
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		res, err = e.svc.Search(ctx, viewer, archive.SearchQuery{Text: "session"})
		if err == nil && res.Total == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Search 5s after recovery = %+v, %v; want 1 hit", res, err)
		}
	}
	if n := e.svc.Pending(); n != 0 {
		t.Errorf("Pending() = %d once search shows the recording; want 0", n)
	}
	if h := res.Hits[0]; h.URL != "/watch/r?t=1&lang=en" {
		t.Errorf("hit URL = %q; want /watch/r?t=1&lang=en", h.URL)
	}
	// The marker is this process's own, so it goes as soon as applied.
	for deadline := time.Now().Add(5 * time.Second); len(pendingIDs(t, e.store)) > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("pending markers still in storage 5s after the retry loop caught up: %v", pendingIDs(t, e.store))
		}
	}
}

// pendingIDs lists the recordings with pending-index markers in storage.
func pendingIDs(tb testing.TB, b archive.Blobs) []string {
	tb.Helper()
	list, err := archive.ListPending(context.Background(), b)
	if err != nil {
		tb.Fatal(err)
	}
	var ids []string
	for _, p := range list {
		ids = append(ids, p.RecordingID)
	}
	return ids
}

func TestPublishingControlsIndex(t *testing.T) {
	e := trackEnv(t)
	ctx := context.Background()
	putTrack(t, e, "en", "en.vtt", enVTT)
	_, etag, _ := e.svc.Get(ctx, editor, "r")
	draft := archive.StatusDraft
	if _, _, err := e.svc.Patch(ctx, editor, "r", etag, archive.Patch{Status: &draft}); err != nil {
		t.Fatal(err)
	}
	if docs, _ := e.index.get("r"); len(docs) != 0 {
		t.Errorf("unpublished recording still has %d docs in the index", len(docs))
	}
}

func TestReindex(t *testing.T) {
	e := trackEnv(t)
	putTrack(t, e, "en", "en.vtt", enVTT)
	fresh := newRecordingIndex()
	var seen []string
	err := e.svc.Reindex(context.Background(), fresh, func(done, total int, id string, err error) {
		if err != nil {
			t.Errorf("progress(%s) reports %v", id, err)
		}
		seen = append(seen, id)
		if total != 1 || done != 1 {
			t.Errorf("progress(%d, %d); want (1, 1)", done, total)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if docs, _ := fresh.get("r"); len(docs) != 3 || !cmp.Equal(seen, []string{"r"}) {
		t.Errorf("Reindex put %d docs (progress %v); want 3 and [r]", len(docs), seen)
	}
}

func TestHiddenNameWithheldInOthersWords(t *testing.T) {
	e := trackEnv(t)
	putTrack(t, e, "en", "en.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Alice>Thank you, Hidden H, and Survivor S.\n")
	_, cues, err := e.svc.GetTrack(context.Background(), viewer, "r", "en")
	if err != nil || len(cues) != 1 {
		t.Fatalf("GetTrack = %v, %v", cues, err)
	}
	if want := "Thank you, [name withheld], and Speaker 1."; cues[0].Text != want {
		t.Errorf("viewer text = %q; want %q", cues[0].Text, want)
	}
}

// TestMarksFromAnotherProcess: a Service without an index (a command run
// beside a server) marks what it writes; the server's Run finds the marks
// in storage and indexes them.
func TestMarksFromAnotherProcess(t *testing.T) {
	e := trackEnv(t)
	cli, err := archive.NewService(archive.Options{Blobs: e.store})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.PutTrack(context.Background(), editor, "r", archive.TrackUpload{Lang: "en", Name: "en.vtt", Data: []byte(enVTT)}); err != nil {
		t.Fatal(err)
	}
	if got := pendingIDs(t, e.store); !cmp.Equal(got, []string{"r"}) {
		t.Fatalf("write without an index left pending markers for %v; want [r]", got)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.svc.Run(ctx) }()
	defer func() { stop(); <-done }()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if docs, _ := e.index.get("r"); len(docs) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Run did not index the recording marked by the other Service")
		}
	}
}

// TestViewerCueCountLeavesOutHidden: a viewer's cue_count counts only the
// cues a viewer gets, in the manifest and on the track, and follows a
// change of a speaker's visibility.
func TestViewerCueCountLeavesOutHidden(t *testing.T) {
	e := trackEnv(t)
	ctx := context.Background()
	putTrack(t, e, "en", "en.vtt", enVTT)
	putTrack(t, e, "fr", "fr.srt", frSRT) // speakers borrowed from en
	counts := func(who archive.Principal) map[string]int {
		t.Helper()
		rec, _, err := e.svc.Get(ctx, who, "r")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]int{}
		for _, tr := range rec.Tracks {
			m[tr.Lang] = tr.CueCount
			if !who.CanEdit() && tr.SpeakerCues != nil {
				t.Errorf("viewer sees speaker_cues of %s: %v", tr.Lang, tr.SpeakerCues)
			}
		}
		return m
	}
	if diff := cmp.Diff(map[string]int{"en": 3, "fr": 3}, counts(viewer)); diff != "" {
		t.Errorf("viewer cue counts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"en": 4, "fr": 4}, counts(editor)); diff != "" {
		t.Errorf("editor cue counts (-want +got):\n%s", diff)
	}
	tr, cues, err := e.svc.GetTrack(ctx, viewer, "r", "en")
	if err != nil || tr.CueCount != len(cues) || tr.CueCount != 3 {
		t.Errorf("GetTrack(viewer) cue_count %d with %d cues, %v; want 3 and 3", tr.CueCount, len(cues), err)
	}

	rec, etag, err := e.svc.Get(ctx, editor, "r")
	if err != nil {
		t.Fatal(err)
	}
	speakers := rec.Speakers
	for i := range speakers {
		speakers[i].Visibility = archive.VisibilityNamed
	}
	if _, _, err := e.svc.Patch(ctx, editor, "r", etag, archive.Patch{Speakers: &speakers}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"en": 4, "fr": 4}, counts(viewer)); diff != "" {
		t.Errorf("viewer cue counts with nobody hidden (-want +got):\n%s", diff)
	}
}

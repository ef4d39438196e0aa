package archive_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Viewer results are cached, and the cache is never seen: a change of the
// manifest (a speaker hidden) is a new key at once, and an entry made
// while an embargo was pending ends when it passes, with no write at all.
func TestViewerCacheFollowsManifestAndClock(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	c := &clock{t: start}
	e := newClockEnv(t, c)
	e.create(t, archive.RecordingInput{ID: "r", Title: "T", Status: archive.StatusPublished, Speakers: []archive.Speaker{
		{Name: "Bob Named"},
		{Name: "Ana Real", EmbargoUntil: start.Add(time.Hour).Format(time.RFC3339)},
	}})
	vtt := "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Bob Named>bob speaks</v>\n\n00:00:03.000 --> 00:00:04.000\n<v Ana Real>ana speaks</v>\n"
	if _, err := e.svc.PutTrack(ctx, editor, "r", archive.TrackUpload{Lang: "en", Name: "en.vtt", Data: []byte(vtt)}); err != nil {
		t.Fatal(err)
	}
	shown := func() string {
		t.Helper()
		_, cues, err := e.svc.GetTrack(ctx, viewer, "r", "en")
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, c := range cues {
			s = append(s, c.Text)
		}
		return strings.Join(s, "|")
	}
	if got := shown(); got != "bob speaks" {
		t.Fatalf("viewer sees %q; want Bob only (Ana's embargo pending)", got)
	}
	if !archive.ViewerCached(e.svc, "r", "en") {
		t.Fatal("the viewer result was not cached")
	}
	if got := shown(); got != "bob speaks" {
		t.Errorf("from the cache viewer sees %q", got)
	}

	c.set(start.Add(time.Hour))
	if archive.ViewerCached(e.svc, "r", "en") {
		t.Error("the cached result outlives the embargo it depends on")
	}
	if got := shown(); got != "bob speaks|ana speaks" {
		t.Errorf("after Ana's embargo viewer sees %q; want both", got)
	}

	rec, etag, err := e.svc.Get(ctx, editor, "r")
	if err != nil {
		t.Fatal(err)
	}
	speakers := rec.Speakers
	speakers[0].Visibility = archive.VisibilityHidden
	if _, _, err := e.svc.Patch(ctx, editor, "r", etag, archive.Patch{Speakers: &speakers}); err != nil {
		t.Fatal(err)
	}
	if archive.ViewerCached(e.svc, "r", "en") {
		t.Error("a cached result survives a manifest change")
	}
	if got := shown(); got != "ana speaks" {
		t.Errorf("after hiding Bob viewer sees %q; want Ana only", got)
	}
}

// BenchmarkTrackRead compares a viewer's read of a long track (cached
// viewer result) with an editor's (the stored cues, no viewer): the
// viewer/editor figure is their ratio of time per read.
func BenchmarkTrackRead(b *testing.B) {
	ctx := context.Background()
	e := newEnv(b)
	e.create(b, archive.RecordingInput{ID: "r", Title: "T", Status: archive.StatusPublished, Speakers: []archive.Speaker{
		{Name: "Bob Named"}, {Name: "Ana Real", Visibility: archive.VisibilityAnonymised, Pseudonym: "Member A"}, {Name: "Maria Lopez", Visibility: archive.VisibilityHidden},
	}, Redactions: []archive.Redaction{{Text: "Quetzalpan"}}})
	var sb strings.Builder
	sb.WriteString("WEBVTT\n")
	for i := range 5000 {
		fmt.Fprintf(&sb, "\n%02d:%02d:%02d.000 --> %02d:%02d:%02d.500\n<v Bob Named>cue %d for Ana Real from Quetzalpan</v> <v Maria Lopez>her words %d</v>\n",
			i/3600, i/60%60, i%60, i/3600, i/60%60, i%60, i, i)
	}
	if _, err := e.svc.PutTrack(ctx, editor, "r", archive.TrackUpload{Lang: "en", Name: "en.vtt", Data: []byte(sb.String())}); err != nil {
		b.Fatal(err)
	}
	read := func(who archive.Principal) time.Duration {
		t0 := time.Now()
		if _, _, err := e.svc.GetTrack(ctx, who, "r", "en"); err != nil {
			b.Fatal(err)
		}
		return time.Since(t0)
	}
	read(viewer)
	read(editor)
	b.ResetTimer()
	var ed, vw time.Duration
	for range b.N {
		ed += read(editor)
		vw += read(viewer)
	}
	b.ReportMetric(float64(vw)/float64(ed), "viewer/editor")
	b.ReportMetric(float64(vw.Nanoseconds())/float64(b.N), "viewer-ns/read")
	b.ReportMetric(float64(ed.Nanoseconds())/float64(b.N), "editor-ns/read")
}

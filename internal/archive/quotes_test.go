package archive_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
)

const quoteVTT = `WEBVTT

00:00:01.000 --> 00:00:03.000
<v Bob Named>We open the session on trafficking.

00:00:04.000 --> 00:00:06.000
<v Ana Real>I was recruited with a false promise.

00:00:07.000 --> 00:00:09.000
<v Bob Named>Thank you.</v> <v Maria Lopez>my village was Quetzalpan

00:00:10.000 --> 00:00:12.000
<v Maria Lopez>a whole cue of hidden words
`

// quoteEnv is a published recording with a named chair, an anonymised
// survivor and a hidden speaker, in English and French.
func quoteEnv(t *testing.T, o ...func(*archive.Options)) *env {
	t.Helper()
	e := newEnv(t)
	if len(o) > 0 {
		opts := archive.Options{Blobs: e.blobs, Index: e.index, Now: func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) }}
		for _, f := range o {
			f(&opts)
		}
		var err error
		if e.svc, err = archive.NewService(opts); err != nil {
			t.Fatal(err)
		}
	}
	e.create(t, archive.RecordingInput{ID: "hrc", Title: "Side event", Event: "HRC 47", Date: "2021-07-01", Place: "Geneva", Status: archive.StatusPublished,
		Speakers: []archive.Speaker{
			{Name: "Bob Named", Role: "Chair"},
			{Name: "Ana Real", Role: "Survivor", Visibility: archive.VisibilityAnonymised, Pseudonym: "Member A"},
			{Name: "Maria Lopez", Visibility: archive.VisibilityHidden},
		}})
	putQuoteTrack(t, e, "en", quoteVTT)
	putQuoteTrack(t, e, "fr", strings.NewReplacer("We open the session on trafficking.", "Nous ouvrons la séance sur la traite.", "Thank you.", "Merci.").Replace(quoteVTT))
	return e
}

func putQuoteTrack(t *testing.T, e *env, lang, vtt string) {
	t.Helper()
	if _, err := e.svc.PutTrack(context.Background(), editor, "hrc", archive.TrackUpload{Lang: lang, Name: lang + ".vtt", Data: []byte(vtt)}); err != nil {
		t.Fatalf("PutTrack(%s): %v", lang, err)
	}
}

func TestQuoteTwoCues(t *testing.T) {
	e := quoteEnv(t)
	ctx := context.Background()
	q, err := e.svc.CreateQuote(ctx, viewer, archive.QuoteRequest{RecordingID: "hrc", Lang: "en", StartMS: 1500, EndMS: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if !archive.ValidQuoteID(q.ID) {
		t.Errorf("id %q is not a quote id", q.ID)
	}
	want := "We open the session on trafficking.\nI was recruited with a false promise."
	if q.Text != want {
		t.Errorf("Text = %q; want %q", q.Text, want)
	}
	if len(q.Cues) != 2 || q.Cues[0].Speaker != "Bob Named" || q.Cues[1].Speaker != "Member A" {
		t.Errorf("cues = %+v; want Bob Named then Member A", q.Cues)
	}
	if len(q.Speakers) != 2 || q.Speakers[0] != (archive.QuoteSpeaker{Name: "Bob Named", Role: "Chair", Ref: "bob-named"}) || q.Speakers[1].Name != "Member A" || q.Speakers[1].Role != "" {
		t.Errorf("speakers = %+v; want Bob Named (Chair) and Member A without the role", q.Speakers)
	}
	if q.Kind != archive.KindOriginal || q.Source != archive.SourceHuman || q.TrackVersion != 1 || !strings.HasPrefix(q.Hash, "sha256:") || q.CreatedAt.IsZero() {
		t.Errorf("provenance = %s %s v%d %q %v", q.Kind, q.Source, q.TrackVersion, q.Hash, q.CreatedAt)
	}
	// Stored once, create-only, where the design says.
	if _, err := e.store.Stat(ctx, "quotes/"+q.ID+".json"); err != nil {
		t.Fatalf("stored quote: %v", err)
	}
	if _, err := e.store.Put(ctx, "quotes/"+q.ID+".json", strings.NewReader("{}"), 2, archive.PutOptions{IfNoneMatch: true}); !errors.Is(err, archive.ErrPrecondition) {
		t.Errorf("a second create-only write of the quote = %v; want ErrPrecondition", err)
	}
	qv, err := e.svc.QuoteView(ctx, viewer, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	if qv.Quote.Text != want || qv.Withheld || qv.Current != nil {
		t.Errorf("view = %q withheld=%v current=%+v; want the words, unchanged", qv.Quote.Text, qv.Withheld, qv.Current)
	}
	for _, c := range qv.Quote.Cues {
		for _, sp := range c.Spans {
			if sp.Ref != "" {
				t.Errorf("a viewer's quote carries the speaker ref %q", sp.Ref)
			}
		}
	}
	if len(qv.Others) != 1 || qv.Others[0].Lang != "fr" || !strings.Contains(qv.Others[0].Text, "Nous ouvrons la séance") {
		t.Errorf("other languages = %+v; want the French at that moment", qv.Others)
	}
}

func TestQuoteWithheldWords(t *testing.T) {
	e := quoteEnv(t)
	ctx := context.Background()
	q, err := e.svc.CreateQuote(ctx, viewer, archive.QuoteRequest{RecordingID: "hrc", Lang: "en", StartMS: 7000, EndMS: 12000})
	if err != nil {
		t.Fatal(err)
	}
	data := readStored(t, e, q.ID)
	for _, bad := range []string{"Quetzalpan", "village", "hidden words", "Maria", "maria"} {
		if strings.Contains(data, bad) {
			t.Errorf("stored quote holds %q:\n%s", bad, data)
		}
	}
	if len(q.Cues) != 1 || !strings.Contains(q.Text, "Thank you.") || !strings.Contains(q.Text, archive.WithheldPassage) {
		t.Errorf("quote = %q; want Bob's words and the gap marked", q.Text)
	}
	_, err = e.svc.CreateQuote(ctx, viewer, archive.QuoteRequest{RecordingID: "hrc", Lang: "en", StartMS: 10000, EndMS: 12000})
	if !errors.Is(err, archive.ErrInvalid) {
		t.Errorf("a quote of withheld words only = %v; want ErrInvalid", err)
	}
}

func readStored(t *testing.T, e *env, id string) string {
	t.Helper()
	rc, _, err := e.store.Get(context.Background(), "quotes/"+id+".json", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return string(b)
}

func TestQuoteBounds(t *testing.T) {
	e := quoteEnv(t)
	ctx := context.Background()
	for _, tc := range []struct {
		in   archive.QuoteRequest
		want error
	}{
		{archive.QuoteRequest{RecordingID: "hrc", Lang: "en", StartMS: 5000, EndMS: 5000}, archive.ErrInvalid},
		{archive.QuoteRequest{RecordingID: "hrc", Lang: "en", StartMS: -1, EndMS: 5000}, archive.ErrInvalid},
		{archive.QuoteRequest{RecordingID: "hrc", Lang: "en", StartMS: 0, EndMS: 5*60*1000 + 1}, archive.ErrTooLarge},
		{archive.QuoteRequest{RecordingID: "hrc", Lang: "de", StartMS: 0, EndMS: 5000}, archive.ErrNotFound},
		{archive.QuoteRequest{RecordingID: "nope", Lang: "en", StartMS: 0, EndMS: 5000}, archive.ErrNotFound},
		{archive.QuoteRequest{RecordingID: "../x", Lang: "en", StartMS: 0, EndMS: 5000}, archive.ErrNotFound},
		{archive.QuoteRequest{RecordingID: "hrc", Lang: "en", StartMS: 20000, EndMS: 25000}, archive.ErrInvalid},
	} {
		if _, err := e.svc.CreateQuote(ctx, viewer, tc.in); !errors.Is(err, tc.want) {
			t.Errorf("CreateQuote(%+v) = %v; want %v", tc.in, err, tc.want)
		}
	}
	// A draft cannot be quoted, and does not exist for a viewer.
	e.create(t, archive.RecordingInput{ID: "draft", Title: "Draft"})
	if _, err := e.svc.CreateQuote(ctx, viewer, archive.QuoteRequest{RecordingID: "draft", Lang: "en", StartMS: 0, EndMS: 5000}); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("quote of a draft as a viewer = %v; want ErrNotFound", err)
	}
	for _, id := range []string{"", "short", "ABCDEFGHIJKL", "abcdefghijk0", "../../accounts"} {
		if _, err := e.svc.QuoteView(ctx, viewer, id); !errors.Is(err, archive.ErrNotFound) {
			t.Errorf("QuoteView(%q) = %v; want ErrNotFound", id, err)
		}
	}
}

func TestQuoteEditorsOnly(t *testing.T) {
	e := quoteEnv(t, func(o *archive.Options) { o.QuotesEditorsOnly = true })
	in := archive.QuoteRequest{RecordingID: "hrc", Lang: "en", StartMS: 1000, EndMS: 3000}
	if _, err := e.svc.CreateQuote(context.Background(), viewer, in); !errors.Is(err, archive.ErrUnauthorized) {
		t.Errorf("anonymous CreateQuote with editors only = %v; want ErrUnauthorized", err)
	}
	if _, err := e.svc.CreateQuote(context.Background(), editor, in); err != nil {
		t.Errorf("editor CreateQuote = %v", err)
	}
}

// A speaker hidden after the quote was made: the quote shows the notice.
func TestQuoteRecheckedAgainstConsent(t *testing.T) {
	e := quoteEnv(t)
	ctx := context.Background()
	q, err := e.svc.CreateQuote(ctx, viewer, archive.QuoteRequest{RecordingID: "hrc", Lang: "en", StartMS: 1000, EndMS: 3000})
	if err != nil {
		t.Fatal(err)
	}
	rec, etag, _ := e.svc.Get(ctx, editor, "hrc")
	sp := rec.Speakers
	sp[0].Visibility = archive.VisibilityHidden
	if _, etag, err = e.svc.Patch(ctx, editor, "hrc", etag, archive.Patch{Speakers: &sp}); err != nil {
		t.Fatal(err)
	}
	qv, err := e.svc.QuoteView(ctx, viewer, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !qv.Withheld || qv.Quote.Text != archive.WithheldPassage || len(qv.Quote.Speakers) != 0 {
		t.Errorf("after hiding Bob: withheld=%v text=%q speakers=%+v; want the notice only", qv.Withheld, qv.Quote.Text, qv.Quote.Speakers)
	}
	for _, c := range qv.Quote.Cues {
		if strings.Contains(c.Text, "trafficking") || strings.Contains(c.Speaker, "Bob") {
			t.Errorf("hidden speaker's words or name still shown: %+v", c)
		}
	}
	// Anonymised instead: the pseudonym, the words back.
	sp[0].Visibility, sp[0].Pseudonym = archive.VisibilityAnonymised, "Chair X"
	if _, etag, err = e.svc.Patch(ctx, editor, "hrc", etag, archive.Patch{Speakers: &sp}); err != nil {
		t.Fatal(err)
	}
	qv, _ = e.svc.QuoteView(ctx, viewer, q.ID)
	if qv.Withheld || len(qv.Quote.Speakers) != 1 || qv.Quote.Speakers[0].Name != "Chair X" || strings.Contains(qv.Quote.Cues[0].Speaker, "Bob") {
		t.Errorf("after anonymising Bob: %+v", qv.Quote)
	}
	// Unpublished: gone for viewers.
	draft := archive.StatusDraft
	if _, _, err := e.svc.Patch(ctx, editor, "hrc", etag, archive.Patch{Status: &draft}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.QuoteView(ctx, viewer, q.ID); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("quote of an unpublished recording = %v; want ErrNotFound", err)
	}
}

// Correcting the track keeps the quote's words; the view shows the new
// wording, found through a later shift by +2 s.
func TestQuoteSurvivesCorrectionAndShift(t *testing.T) {
	e := quoteEnv(t)
	ctx := context.Background()
	q, err := e.svc.CreateQuote(ctx, viewer, archive.QuoteRequest{RecordingID: "hrc", Lang: "en", StartMS: 1000, EndMS: 3000})
	if err != nil {
		t.Fatal(err)
	}
	putQuoteTrack(t, e, "en", strings.Replace(quoteVTT, "We open the session on trafficking.", "We open the session on human trafficking.", 1))
	qv, err := e.svc.QuoteView(ctx, viewer, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	if qv.Quote.Text != "We open the session on trafficking." {
		t.Errorf("after correction the quote reads %q; want the words as quoted", qv.Quote.Text)
	}
	if qv.Current == nil || !qv.Current.Changed || qv.Current.Text != "We open the session on human trafficking." || qv.Current.TrackVersion != 2 {
		t.Errorf("current = %+v; want the corrected wording, version 2", qv.Current)
	}
	// Shift by +2 s: the new wording is found at 3-5 s (where, unshifted,
	// the window 1-3 s would now find nothing, and 4-6 s someone else).
	if _, err := e.svc.ShiftTrack(ctx, editor, "hrc", "en", 2*time.Second); err != nil {
		t.Fatal(err)
	}
	qv, err = e.svc.QuoteView(ctx, viewer, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	if qv.Current == nil || qv.Current.StartMS != 3000 || qv.Current.EndMS != 5000 || qv.Current.Text != "We open the session on human trafficking." {
		t.Errorf("after +2s shift current = %+v; want the new wording at 3000-5000", qv.Current)
	}
	if qv.Quote.Text != "We open the session on trafficking." || qv.Quote.StartMS != 1000 {
		t.Errorf("the quote changed: %+v", qv.Quote)
	}
	// A linear correction on top maps through both.
	if _, err := e.svc.LinearTrack(ctx, editor, "hrc", "en", 0, 0, 10*time.Second, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	qv, _ = e.svc.QuoteView(ctx, viewer, q.ID)
	if qv.Current == nil || qv.Current.StartMS != 6000 || qv.Current.Text != "We open the session on human trafficking." {
		t.Errorf("after shift then ×2 current = %+v; want 6000 ms", qv.Current)
	}
}

// A stored quote that no longer matches its hash is refused, not shown.
func TestQuoteDamaged(t *testing.T) {
	e := quoteEnv(t)
	ctx := context.Background()
	q, err := e.svc.CreateQuote(ctx, viewer, archive.QuoteRequest{RecordingID: "hrc", Lang: "en", StartMS: 1000, EndMS: 3000})
	if err != nil {
		t.Fatal(err)
	}
	data := strings.Replace(readStored(t, e, q.ID), "trafficking", "smuggling!!", 1)
	if err := e.store.Delete(ctx, "quotes/"+q.ID+".json"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Put(ctx, "quotes/"+q.ID+".json", bytes.NewReader([]byte(data)), int64(len(data)), archive.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.QuoteView(ctx, viewer, q.ID); err == nil || errors.Is(err, archive.ErrNotFound) {
		t.Errorf("QuoteView of a tampered quote = %v; want a damage error", err)
	}
}

// An unlabelled track borrows its speakers from the labelled ones, for a
// quote as on the watch page: a quote of it cannot hold a hidden
// speaker's words, and neither can the other languages a quote shows.
func TestQuoteOfUnlabelledTrackHonoursBorrowedSpeakers(t *testing.T) {
	// The interpretation is uploaded first: nothing is borrowed in storage,
	// the viewer borrows when it reads.
	e := newEnv(t)
	e.create(t, archive.RecordingInput{ID: "hrc", Title: "Side event", Status: archive.StatusPublished,
		Speakers: []archive.Speaker{{Name: "Bob Named"}, {Name: "Ana Real"}, {Name: "Maria Lopez", Visibility: archive.VisibilityHidden}}})
	putQuoteTrack(t, e, "de", "1\n00:00:01,000 --> 00:00:03,000\nWir eröffnen die Sitzung.\n\n"+
		"2\n00:00:04,000 --> 00:00:06,000\nMan hat mir etwas versprochen.\n\n"+
		"3\n00:00:10,000 --> 00:00:12,000\nganz versteckte Worte\n")
	putQuoteTrack(t, e, "en", quoteVTT)
	ctx := context.Background()
	_, err := e.svc.CreateQuote(ctx, archive.Principal{}, archive.QuoteRequest{RecordingID: "hrc", Lang: "de", StartMS: 10000, EndMS: 12000})
	if !errors.Is(err, archive.ErrInvalid) {
		t.Errorf("quote of the hidden speaker's cue in the unlabelled track: err = %v; want ErrInvalid (nothing a viewer may see)", err)
	}
	q, err := e.svc.CreateQuote(ctx, archive.Principal{}, archive.QuoteRequest{RecordingID: "hrc", Lang: "en", StartMS: 4000, EndMS: 12000})
	if err != nil {
		t.Fatal(err)
	}
	qv, err := e.svc.QuoteView(ctx, archive.Principal{}, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	var de string
	for _, o := range qv.Others {
		if o.Lang == "de" {
			de = o.Text
		}
	}
	if !strings.Contains(de, "versprochen") || strings.Contains(de, "versteckte") {
		t.Errorf("the quote's moment in German = %q; want the survivor's words and not the hidden speaker's", de)
	}
}

// Deleting a recording deletes its quotes and their stored cards and
// clips; a recording made later under the same id has none of them.
func TestDeleteRemovesQuotes(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	e := quoteEnv(t, func(o *archive.Options) { o.Now = func() time.Time { return now } })
	ctx := context.Background()
	q, err := e.svc.CreateQuote(ctx, archive.Principal{}, archive.QuoteRequest{RecordingID: "hrc", Lang: "en", StartMS: 1000, EndMS: 3000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.QuoteCard(ctx, archive.Principal{}, q.ID, func(archive.QuoteView) ([]byte, error) { return []byte("card"), nil }); err != nil {
		t.Fatal(err)
	}
	// Another recording's quote stays.
	e.create(t, archive.RecordingInput{ID: "other", Title: "Other", Status: archive.StatusPublished})
	if _, err := e.svc.PutTrack(ctx, editor, "other", archive.TrackUpload{Lang: "en", Name: "en.vtt", Data: []byte(quoteVTT)}); err != nil {
		t.Fatal(err)
	}
	kept, err := e.svc.CreateQuote(ctx, archive.Principal{}, archive.QuoteRequest{RecordingID: "other", Lang: "en", StartMS: 1000, EndMS: 3000})
	if err != nil {
		t.Fatal(err)
	}
	if left := keysUnder(t, e, "quotes/"+q.ID); len(left) != 2 {
		t.Fatalf("before the delete: %v; want the quote and its card", left)
	}

	if err := e.svc.Delete(ctx, editor, "hrc"); err != nil {
		t.Fatal(err)
	}
	if left := keysUnder(t, e, "quotes/"+q.ID); len(left) != 0 {
		t.Errorf("after the recording's delete, its quote's objects remain: %v", left)
	}
	if left := keysUnder(t, e, "recordings/hrc/"); len(left) != 0 {
		t.Errorf("after the delete, objects remain under the recording: %v", left)
	}
	if _, err := e.svc.QuoteView(ctx, archive.Principal{}, kept.ID); err != nil {
		t.Errorf("the other recording's quote after the delete: %v", err)
	}
	now = now.Add(time.Hour)
	e.create(t, archive.RecordingInput{ID: "hrc", Title: "A new recording under the old id", Status: archive.StatusPublished})
	putQuoteTrack(t, e, "en", quoteVTT)
	if _, err := e.svc.QuoteView(ctx, archive.Principal{}, q.ID); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("the deleted recording's quote under a new recording of the same id: err = %v; want ErrNotFound", err)
	}
}

// A quote older than the recording its id names now is of another
// recording (one deleted before quotes were removed with it): not found.
func TestQuoteOfAnEarlierRecordingUnderTheSameID(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	e := quoteEnv(t, func(o *archive.Options) { o.Now = func() time.Time { return now } })
	ctx := context.Background()
	q, err := e.svc.CreateQuote(ctx, archive.Principal{}, archive.QuoteRequest{RecordingID: "hrc", Lang: "en", StartMS: 1000, EndMS: 3000})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keysUnder(t, e, "recordings/hrc/quotes/") { // as if it had been made without its reference
		if err := e.store.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.svc.Delete(ctx, editor, "hrc"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	e.create(t, archive.RecordingInput{ID: "hrc", Title: "Another recording", Status: archive.StatusPublished})
	putQuoteTrack(t, e, "en", quoteVTT)
	if _, err := e.svc.QuoteView(ctx, archive.Principal{}, q.ID); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("a quote made before the recording now under its id: err = %v; want ErrNotFound", err)
	}
}

func keysUnder(t *testing.T, e *env, prefix string) []string {
	t.Helper()
	infos, err := e.store.List(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, i := range infos {
		keys = append(keys, i.Key)
	}
	return keys
}

// A quote's clip is cut where the words are in the media now: after the
// track is shifted by +2 s, at the shifted range with shifted captions,
// under a new name (the clip cut before is not served again).
func TestQuoteClipFollowsRetiming(t *testing.T) {
	e := quoteEnv(t)
	ctx := context.Background()
	video := mediatest.MP4(t, mediatest.Spec{Duration: 20 * time.Second})
	if _, err := e.svc.PutMedia(ctx, editor, "hrc", archive.MediaUpload{Name: "v.mp4", ContentType: "video/mp4", Size: int64(len(video)), Body: bytes.NewReader(video)}); err != nil {
		t.Fatal(err)
	}
	q, err := e.svc.CreateQuote(ctx, archive.Principal{}, archive.QuoteRequest{RecordingID: "hrc", Lang: "en", StartMS: 1000, EndMS: 3000})
	if err != nil {
		t.Fatal(err)
	}
	format := func(string) (archive.ClipFormat, error) {
		return archive.ClipFormat{Ext: ".mp4", ContentType: "video/mp4"}, nil
	}
	var jobs []archive.ClipJob
	cut := func(ctx context.Context, job archive.ClipJob) error {
		jobs = append(jobs, job)
		return job.Store(ctx, strings.NewReader("clip"), 4)
	}
	first, _, err := e.svc.QuoteClip(ctx, archive.Principal{}, q.ID, format, cut)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ShiftTrack(ctx, editor, "hrc", "en", 2*time.Second); err != nil {
		t.Fatal(err)
	}
	second, _, err := e.svc.QuoteClip(ctx, archive.Principal{}, q.ID, format, cut)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 2 || first.Key == second.Key {
		t.Fatalf("after the shift: %d cuts, keys %s and %s; want a second cut under a new name", len(jobs), first.Key, second.Key)
	}
	j := jobs[1]
	if j.StartMS != 3000 || j.EndMS != 5000 || len(j.Captions) != 1 || j.Captions[0].StartMS != 3000 || j.Captions[0].EndMS != 5000 {
		t.Errorf("clip job after the +2 s shift: %d–%d ms, captions %+v; want 3000–5000 with the caption there", j.StartMS, j.EndMS, j.Captions)
	}
	if j.Captions[0].Text != "We open the session on trafficking." {
		t.Errorf("caption after the shift = %q; want the quoted words", j.Captions[0].Text)
	}
}

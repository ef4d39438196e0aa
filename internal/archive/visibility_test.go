package archive_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/disk"
)

// clock is a Service clock a test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func newClockEnv(tb testing.TB, c *clock) *env {
	tb.Helper()
	store, err := disk.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	e := &env{store: store, blobs: &faultyBlobs{Blobs: store}, index: newRecordingIndex()}
	e.svc, err = archive.NewService(archive.Options{Blobs: e.blobs, Index: e.index, RetryEvery: 5 * time.Millisecond, PasswordCost: bcrypt.MinCost, Now: c.now})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// A published recording with a named, an anonymised and a hidden speaker
// who speaks inside the others' cues, names spelt every which way.
const mixedVTT = `WEBVTT

00:00:01.000 --> 00:00:03.000
<v Bob Named>Over to you.</v> <v Maria Lopez>my village was Quetzalpan</v>

00:00:04.000 --> 00:00:06.000
<v Bob Named>Thank you, <i>MARIA</i> lopez and Ana <b>Real</b>.
<v maría lópez>second secret turn

00:00:07.000 --> 00:00:09.000
<v Maria Lopez>a whole cue of hidden words

00:00:10.000 --> 00:00:12.000
<v Ana Real>I came from Quetzalpan too, said ms&#32;lopez.

00:00:13.000 --> 00:00:15.000
<v Bob Named>the date was the fourth of June
`

func mixedRecording(tb testing.TB, e *env) {
	tb.Helper()
	e.create(tb, archive.RecordingInput{ID: "r", Title: "Launch with Maria Lopez", Status: archive.StatusPublished, Speakers: []archive.Speaker{
		{Name: "Bob Named"},
		{Name: "Ana Real", Visibility: archive.VisibilityAnonymised, Pseudonym: "Member A"},
		{Name: "Maria Lopez", Visibility: archive.VisibilityHidden, Aliases: []string{"Ms Lopez"}},
	}, Redactions: []archive.Redaction{{Text: "quetzalpan"}, {StartMS: 13000, EndMS: 14000}}})
	res, err := e.svc.PutTrack(context.Background(), editor, "r", archive.TrackUpload{Lang: "en", Name: "en.vtt", Data: []byte(mixedVTT)})
	if err != nil {
		tb.Fatal(err)
	}
	if len(res.Warnings) != 0 {
		tb.Errorf("warnings %v; want none (every label is known)", res.Warnings)
	}
}

var leaked = []string{"Maria", "María", "Lopez", "López", "lopez", "Ana Real", "Real", "village", "secret", "hidden words", "Quetzalpan", "fourth of June"}

func noLeak(tb testing.TB, where, s string) {
	tb.Helper()
	low := strings.ToLower(s)
	for _, w := range leaked {
		if strings.Contains(low, strings.ToLower(w)) {
			tb.Errorf("%s shows %q:\n%s", where, w, s)
		}
	}
}

func TestViewerSpans(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	mixedRecording(t, e)
	tr, cues, err := e.svc.GetTrack(ctx, viewer, "r", "en")
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, c := range cues {
		all = append(all, c.Speaker+"|"+c.Text+"|"+c.Styled)
		for _, s := range c.Spans {
			all = append(all, s.Speaker+"|"+s.Text+"|"+s.Styled)
		}
	}
	got := strings.Join(all, "\n")
	noLeak(t, "viewer cues", got)
	want := []string{
		"Bob Named|Over to you.\n" + archive.WithheldPassage,
		"Bob Named|Thank you, [name withheld] and Member A.\n" + archive.WithheldPassage,
		"Member A|I came from [redacted] too, said [name withheld].",
		"Bob Named|" + archive.Redacted,
	}
	if len(cues) != len(want) {
		t.Fatalf("viewer gets %d cues; want %d (the all-hidden cue gone):\n%s", len(cues), len(want), got)
	}
	for k, c := range cues {
		if c.Speaker+"|"+c.Text != want[k] {
			t.Errorf("cue %d = %q; want %q", k, c.Speaker+"|"+c.Text, want[k])
		}
	}
	if !strings.Contains(cues[1].Styled, "<i>[name withheld]</i>") && !strings.Contains(cues[1].Styled, "[name withheld]<i></i>") {
		t.Errorf("styled lost its balance: %q", cues[1].Styled)
	}
	if tr.CueCount != 4 {
		t.Errorf("viewer track cue_count = %d; want 4", tr.CueCount)
	}
	rec, _, err := e.svc.Get(ctx, viewer, "r")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Tracks[0].CueCount != 4 || rec.Title != "Launch with [name withheld]" || len(rec.Redactions) != 0 || len(rec.Speakers) != 2 {
		t.Errorf("viewer recording = %+v", rec)
	}
	for _, f := range []string{archive.FormatVTT, archive.FormatSRT, archive.FormatTTML, archive.FormatText} {
		b, err := e.svc.ExportTrack(ctx, viewer, "r", "en", f)
		if err != nil {
			t.Fatal(err)
		}
		noLeak(t, f, string(b))
	}
	docs, _ := e.index.get("r")
	for _, d := range docs {
		noLeak(t, "index", d.Speaker+" "+d.Text+" "+d.Next+" "+d.Title)
		if strings.Contains(d.Text, "withheld at") {
			t.Errorf("index holds the withheld marker: %q", d.Text)
		}
	}
	// Editors see everything.
	_, ed, err := e.svc.GetTrack(ctx, editor, "r", "en")
	if err != nil || len(ed) != 5 || !strings.Contains(ed[0].Text, "Quetzalpan") {
		t.Errorf("editor cues = %v, %v", ed, err)
	}
}

func TestNewLabelsHeld(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	mixedRecording(t, e)
	res, err := e.svc.PutTrack(ctx, editor, "r", archive.TrackUpload{Lang: "fr", Name: "fr.srt", Data: []byte("1\n00:00:01,000 --> 00:00:02,000\n- Bob Named: À vous.\n- Maria: mots cachés\n")})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0].Reason, `"Maria" is held`) {
		t.Errorf("warnings = %v; want the held label named", res.Warnings)
	}
	rec, etag, _ := e.svc.Get(ctx, editor, "r")
	var held archive.Speaker
	for _, sp := range rec.Speakers {
		if sp.Name == "Maria" {
			held = sp
		}
	}
	if !held.Held {
		t.Fatalf("speaker Maria = %+v; want held", held)
	}
	_, cues, _ := e.svc.GetTrack(ctx, viewer, "r", "fr")
	if len(cues) != 1 || strings.Contains(cues[0].Text, "cachés") {
		t.Errorf("held label shown to viewers: %v", cues)
	}
	// The editor makes "Maria" an alias of the hidden speaker: still hidden.
	sps := []archive.Speaker{}
	for _, sp := range rec.Speakers {
		if sp.Name == "Maria Lopez" {
			sp.Aliases = append(sp.Aliases, "Maria")
		}
		if sp.Name != "Maria" {
			sps = append(sps, sp)
		}
	}
	if _, _, err := e.svc.Patch(ctx, editor, "r", etag, archive.Patch{Speakers: &sps}); err != nil {
		t.Fatal(err)
	}
	_, cues, _ = e.svc.GetTrack(ctx, viewer, "r", "fr")
	if len(cues) != 1 || strings.Contains(cues[0].Text, "cachés") || !strings.Contains(cues[0].Text, archive.WithheldPassage) {
		t.Errorf("alias did not hide the turn: %v", cues)
	}

	// On a sensitive recording a new label starts hidden.
	e.create(t, archive.RecordingInput{ID: "s", Title: "S", Status: archive.StatusPublished, Sensitive: true})
	res, err = e.svc.PutTrack(ctx, editor, "s", archive.TrackUpload{Lang: "en", Name: "en.vtt", Data: []byte("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Zed>quiet words\n")})
	if err != nil || len(res.Warnings) != 1 {
		t.Fatalf("PutTrack sensitive: %v %v", res.Warnings, err)
	}
	if _, cues, _ := e.svc.GetTrack(ctx, viewer, "s", "en"); len(cues) != 0 {
		t.Errorf("sensitive recording shows a new label: %v", cues)
	}
}

func TestEmbargoLapses(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)}
	e := newClockEnv(t, c)
	e.create(t, archive.RecordingInput{ID: "r", Title: "T", Status: archive.StatusPublished, EmbargoUntil: "2026-12-01T10:00:00+01:00",
		Speakers: []archive.Speaker{{Name: "Bob"}, {Name: "Eve", EmbargoUntil: "2026-12-01T12:00:00Z"}}})
	if _, err := e.svc.PutTrack(ctx, editor, "r", archive.TrackUpload{Lang: "en", Name: "en.srt", Data: []byte("1\n00:00:01,000 --> 00:00:02,000\n- Bob: open words\n- Eve: later words\n")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Get(ctx, viewer, "r"); err == nil {
		t.Fatal("embargoed recording visible")
	}
	if docs, _ := e.index.get("r"); len(docs) != 0 {
		t.Fatalf("embargoed recording indexed: %v", docs)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	// Another instance on the same store, which never saw the writes,
	// lifts the embargo in search: the moment is marked in storage.
	other, err := archive.NewService(archive.Options{Blobs: e.blobs, Index: e.index, RetryEvery: 5 * time.Millisecond, PasswordCost: bcrypt.MinCost, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	go func() { done <- other.Run(runCtx) }()
	defer func() { cancel(); <-done }()

	c.set(time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)) // the recording's embargo (09:00Z) has passed
	_, cues, err := e.svc.GetTrack(ctx, viewer, "r", "en")
	if err != nil || len(cues) != 1 || strings.Contains(cues[0].Text, "later") {
		t.Fatalf("after the recording's embargo: %v %v", cues, err)
	}
	waitDocs(t, e, "r", func(text string) bool {
		return strings.Contains(text, "open words") && !strings.Contains(text, "later")
	})

	c.set(time.Date(2026, 12, 1, 12, 0, 1, 0, time.UTC)) // Eve's too
	_, cues, _ = e.svc.GetTrack(ctx, viewer, "r", "en")
	if len(cues) != 1 || !strings.Contains(cues[0].Text, "Eve: later words") {
		t.Fatalf("after the speaker's embargo: %v", cues)
	}
	waitDocs(t, e, "r", func(text string) bool { return strings.Contains(text, "later words") })
}

func waitDocs(t *testing.T, e *env, id string, ok func(string) bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		docs, _ := e.index.get(id)
		var all []string
		for _, d := range docs {
			all = append(all, d.Text)
		}
		if ok(strings.Join(all, "\n")) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("index of %s never caught up: %q", id, all)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPatchValidatesConsent(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.create(t, archive.RecordingInput{ID: "r", Title: "T"})
	_, etag, _ := e.svc.Get(ctx, editor, "r")
	bad := "tomorrow"
	for name, p := range map[string]archive.Patch{
		"embargo":   {EmbargoUntil: &bad},
		"redaction": {Redactions: &[]archive.Redaction{{StartMS: 5, EndMS: 5}}},
		"both":      {Redactions: &[]archive.Redaction{{Text: "x", StartMS: 1, EndMS: 2}}},
		"alias":     {Speakers: &[]archive.Speaker{{Name: "A", Aliases: []string{"  "}}}},
		"speaker":   {Speakers: &[]archive.Speaker{{Name: "A", EmbargoUntil: "soon"}}},
	} {
		if _, _, err := e.svc.Patch(ctx, editor, "r", etag, p); err == nil || !strings.Contains(err.Error(), "invalid") {
			t.Errorf("%s: Patch = %v; want ErrInvalid", name, err)
		}
	}
}

// An unmarked interpretation borrows its speakers from the original by
// time. Its cues cannot be split by turn, so one of a time a withheld
// speaker spoke in is withheld whole, even where the cue overlapping it
// most is someone else's: a gap where someone shown spoke too, nothing
// where only she did. It stays so when she is later named or hidden
// again, and in the cue counts and the index.
func TestViewerBorrowedSpeakers(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	mixedRecording(t, e)
	const fr = `1
00:00:01,000 --> 00:00:03,000
A vous. mon village interprete

2
00:00:04,000 --> 00:00:06,500
Merci. second secret interprete

3
00:00:07,000 --> 00:00:09,000
hidden words interpretes

4
00:00:10,000 --> 00:00:12,000
Je viens aussi

5
00:00:13,000 --> 00:00:15,000
le quatre juin
`
	if _, err := e.svc.PutTrack(ctx, editor, "r", archive.TrackUpload{Lang: "fr", Name: "fr.srt", Data: []byte(fr)}); err != nil {
		t.Fatal(err)
	}
	tr, cues, err := e.svc.GetTrack(ctx, viewer, "r", "fr")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cues {
		got = append(got, c.Speaker+"|"+c.Text)
		if len(c.Borrowed) != 0 {
			t.Errorf("viewer cue carries the borrowed speakers %q", c.Borrowed)
		}
	}
	want := []string{"|" + archive.WithheldPassage, "|" + archive.WithheldPassage, "Member A|Je viens aussi", "Bob Named|" + archive.Redacted}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("viewer fr cues:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range []string{archive.FormatVTT, archive.FormatSRT, archive.FormatTTML, archive.FormatText} {
		b, err := e.svc.ExportTrack(ctx, viewer, "r", "fr", f)
		if err != nil {
			t.Fatal(err)
		}
		noLeak(t, "fr "+f, string(b))
		if strings.Contains(string(b), "interpret") {
			t.Errorf("fr %s shows interpreted words of a withheld speaker:\n%s", f, b)
		}
	}
	rec, _, err := e.svc.Get(ctx, viewer, "r")
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range rec.Tracks {
		if rt.Lang == "fr" && (rt.CueCount != len(cues) || tr.CueCount != len(cues)) {
			t.Errorf("viewer fr cue_count %d (track %d); want %d", rt.CueCount, tr.CueCount, len(cues))
		}
	}
	docs, _ := e.index.get("r")
	for _, d := range docs {
		if d.Lang == "fr" && (strings.Contains(d.Text+d.Next, "interpret") || d.Text == "") {
			t.Errorf("index holds %q (next %q) for fr", d.Text, d.Next)
		}
	}
	// Editors see the words and whom they were borrowed from.
	_, ed, err := e.svc.GetTrack(ctx, editor, "r", "fr")
	if err != nil {
		t.Fatal(err)
	}
	if ed[0].Speaker != "Bob Named" || strings.Join(ed[0].Borrowed, ",") != "Bob Named,Maria Lopez" || !strings.Contains(ed[1].Text, "secret") {
		t.Errorf("editor fr cues = %+v", ed[:2])
	}
}

// Borrowing holds whatever the order of uploads: an interpretation
// uploaded before its original, and one whose most-marked neighbour is
// itself borrowed, still withhold what a withheld speaker said.
func TestViewerBorrowedSpeakersAnyOrder(t *testing.T) {
	ctx := context.Background()
	e, put := hiddenMariaRecording(t)
	// Interpretations first, unmarked; the second has more cues than the
	// original, so it would be the best-marked track if borrowed marks
	// counted.
	put("fr", "fr.srt", "1\n00:00:01,000 --> 00:00:03,000\nA vous. secret interprete\n\n2\n00:00:05,000 --> 00:00:06,000\nMerci\n")
	put("en", "en.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Bob Named>Over to you.</v> <v Maria Lopez>the secret</v>\n\n00:00:05.000 --> 00:00:06.000\n<v Bob Named>Thanks.</v>\n")
	put("de", "de.srt", "1\n00:00:01,000 --> 00:00:02,000\nBitte. geheim eins\n\n2\n00:00:02,000 --> 00:00:03,000\ngeheim zwei\n\n3\n00:00:05,000 --> 00:00:05,500\nDanke\n\n4\n00:00:05,500 --> 00:00:06,000\nDanke sehr\n")
	put("es", "es.srt", "1\n00:00:01,000 --> 00:00:03,000\nsecreto\n\n2\n00:00:05,000 --> 00:00:06,000\nGracias\n")
	for _, lang := range []string{"fr", "de", "es"} {
		_, cues, err := e.svc.GetTrack(ctx, viewer, "r", lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cues {
			if strings.Contains(c.Text, "secret") || strings.Contains(c.Text, "geheim") || strings.Contains(c.Text, "secreto") {
				t.Errorf("%s: viewers see %q", lang, c.Text)
			}
		}
		if n := len(cues); n == 0 || cues[n-1].Speaker != "Bob Named" {
			t.Errorf("%s: viewer cues %+v; want Bob's thanks, under his name, last", lang, cues)
		}
	}
	docs, _ := e.index.get("r")
	for _, d := range docs {
		if strings.Contains(d.Text, "secret") || strings.Contains(d.Text, "geheim") {
			t.Errorf("the index holds %q (%s)", d.Text, d.Lang)
		}
	}
	viewerCountsMatch(t, e)
	// Without the original, nobody's speakers are known again: the
	// interpretations' cues all count (and show).
	if err := e.svc.DeleteTrack(ctx, editor, "r", "en"); err != nil {
		t.Fatal(err)
	}
	viewerCountsMatch(t, e)
}

// viewerCountsMatch checks that each track's cue_count, as viewers get
// the recording, is the number of cues viewers get of it: withheld cues
// are not counted, whichever order the tracks came in.
func viewerCountsMatch(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	rec, _, err := e.svc.Get(ctx, viewer, "r")
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range rec.Tracks {
		_, cues, err := e.svc.GetTrack(ctx, viewer, "r", tr.Lang)
		if err != nil {
			t.Fatal(err)
		}
		if tr.CueCount != len(cues) {
			t.Errorf("%s: viewers are told cue_count %d and get %d cues", tr.Lang, tr.CueCount, len(cues))
		}
	}
}

// TestViewerPartlyLabelledTrack: an interpretation labels some cues and
// not others; an unlabelled cue during a hidden speaker's turn may be
// their words and is withheld with them, whatever else the track marks.
func TestViewerPartlyLabelledTrack(t *testing.T) {
	ctx := context.Background()
	e, put := hiddenMariaRecording(t)
	put("en", "en.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Bob Named>Over to you.\n\n00:00:04.000 --> 00:00:06.000\n<v Maria Lopez>the secret\n\n00:00:07.000 --> 00:00:08.000\n<v Bob Named>Thanks.\n")
	put("fr", "fr.srt", "1\n00:00:01,000 --> 00:00:03,000\nBob Named: A vous.\n\n2\n00:00:04,000 --> 00:00:06,000\nle secret interprete\n\n3\n00:00:07,000 --> 00:00:08,000\nBob Named: Merci.\n")
	_, cues, err := e.svc.GetTrack(ctx, viewer, "r", "fr")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cues {
		if strings.Contains(c.Text, "secret") {
			t.Errorf("viewers see %q, said during the hidden speaker's turn", c.Text)
		}
	}
	if n := len(cues); n != 2 || cues[0].Speaker != "Bob Named" || cues[1].Speaker != "Bob Named" {
		t.Errorf("viewer cues %+v; want Bob's two cues under his name", cues)
	}
	viewerCountsMatch(t, e)
	docs, _ := e.index.get("r")
	for _, d := range docs {
		if strings.Contains(d.Text, "secret") {
			t.Errorf("the index holds %q (%s)", d.Text, d.Lang)
		}
	}
}

// hiddenMariaRecording is published recording "r" with Bob Named and a
// hidden Maria Lopez, and put, which uploads a track to it as an editor.
func hiddenMariaRecording(t *testing.T) (*env, func(lang, name, data string)) {
	t.Helper()
	e := newEnv(t)
	e.create(t, archive.RecordingInput{ID: "r", Title: "T", Status: archive.StatusPublished, Speakers: []archive.Speaker{
		{Name: "Bob Named"}, {Name: "Maria Lopez", Visibility: archive.VisibilityHidden},
	}})
	put := func(lang, name, data string) {
		t.Helper()
		if _, err := e.svc.PutTrack(context.Background(), editor, "r", archive.TrackUpload{Lang: lang, Name: name, Data: []byte(data)}); err != nil {
			t.Fatal(err)
		}
	}
	return e, put
}

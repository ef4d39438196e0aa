package archive

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// A quote is an immutable snapshot of a passage of one track, stored once at
// quotes/<id>.json with a create-only write and never rewritten. Its words
// are taken from what a viewer may see at the moment it is made (a viewer,
// visibility.go), so withheld or redacted words never enter it. A hidden
// speaker's turn inside the range is kept as a marked gap, the way a
// printed quotation marks an omission: refusing the range instead would make
// every statement interrupted by a protected speaker unquotable, while
// the gap says honestly that words were left out, and reveals no more than
// the watch page already does. A range with nothing but withheld words is
// refused.
//
// Whenever a quote is shown it is checked again against the recording's
// current consent settings (Quote as read by QuoteView): a speaker hidden
// or embargoed since reads as the withheld notice everywhere.

// Quote budgets: an anonymous request may not ask for more.
const (
	MaxQuoteDuration = 5 * time.Minute
	MaxQuoteCues     = 60
	quoteIDLen       = 12
	quotesPrefix     = "quotes/"
	maxQuoteObject   = 1 << 20
)

// quoteAlphabet is base32 without the letters and digits people confuse
// (l, o, 0, 1): twelve characters carry 60 random bits.
const quoteAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"

// Quote is the stored snapshot.
type Quote struct {
	ID          string `json:"id"`
	RecordingID string `json:"recording_id"`
	Lang        string `json:"lang"`
	StartMS     int64  `json:"start_ms"`
	EndMS       int64  `json:"end_ms"`
	// Text is the quoted words, cue after cue, one line each.
	Text     string         `json:"text"`
	Cues     []QuoteCue     `json:"cues"`
	Speakers []QuoteSpeaker `json:"speakers"`
	Kind     Kind           `json:"kind"`
	Source   Source         `json:"source"`
	// TrackVersion is the version of the track the words were taken from.
	TrackVersion int64     `json:"track_version"`
	CreatedAt    time.Time `json:"created_at"`
	// Hash is "sha256:" and the hex digest of the snapshot's content (see
	// contentHash); a stored quote whose content no longer matches is
	// refused as damaged.
	Hash string `json:"hash"`
}

// QuoteCue is one quoted cue, exactly as a viewer saw it.
type QuoteCue struct {
	StartMS int64       `json:"start_ms"`
	EndMS   int64       `json:"end_ms"`
	Speaker string      `json:"speaker"`
	Text    string      `json:"text"`
	Spans   []QuoteSpan `json:"spans"`
}

// QuoteSpan is one speaker's turn in a quoted cue. Ref, the recording's
// speaker id, is kept in storage to re-check consent and never shown to
// viewers (an id may spell a real name).
type QuoteSpan struct {
	Speaker  string `json:"speaker,omitempty"`
	Ref      string `json:"ref,omitempty"`
	Text     string `json:"text"`
	Withheld bool   `json:"withheld,omitempty"`
}

// QuoteSpeaker is a quoted speaker as viewers saw them then.
type QuoteSpeaker struct {
	Name string `json:"name"`
	Role string `json:"role,omitempty"`
	Ref  string `json:"ref,omitempty"`
}

// QuoteRequest asks for a passage of a track.
type QuoteRequest struct {
	RecordingID string `json:"recording_id"`
	Lang        string `json:"lang"`
	StartMS     int64  `json:"start_ms"`
	EndMS       int64  `json:"end_ms"`
}

// ValidQuoteID reports whether id has the form of a quote id.
func ValidQuoteID(id string) bool {
	if len(id) != quoteIDLen {
		return false
	}
	for _, r := range id {
		if !strings.ContainsRune(quoteAlphabet, r) {
			return false
		}
	}
	return true
}

func newQuoteID() string {
	var b [quoteIDLen]byte
	_, _ = rand.Read(b[:]) // never fails (Go 1.24+)
	for i := range b {
		b[i] = quoteAlphabet[b[i]%32] // 256 is a multiple of 32: no bias
	}
	return string(b[:])
}

func quoteKey(id string) string { return quotesPrefix + id + ".json" }

// quoteRefKey is an empty object under the recording that names one of
// its quotes, written before the quote itself: deleting the recording
// finds its quotes there (deleteQuotesOf) without reading every quote.
func quoteRefKey(recordingID, quoteID string) string {
	return recordingsPrefix + recordingID + "/quotes/" + quoteID
}

// CreateQuote snapshots a passage of a published recording's track as a
// viewer sees it now and stores it. Who may ask is decided by
// Options.QuotesEditorsOnly.
func (s *Service) CreateQuote(ctx context.Context, who Principal, in QuoteRequest) (Quote, error) {
	if s.quotesEditorsOnly {
		if err := requireEditor(who, "create quote"); err != nil {
			return Quote{}, err
		}
	}
	if err := checkQuoteRange(in); err != nil {
		return Quote{}, err
	}
	if !ValidID(in.RecordingID) {
		return Quote{}, notFound("create quote", in.RecordingID, msgNoRecording, nil)
	}
	lang, err := canonicalLang(in.Lang)
	if err != nil {
		return Quote{}, err
	}
	rec, etag, err := s.load(ctx, in.RecordingID)
	if errors.Is(err, ErrNotFound) || errors.Is(err, errManifestTooLarge) {
		return Quote{}, notFound("create quote", in.RecordingID, msgNoRecording, err)
	}
	if err != nil {
		return Quote{}, err
	}
	v := newViewer(rec, s.now())
	if !v.visible {
		if who.CanEdit() {
			return Quote{}, fmtErr("create quote", rec.ID, ErrInvalid, "only a published recording can be quoted: this one is a draft or under embargo")
		}
		return Quote{}, notFound("create quote", rec.ID, msgNoRecording, nil)
	}
	i := slices.IndexFunc(rec.Tracks, func(t Track) bool { return t.Lang == lang })
	if i < 0 {
		return Quote{}, notFound("create quote", rec.ID+"/"+lang, msgNoTrack, nil)
	}
	tr := rec.Tracks[i]
	// What a viewer sees of the track: unlabelled cues borrow their
	// speakers (and their consent settings) as on the watch page.
	viewed, err := s.viewerCues(ctx, rec, etag, tr)
	if err != nil {
		return Quote{}, err
	}
	cues := cuesIn(viewed, in.StartMS, in.EndMS)
	shown := slices.ContainsFunc(cues, func(c Cue) bool {
		return slices.ContainsFunc(c.Spans, func(sp Span) bool { return !sp.Withheld })
	})
	switch {
	case !shown:
		return Quote{}, fmtErr("create quote", rec.ID, ErrInvalid, fmt.Sprintf("there are no words a viewer may see between %d and %d ms of the %s track", in.StartMS, in.EndMS, lang))
	case len(cues) > MaxQuoteCues:
		return Quote{}, fmtErr("create quote", rec.ID, ErrTooLarge, fmt.Sprintf("the range holds %d cues; a quote holds at most %d", len(cues), MaxQuoteCues))
	}
	q := Quote{
		RecordingID: rec.ID, Lang: lang, StartMS: in.StartMS, EndMS: in.EndMS,
		Kind: tr.Kind, Source: tr.Source, TrackVersion: tr.Version,
		CreatedAt: s.now().UTC().Truncate(time.Millisecond),
	}
	viewRec, _ := v.recording()
	for _, c := range cues {
		qc := quoteCue(c)
		for k := range qc.Spans {
			if sp := &qc.Spans[k]; !sp.Withheld {
				sp.Ref = v.refOf(sp.Speaker)
			}
		}
		q.Cues = append(q.Cues, qc)
	}
	q.Speakers = quoteSpeakers(q.Cues, viewRec, rec)
	q.Text = quoteText(q.Cues)
	q.Hash = q.contentHash()
	return s.storeQuote(ctx, q)
}

func checkQuoteRange(in QuoteRequest) error {
	switch {
	case in.StartMS < 0:
		return fmtErr("create quote", "", ErrInvalid, "start_ms is negative")
	case in.EndMS <= in.StartMS:
		return fmtErr("create quote", "", ErrInvalid, fmt.Sprintf("end_ms (%d) must be after start_ms (%d)", in.EndMS, in.StartMS))
	case in.EndMS-in.StartMS > MaxQuoteDuration.Milliseconds():
		return fmtErr("create quote", "", ErrTooLarge, fmt.Sprintf("a quote is at most %v long; this range is %v", MaxQuoteDuration, time.Duration(in.EndMS-in.StartMS)*time.Millisecond))
	}
	return nil
}

// cuesIn is the cues that overlap [start, end).
func cuesIn(cues []Cue, start, end int64) []Cue {
	var out []Cue
	for _, c := range cues {
		if c.StartMS < end && c.EndMS > start {
			out = append(out, c)
		}
	}
	return out
}

func quoteCue(c Cue) QuoteCue {
	qc := QuoteCue{StartMS: c.StartMS, EndMS: c.EndMS, Speaker: c.Speaker, Text: c.Text}
	for _, sp := range c.Spans {
		if sp.Withheld {
			qc.Spans = append(qc.Spans, QuoteSpan{Text: WithheldPassage, Withheld: true})
			continue
		}
		qc.Spans = append(qc.Spans, QuoteSpan{Speaker: sp.Speaker, Text: sp.Text})
	}
	return qc
}

// quoteSpeakers lists the quoted speakers in order of first appearance,
// with the role viewers are shown (from the viewer form of the recording).
func quoteSpeakers(cues []QuoteCue, viewRec, rec Recording) []QuoteSpeaker {
	out := []QuoteSpeaker{}
	for _, c := range cues {
		for _, sp := range c.Spans {
			if sp.Withheld || sp.Speaker == "" || slices.ContainsFunc(out, func(q QuoteSpeaker) bool { return q.Name == sp.Speaker }) {
				continue
			}
			qs := QuoteSpeaker{Name: sp.Speaker, Ref: sp.Ref}
			for _, vs := range viewRec.Speakers {
				if vs.Name == sp.Speaker {
					qs.Role = vs.Role
				}
			}
			out = append(out, qs)
		}
	}
	return out
}

func quoteText(cues []QuoteCue) string {
	lines := make([]string, 0, len(cues))
	for _, c := range cues {
		lines = append(lines, c.Text)
	}
	return strings.Join(lines, "\n")
}

// contentHash covers everything stored but the id and the hash itself.
func (q Quote) contentHash() string {
	q.ID, q.Hash = "", ""
	data, _ := json.Marshal(q)
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// storeQuote writes q under a fresh id, create-only: an id that exists
// (a collision, 2^-60 a pair) gets another.
func (s *Service) storeQuote(ctx context.Context, q Quote) (Quote, error) {
	for range 5 {
		q.ID = newQuoteID()
		data, err := json.Marshal(q)
		if err != nil {
			return Quote{}, fmt.Errorf("archive: encode quote: %w", err)
		}
		// A reference left by a collision below names another quote; the
		// recording's delete checks whose a quote is before removing it.
		if _, err := s.blobs.Put(ctx, quoteRefKey(q.RecordingID, q.ID), bytes.NewReader(nil), 0, PutOptions{ContentType: "application/octet-stream"}); err != nil {
			return Quote{}, fmt.Errorf("archive: store quote reference %s: %w", q.ID, err)
		}
		_, err = s.blobs.Put(ctx, quoteKey(q.ID), bytes.NewReader(data), int64(len(data)), PutOptions{ContentType: "application/json", IfNoneMatch: true})
		if errors.Is(err, ErrPrecondition) {
			continue
		}
		if err != nil {
			return Quote{}, fmt.Errorf("archive: store quote %s: %w", q.ID, err)
		}
		return q, nil
	}
	return Quote{}, fmt.Errorf("archive: store quote: five fresh ids were all taken: %w", ErrConflict)
}

// loadQuote reads a stored quote and checks its hash.
func (s *Service) loadQuote(ctx context.Context, id string) (Quote, error) {
	if !ValidQuoteID(id) {
		return Quote{}, notFound("quote", "", msgNoQuote, nil)
	}
	rc, _, err := s.blobs.Get(ctx, quoteKey(id), 0, -1)
	if errors.Is(err, ErrNotFound) {
		return Quote{}, notFound("quote", id, msgNoQuote, err)
	}
	if err != nil {
		return Quote{}, fmt.Errorf("archive: read quote %s: %w", id, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxQuoteObject+1))
	if err != nil {
		return Quote{}, fmt.Errorf("archive: read quote %s: %w", id, err)
	}
	var q Quote
	if len(data) > maxQuoteObject {
		return Quote{}, fmt.Errorf("archive: quote %s is over %d bytes: damaged", id, maxQuoteObject)
	}
	if err := json.Unmarshal(data, &q); err != nil {
		return Quote{}, fmt.Errorf("archive: quote %s is unreadable: %w", id, err)
	}
	if q.ID != id || q.contentHash() != q.Hash {
		return Quote{}, fmt.Errorf("archive: quote %s does not match its hash: damaged", id)
	}
	return q, nil
}

// deleteQuotesOf removes the quotes of a recording being deleted, with
// their stored cards and clips: a quote of a recording that is gone would
// otherwise come back, showing another recording's words, when its id is
// used again. Only a quote that names the recording is removed.
func (s *Service) deleteQuotesOf(ctx context.Context, recordingID string) error {
	refs, err := s.blobs.List(ctx, quoteRefKey(recordingID, ""))
	if err != nil {
		return fmt.Errorf("archive: list quotes of %s: %w", recordingID, err)
	}
	for _, ref := range refs {
		id := strings.TrimPrefix(ref.Key, quoteRefKey(recordingID, ""))
		q, err := s.loadQuote(ctx, id)
		switch {
		case errors.Is(err, ErrNotFound):
			continue
		case err != nil:
			return err
		case q.RecordingID != recordingID:
			continue
		}
		files, err := s.blobs.List(ctx, quoteFilesPrefix(id))
		if err != nil {
			return fmt.Errorf("archive: list files of quote %s: %w", id, err)
		}
		for _, f := range files {
			if err := s.blobs.Delete(ctx, f.Key); err != nil && !errors.Is(err, ErrNotFound) {
				return fmt.Errorf("archive: delete %s: %w", f.Key, err)
			}
		}
		if err := s.blobs.Delete(ctx, quoteKey(id)); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("archive: delete quote %s: %w", id, err)
		}
	}
	return nil
}

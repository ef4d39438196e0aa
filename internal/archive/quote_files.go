package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// A quote's files — its share card and its clip — are derived from what a
// viewer may see of it now (QuoteView), made on first request and kept in
// storage beside the quote: quotes/<id>/card-<hash>.png and
// quotes/<id>/clip-<hash>.<ext>. The hash covers everything the file
// shows, so a consent change (a speaker hidden, anonymised, redacted since)
// or a new media upload gives the file a new name: the old one is never
// served again, and is deleted when its successor is stored.

// QuoteFile is a stored quote file, opened range by range. Like
// MediaSource it holds the outcome of one access check and is meant for
// the request that made it.
type QuoteFile struct {
	BlobInfo
	s *Service
}

// Open reads length bytes from offset (length < 0: to the end).
func (f QuoteFile) Open(ctx context.Context, offset, length int64) (io.ReadCloser, error) {
	if ro, ok := f.s.blobs.(rangeOpener); ok {
		return ro.OpenRange(ctx, f.Key, offset, length)
	}
	rc, _, err := f.s.blobs.Get(ctx, f.Key, offset, length)
	return rc, err
}

// CardVersion names the card drawing: a new drawing (layout, fonts)
// changes it, so cards drawn the old way are made again.
const CardVersion = "card-1"

// QuoteCard returns the quote's share card, drawing it with render when
// none is stored for what the quote shows now. render gets the quote as a
// viewer sees it (the withheld notice when a quoted speaker has since been
// hidden) and returns a PNG.
func (s *Service) QuoteCard(ctx context.Context, who Principal, id string, render func(QuoteView) ([]byte, error)) (QuoteFile, error) {
	qv, err := s.QuoteView(ctx, who, id)
	if err != nil {
		return QuoteFile{}, err
	}
	key := quoteFileKey(qv, "card", ".png", CardVersion)
	if f, err := s.quoteFile(ctx, key); !errors.Is(err, ErrNotFound) {
		return f, err
	}
	png, err := render(qv)
	if err != nil {
		return QuoteFile{}, fmt.Errorf("archive: card of quote %s: %w", id, err)
	}
	if err := s.putQuoteFile(ctx, key, bytes.NewReader(png), int64(len(png)), "image/png"); err != nil {
		return QuoteFile{}, err
	}
	return s.quoteFile(ctx, key)
}

// ClipJob is what cutting a quote's clip takes: the media, the range, the
// captions as a viewer may see them now, and where the finished clip goes.
type ClipJob struct {
	QuoteID        string
	Lang           string // the quote's language
	Media          MediaSource
	StartMS, EndMS int64
	Captions       []QuoteCue
	// Store keeps the finished clip. Call it only with a complete file.
	Store func(ctx context.Context, r io.Reader, size int64) error
}

// ErrClipNotCut: QuoteClip was asked not to cut (cut == nil) and the clip
// the quote would have now is not stored yet; asking again with a cutter
// makes it.
var ErrClipNotCut = errors.New("archive: this clip is not cut yet")

// ClipFormat is the container a clip is cut into.
type ClipFormat struct {
	Ext         string // ".mp4", ".webm"
	ContentType string
}

// QuoteClip returns the quote's clip, cut by cut when none is stored for
// what the quote shows now and the recording's current media. format
// names the container for the media's content type, or says why there is
// no clip of it (checked before anything is cut). cut nil only looks for
// a stored clip: ErrClipNotCut when there is none yet. A quote with any
// passage withheld now has no clip: it would still carry the speaker's
// voice.
func (s *Service) QuoteClip(ctx context.Context, who Principal, id string, format func(mediaType string) (ClipFormat, error), cut func(context.Context, ClipJob) error) (QuoteFile, ClipFormat, error) {
	qv, err := s.QuoteView(ctx, who, id)
	if err != nil {
		return QuoteFile{}, ClipFormat{}, err
	}
	if qv.Withheld {
		s.removeQuoteFiles(ctx, id, "clip", "")
		return QuoteFile{}, ClipFormat{}, notFound("quote clip", id, "this quote's words are withheld at the speaker's request, and so is its clip", nil)
	}
	if qv.PartWithheld {
		s.removeQuoteFiles(ctx, id, "clip", "")
		return QuoteFile{}, ClipFormat{}, notFound("quote clip", id, "part of this quote is withheld at a speaker's request, and so is its clip, which would carry their voice", nil)
	}
	src, err := s.MediaSource(ctx, who, qv.Quote.RecordingID)
	if err != nil {
		return QuoteFile{}, ClipFormat{}, err
	}
	cf, err := format(src.ContentType)
	if err != nil {
		return QuoteFile{}, ClipFormat{}, err
	}
	start, end, captions, retimed := clipMoment(qv)
	extra := src.ETag
	if retimed {
		// Where the clip is cut is part of what it shows.
		extra += fmt.Sprintf("|%d-%d", start, end)
		for _, c := range captions {
			extra += fmt.Sprintf("|%d-%d", c.StartMS, c.EndMS)
		}
	}
	key := quoteFileKey(qv, "clip", cf.Ext, extra)
	if f, err := s.quoteFile(ctx, key); !errors.Is(err, ErrNotFound) {
		return f, cf, err
	}
	if cut == nil {
		return QuoteFile{}, cf, ErrClipNotCut
	}
	err = cut(ctx, ClipJob{
		QuoteID: id, Lang: qv.Quote.Lang, Media: src, StartMS: start, EndMS: end, Captions: captions,
		Store: func(ctx context.Context, r io.Reader, size int64) error {
			return s.putQuoteFile(ctx, key, r, size, cf.ContentType)
		},
	})
	if err != nil {
		return QuoteFile{}, cf, err
	}
	f, err := s.quoteFile(ctx, key)
	return f, cf, err
}

// MediaMoment is where a quote's words are in the media now and its cues
// at those times (clipMoment): what an embed of the quote plays.
func (qv QuoteView) MediaMoment() (start, end int64, cues []QuoteCue) {
	start, end, cues, _ = clipMoment(qv)
	return start, end, cues
}

// clipMoment is where a quote's clip is cut and when its captions show:
// the quoted times mapped through every retiming of the track since the
// quote (a shifted track means the words were spoken at the shifted time
// of the media), and whether any mapping moved them.
func clipMoment(qv QuoteView) (start, end int64, captions []QuoteCue, retimed bool) {
	q := qv.Quote
	i := slices.IndexFunc(qv.Recording.Tracks, func(t Track) bool { return t.Lang == q.Lang })
	if i < 0 {
		return q.StartMS, q.EndMS, q.Cues, false
	}
	tr := qv.Recording.Tracks[i]
	at := func(ms int64) int64 { return tr.MapTime(q.TrackVersion, ms) }
	start, end = at(q.StartMS), at(q.EndMS)
	retimed = start != q.StartMS || end != q.EndMS
	captions = make([]QuoteCue, len(q.Cues))
	for k, c := range q.Cues {
		c.StartMS, c.EndMS = at(c.StartMS), at(c.EndMS)
		retimed = retimed || c.StartMS != q.Cues[k].StartMS || c.EndMS != q.Cues[k].EndMS
		captions[k] = c
	}
	return start, end, captions, retimed
}

// quoteFileKey names a quote file after a hash of what it shows: the
// quote as viewers see it now, the recording's public description, and
// extra (the drawing's version, the media's ETag).
func quoteFileKey(qv QuoteView, kind, ext, extra string) string {
	shown := struct {
		Withheld                  bool
		Text                      string
		Cues                      []QuoteCue
		Speakers                  []QuoteSpeaker
		Lang                      string
		Kind                      Kind
		Source                    Source
		StartMS, EndMS            int64
		Title, Event, Date, Place string
		Extra                     string
	}{
		qv.Withheld, qv.Quote.Text, qv.Quote.Cues, qv.Quote.Speakers, qv.Quote.Lang, qv.Quote.Kind, qv.Quote.Source,
		qv.Quote.StartMS, qv.Quote.EndMS, qv.Recording.Title, qv.Recording.Event, qv.Recording.Date, qv.Recording.Place, extra,
	}
	data, _ := json.Marshal(shown) // plain data: never fails
	sum := sha256.Sum256(data)
	return quoteFilesPrefix(qv.Quote.ID) + kind + "-" + hex.EncodeToString(sum[:12]) + ext
}

func quoteFilesPrefix(id string) string { return quotesPrefix + id + "/" }

func (s *Service) quoteFile(ctx context.Context, key string) (QuoteFile, error) {
	info, err := s.blobs.Stat(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return QuoteFile{}, err
	}
	if err != nil {
		return QuoteFile{}, fmt.Errorf("archive: quote file %s: %w", key, err)
	}
	return QuoteFile{BlobInfo: info, s: s}, nil
}

// putQuoteFile stores a quote file create-only (another instance storing
// the same name first stored the same content) and then removes the
// file's predecessors: same quote, same kind, another name.
func (s *Service) putQuoteFile(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	_, err := s.blobs.Put(ctx, key, r, size, PutOptions{ContentType: contentType, IfNoneMatch: true})
	if err != nil && !errors.Is(err, ErrPrecondition) {
		return fmt.Errorf("archive: store %s: %w", key, err)
	}
	id, name, _ := strings.Cut(strings.TrimPrefix(key, quotesPrefix), "/")
	kind, _, _ := strings.Cut(name, "-")
	s.removeQuoteFiles(ctx, id, kind, key)
	return nil
}

// removeQuoteFiles deletes a quote's files of one kind except keep: the
// predecessors of a file just stored, or every clip of a quote now
// withheld (its words and voice stay out of storage's served files).
func (s *Service) removeQuoteFiles(ctx context.Context, id, kind, keep string) {
	old, err := s.blobs.List(ctx, quoteFilesPrefix(id)+kind+"-")
	if err != nil {
		s.log.Warn("archive: list old quote files", "quote", id, "err", err)
		return
	}
	for _, o := range old {
		if o.Key != keep {
			s.removeOrphan(o.Key)
		}
	}
}

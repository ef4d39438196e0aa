package server

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/card"
	"github.com/verbatim-archive/verbatim/internal/clip"
)

// A quote's files: its share card (/q/<id>/card.png, what the Open Graph
// and Twitter tags point at) and, with ffmpeg, its clip
// (/q/<id>/clip.mp4 or .webm, as the source). The archive makes each once
// for what the quote shows now and keeps it in storage; these handlers
// serve it with Range.

// quoteFileCache: a card or clip changes name when what it shows changes
// (a speaker hidden since), so a cache must ask again each time; the
// ETag makes that a 304.
const quoteFileCache = "public, max-age=0, must-revalidate"

func (s *Server) getQuoteCard(c echo.Context) error {
	f, err := s.svc.QuoteCard(c.Request().Context(), who(c), c.Param("id"), s.drawCard)
	if err != nil {
		return err
	}
	return s.serveRanged(c, ranged{
		ContentType: card.ContentType, ETag: f.ETag, Modified: f.ModTime, Size: f.Size,
		CacheControl: quoteFileCache, Open: f.Open, What: "card of quote " + c.Param("id"),
	})
}

// drawCard draws a quote as viewers see it now, in the quote's language
// where the interface has it (markers, the withheld notice, the date).
func (s *Server) drawCard(qv archive.QuoteView) ([]byte, error) {
	png, _, err := s.cards.Render(quoteCard(pageBase{UI: s.pg.i18n.Translator(qv.Quote.Lang)}, qv))
	return png, err
}

func quoteCard(b pageBase, qv archive.QuoteView) card.Card {
	q, rec := qv.Quote, qv.Recording
	cd := card.Card{Site: "Verbatim"}
	if qv.Withheld {
		cd.Text, cd.Withheld = b.T("cue.withheld"), true
	} else {
		open, close := quoteMarks(q.Lang)
		cd.Text = open + localiseMarkers(b, strings.Join(strings.Fields(q.Text), " ")) + close
	}
	var who []string
	for _, sp := range q.Speakers {
		name := localiseMarkers(b, sp.Name)
		if sp.Role != "" {
			name += ", " + sp.Role
		}
		who = append(who, name)
	}
	cd.Speaker = strings.Join(who, " · ")
	event := rec.Event
	if event == "" {
		event = rec.Title
	}
	var parts []string
	for _, p := range []string{event, dateText(b.UI, rec.Date), rec.Place} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	cd.Event = strings.Join(parts, " · ")
	return cd
}

// quoteMarks are the quotation marks of the quote's language.
func quoteMarks(lang string) (string, string) {
	base, _, _ := strings.Cut(lang, "-")
	switch base {
	case "fr":
		return "« ", " »"
	case "es", "it", "ru":
		return "«", "»"
	case "de":
		return "„", "“"
	}
	return "“", "”"
}

// getQuoteClip serves the quote's clip, cutting it first when none is
// stored. Without ffmpeg there are no clips (and the quote page says so).
func (s *Server) getQuoteClip(c echo.Context) error {
	if s.clips == nil {
		return archive.NewError(archive.ErrNotFound, "this server makes no clips: ffmpeg is not installed")
	}
	want := path.Ext(c.Path()) // the route: clip.mp4 or clip.webm
	format := func(mediaType string) (archive.ClipFormat, error) {
		ext, ct, ok := clip.Format(mediaType)
		switch {
		case !ok:
			return archive.ClipFormat{}, archive.NewError(archive.ErrNotFound, "this recording's media (%s) cannot be cut into a clip without re-encoding it", mediaType)
		case ext != want:
			return archive.ClipFormat{}, archive.NewError(archive.ErrNotFound, "this quote's clip is clip%s, in the recording's own format", ext)
		}
		return archive.ClipFormat{Ext: ext, ContentType: ct}, nil
	}
	// HEAD never cuts (a link checker would start ffmpeg): it answers
	// from the stored clip, or — when the clip can be made but is not yet
	// — 200 with the type and no length, as the size is not known before
	// the cut.
	cut := s.cutClip
	if c.Request().Method == http.MethodHead {
		cut = nil
	}
	f, cf, err := s.svc.QuoteClip(c.Request().Context(), who(c), c.Param("id"), format, cut)
	if errors.Is(err, archive.ErrClipNotCut) {
		h := c.Response().Header()
		h.Set(echo.HeaderContentType, cf.ContentType)
		h.Set(echo.HeaderCacheControl, "no-store")
		return c.NoContent(http.StatusOK)
	}
	if errors.Is(err, clip.ErrBusy) {
		return &busyError{what: "clip cuts", n: s.clips.Jobs(), retry: clipRetry}
	}
	if err != nil {
		return err
	}
	return s.serveRanged(c, ranged{
		ContentType: cf.ContentType, ETag: f.ETag, Modified: f.ModTime, Size: f.Size,
		CacheControl: quoteFileCache, Open: f.Open, What: "clip of quote " + c.Param("id"),
	})
}

// clipRetry is the Retry-After of a clip refused because every ffmpeg
// slot stayed busy while the request waited.
const clipRetry = 10 * time.Second

// cutClip hands a clip job to the cutter. The captions are the quote's
// cues as viewers see them now, markers in the quote's language.
func (s *Server) cutClip(ctx context.Context, job archive.ClipJob) error {
	b := pageBase{UI: s.pg.i18n.Translator(job.Lang)}
	return s.clips.Cut(ctx, clip.Request{
		Key:      job.QuoteID,
		Source:   clip.Source{Size: job.Media.Size, ContentType: job.Media.ContentType, Open: job.Media.Open},
		StartMS:  job.StartMS,
		EndMS:    job.EndMS,
		Captions: quoteCaptions(b, job.Captions),
		Store: func(ctx context.Context, f *os.File, size int64) error {
			return job.Store(ctx, f, size)
		},
	})
}

// quoteCaptions are a quote's cues as captions (the clip's soft subtitles,
// the embed's <track>): markers in the interface language b speaks, each
// cue's first speaker named (JoinSpans already names the later ones).
func quoteCaptions(b pageBase, cues []archive.QuoteCue) []clip.Caption {
	caps := make([]clip.Caption, 0, len(cues))
	for _, qc := range cues {
		text := qc.Text
		if len(qc.Spans) > 0 && qc.Spans[0].Speaker != "" && !qc.Spans[0].Withheld {
			text = qc.Spans[0].Speaker + ": " + text
		}
		caps = append(caps, clip.Caption{StartMS: qc.StartMS, EndMS: qc.EndMS, Text: localiseMarkers(b, text)})
	}
	return caps
}

// clipOffer is the quote page's clip download: a link, or why there is
// none, in the interface language.
type clipOffer struct {
	Href, Label string // set when there is a clip to download
	Reason      string // set when there is none
}

// offerClip decides the clip link without cutting anything (the clip is
// cut when the link is first followed); cutting says whether the server
// has a clip cutter.
func offerClip(b pageBase, qv archive.QuoteView, cutting bool) clipOffer {
	m := qv.Recording.Media
	switch {
	case qv.Withheld:
		return clipOffer{Reason: b.T("quote.clip.withheld")}
	case qv.PartWithheld:
		return clipOffer{Reason: b.T("quote.clip.partwithheld")}
	case !cutting:
		return clipOffer{Reason: b.T("quote.clip.noffmpeg")}
	case m == nil:
		return clipOffer{Reason: b.T("quote.clip.nomedia")}
	}
	ext, _, ok := clip.Format(m.ContentType)
	if !ok {
		return clipOffer{Reason: b.T("quote.clip.format")}
	}
	return clipOffer{
		Href:  "/q/" + qv.Quote.ID + "/clip" + ext,
		Label: b.T("quote.clip.download", map[string]string{".mp4": "MP4", ".webm": "WebM"}[ext]),
	}
}

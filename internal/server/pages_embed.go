package server

import (
	"bytes"
	"cmp"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/subtitle"
)

// The embeds: /embed/<quote-id> plays a quote's clip (its start to its
// end) with the quote's words as captions; /embed/watch/<id>?t=&end=&lang=
// plays a moment or a passage of a recording with its subtitles. They are
// what oEmbed's iframes show, and the only pages other sites may frame
// (frameable, in routes.go). Each is a page of its own, without the site's
// header and forms: nothing in a framed page acts for a signed-in viewer.
// Both are made as an anonymous viewer sees the archive now — an editor's
// browser embeds nothing a viewer could not see.

// embedPage is the one template of both embeds.
type embedPage struct {
	pageBase
	Lang       string // the language of the words (captions, byline)
	MediaURL   string // with a media fragment #t=start,end
	PosterURL  string
	StartSec   string
	EndSec     string // "" when the passage runs to the end
	VideoLabel string
	Captions   *embedTrack
	Notice     string   // shown instead of the video
	Words      []string // the quote's lines, when shown instead of the video
	Byline     string
	Link       string // the quote page, or the watch page at the moment
	LinkText   string
}

type embedTrack struct{ Src, Lang, Label, Kind string }

// embedQuote serves GET /embed/:id.
func (s *Server) embedQuote(c echo.Context) error {
	p := s.pg
	if p.err != nil {
		return p.err
	}
	qv, err := s.svc.QuoteView(c.Request().Context(), archive.Principal{}, c.Param("id"))
	if err != nil {
		return s.embedError(c, err)
	}
	q, rec := qv.Quote, qv.Recording
	b := p.base(c, "embed", rec.Title)
	start, end, _ := qv.MediaMoment() // where the words are now, through any retiming
	d := embedPage{
		pageBase: b, Lang: q.Lang, VideoLabel: b.T("embed.quote.video"),
		Byline: quoteByline(b, qv), Link: "/q/" + q.ID, LinkText: b.T("embed.quote.link"),
		StartSec: formatSeconds(start), EndSec: formatSeconds(end),
	}
	switch {
	case qv.Withheld:
		d.Notice = b.T("cue.withheld")
	case qv.PartWithheld:
		// As with the clip: the media would carry the withheld speaker's
		// voice. The words a viewer may read are shown instead.
		d.Notice = b.T("embed.partwithheld")
		d.Words = strings.Split(localiseMarkers(pageBase{UI: p.i18n.Translator(q.Lang)}, q.Text), "\n")
	case rec.Media == nil:
		d.Notice = b.T("embed.nomedia")
	default:
		d.MediaURL = "/media/" + rec.ID + "#t=" + d.StartSec + "," + d.EndSec
		d.PosterURL = posterURL(rec.ID, archive.PosterVersion(rec.Poster))
		d.Captions = &embedTrack{Src: "/q/" + q.ID + "/captions.vtt", Lang: q.Lang, Label: langName(q.Lang), Kind: trackKind(archive.Track{Kind: q.Kind})}
	}
	return p.renderEmbed(c, http.StatusOK, d)
}

// embedWatch serves GET /embed/watch/:id: the recording from t (to end),
// with the subtitles of lang (or the track the watch page would choose).
func (s *Server) embedWatch(c echo.Context) error {
	p := s.pg
	if p.err != nil {
		return p.err
	}
	rec, err := p.store.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return s.embedError(c, err)
	}
	wp := readWatchParams(c)
	b := p.base(c, "embed", rec.Title)
	lang := chooseTrack(rec.Tracks, wp.lang, b.UI.Lang())
	start := max(wp.startMS, 0)
	d := embedPage{
		pageBase: b, Lang: rec.MetaLang(), VideoLabel: b.T("watch.video"),
		Byline: recordingByline(b, rec), LinkText: b.T("embed.watch.link"),
		StartSec: formatSeconds(start),
	}
	link := watchURL(rec.ID, start, lang, "")
	frag := "#t=" + d.StartSec
	if wp.endMS > start {
		d.EndSec = formatSeconds(wp.endMS)
		link += "&end=" + d.EndSec
		frag += "," + d.EndSec
	}
	d.Link = link
	if rec.Media == nil {
		d.Notice = b.T("embed.nomedia")
	} else {
		d.MediaURL = "/media/" + rec.ID + frag
		d.PosterURL = posterURL(rec.ID, archive.PosterVersion(rec.Poster))
	}
	if lang != "" && rec.Media != nil {
		d.Captions = &embedTrack{Src: "/api/v1/recordings/" + rec.ID + "/tracks/" + lang + ".vtt", Lang: lang, Label: langName(lang), Kind: "subtitles"}
		for _, t := range rec.Tracks {
			if t.Lang == lang {
				d.Captions.Kind = trackKind(t)
			}
		}
	}
	return p.renderEmbed(c, http.StatusOK, d)
}

// embedError answers a failed embed with a notice in the frame rather
// than a page the embedding site may not show (or one with the site's
// forms in it): "not available" for what does not exist for viewers.
func (s *Server) embedError(c echo.Context, err error) error {
	p := s.pg
	status, _ := classify(err)
	if isFailure(status, err) {
		p.log.Error("embed failed", "path", c.Request().URL.Path, "status", status, "err", err)
	}
	b := p.base(c, "embed", "")
	msg := b.T("embed.unavailable")
	if status >= 500 {
		msg = b.T("error.unavailable.body")
	}
	return p.renderEmbed(c, status, embedPage{pageBase: b, Notice: msg, Link: "/", LinkText: "Verbatim"})
}

// renderEmbed renders the embed template with the framing policy, on the
// routes that may be framed only.
func (p *pages) renderEmbed(c echo.Context, status int, d embedPage) error {
	if !frameable[c.Path()] {
		return fmt.Errorf("server: the embed page rendered on %s, which is not a frameable route", c.Path())
	}
	var buf bytes.Buffer
	if err := p.embedTmpl.ExecuteTemplate(&buf, "embed", d); err != nil {
		return fmt.Errorf("server: render embed: %w", err)
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", p.embedCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Cache-Control", "no-cache")
	h.Add("Vary", "Accept-Language, Cookie")
	return c.HTMLBlob(status, buf.Bytes())
}

// quoteByline names who is quoted (as viewers see them now) and the event.
func quoteByline(b pageBase, qv archive.QuoteView) string {
	var parts []string
	for _, sp := range qv.Quote.Speakers {
		name := localiseMarkers(b, sp.Name)
		if sp.Role != "" {
			name += ", " + sp.Role
		}
		parts = append(parts, name)
	}
	if qv.Withheld {
		parts = nil
	}
	if e := cmp.Or(qv.Recording.Event, qv.Recording.Title); e != "" {
		parts = append(parts, e)
	}
	return strings.Join(parts, " · ")
}

func recordingByline(b pageBase, rec archive.Recording) string {
	event := rec.Event
	if event == rec.Title {
		event = ""
	}
	return joinNonEmpty(" · ", rec.Title, event, dateText(b.UI, rec.Date))
}

// getQuoteCaptions serves GET /q/:id/captions.vtt: the quote's words as
// viewers see them now, inside its range, on the recording's timeline as
// it is now (the embed plays the recording's media from where the quote
// starts: MediaMoment). A quote whose words are all withheld since reads
// as the withheld notice.
func (s *Server) getQuoteCaptions(c echo.Context) error {
	if s.pg.err != nil {
		return s.pg.err
	}
	qv, err := s.svc.QuoteView(c.Request().Context(), archive.Principal{}, c.Param("id"))
	if err != nil {
		return err
	}
	b := pageBase{UI: s.pg.i18n.Translator(qv.Quote.Lang)}
	from, to, quoted := qv.MediaMoment()
	var cues []subtitle.Cue
	for _, cp := range quoteCaptions(b, quoted) {
		start, end := max(cp.StartMS, from), min(cp.EndMS, to)
		if end > start && cp.Text != "" {
			cues = append(cues, subtitle.Cue{Start: msDuration(start), End: msDuration(end), Text: cp.Text})
		}
	}
	if qv.Withheld || len(cues) == 0 {
		cues = []subtitle.Cue{{Start: msDuration(from), End: msDuration(to), Text: b.T("cue.withheld")}}
	}
	var buf bytes.Buffer
	if err := subtitle.WriteVTT(&buf, cues); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Security-Policy", apiCSP)
	return c.Blob(http.StatusOK, "text/vtt; charset=utf-8", buf.Bytes())
}

func msDuration(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }

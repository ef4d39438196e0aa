package server

import (
	"bufio"
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Sitemaps (sitemaps.org 0.9, with Google's video extension 1.1): the
// home, every event page and every published recording's watch page with
// its video, read from the catalog as an anonymous viewer sees it, so
// drafts, embargoed recordings, hidden speakers and redacted words are not
// in it. One file while everything fits in one page of
// Options.SitemapPageSize URLs; past that /sitemap.xml is an index of
// /sitemaps/pages-N.xml (home and events) and /sitemaps/recordings-N.xml.
// A page costs a scan of the in-memory catalog and the page's own
// entries; no manifest is read.

// Sitemaps' limits (sitemaps.org): 50,000 URLs and 50 MB uncompressed per
// file, 50,000 sitemaps per index.
const (
	sitemapMaxURLs  = 50_000
	sitemapMaxBytes = 50 << 20
)

// Bounds on what one video entry carries, so that a full page stays under
// sitemapMaxBytes (TestSitemapEntryBound): a title of at most 100
// characters and a description of at most 1,000 (Google allows 2,048).
const (
	sitemapTitleChars = 100
	sitemapDescChars  = 1000
	// DefaultSitemapPageSize URLs per sitemap file: 5,000 entries of the
	// largest size fit in sitemapMaxBytes with room to spare.
	DefaultSitemapPageSize = 5000
	// maxVideoDuration is the longest duration the video extension takes
	// (8 hours, in seconds).
	maxVideoDuration = 28_800
)

const (
	nsSitemap = "http://www.sitemaps.org/schemas/sitemap/0.9"
	nsVideo   = "http://www.google.com/schemas/sitemap-video/1.1"
)

func (s *Server) sitemapPageSize() int {
	if n := s.opts.SitemapPageSize; n > 0 {
		return min(n, sitemapMaxURLs)
	}
	return DefaultSitemapPageSize
}

// sitemapParts is how many files each kind of URL needs.
type sitemapParts struct {
	recordings, events int // counts
	size               int // URLs per file
}

func (p sitemapParts) recordingFiles() int { return (p.recordings + p.size - 1) / p.size }

// pages: the home plus the events.
func (p sitemapParts) pageFiles() int { return (1 + p.events + p.size - 1) / p.size }

func (p sitemapParts) single() bool { return 1+p.events+p.recordings <= p.size }

func (s *Server) sitemapParts(c echo.Context) (sitemapParts, []archive.EventSummary, error) {
	ctx := c.Request().Context()
	events, err := s.svc.Events(ctx, archive.Principal{})
	if err != nil {
		return sitemapParts{}, nil, err
	}
	count, err := s.svc.ListPage(ctx, archive.Principal{}, archive.CatalogQuery{PerPage: 1})
	if err != nil {
		return sitemapParts{}, nil, err
	}
	return sitemapParts{recordings: count.Total, events: len(events), size: s.sitemapPageSize()}, events, nil
}

// sitemap serves /sitemap.xml: every URL, or the index of the files.
func (s *Server) sitemap(c echo.Context) error {
	parts, events, err := s.sitemapParts(c)
	if err != nil {
		return err
	}
	origin := s.publicOrigin(c.Request())
	w := startXML(c)
	if !parts.single() {
		w.raw(`<sitemapindex xmlns="` + nsSitemap + `">` + "\n")
		for i := 1; i <= parts.pageFiles(); i++ {
			w.elem("sitemap", "loc", origin+"/sitemaps/pages-"+strconv.Itoa(i)+".xml")
		}
		for i := 1; i <= parts.recordingFiles(); i++ {
			w.elem("sitemap", "loc", origin+"/sitemaps/recordings-"+strconv.Itoa(i)+".xml")
		}
		w.raw("</sitemapindex>\n")
		return w.flush()
	}
	recs, err := s.svc.ListPage(c.Request().Context(), archive.Principal{}, archive.CatalogQuery{PerPage: parts.size})
	if err != nil {
		return err
	}
	w.urlsetStart()
	writePageURLs(w, origin, events, 0, parts.size)
	for _, r := range recs.Recordings {
		writeRecordingURL(w, origin, r)
	}
	w.raw("</urlset>\n")
	return w.flush()
}

// sitemapFile serves /sitemaps/pages-N.xml and /sitemaps/recordings-N.xml.
func (s *Server) sitemapFile(c echo.Context) error {
	kind, n, ok := parseSitemapFile(c.Param("file"))
	if !ok {
		return archive.NewError(archive.ErrNotFound, "no such sitemap")
	}
	parts, events, err := s.sitemapParts(c)
	if err != nil {
		return err
	}
	last := parts.recordingFiles()
	if kind == "pages" {
		last = parts.pageFiles()
	}
	if parts.single() || n > last {
		return archive.NewError(archive.ErrNotFound, "no such sitemap: /sitemap.xml lists them")
	}
	origin := s.publicOrigin(c.Request())
	var recs archive.CatalogPage
	if kind == "recordings" {
		if recs, err = s.svc.ListPage(c.Request().Context(), archive.Principal{}, archive.CatalogQuery{Page: n, PerPage: parts.size}); err != nil {
			return err
		}
	}
	w := startXML(c)
	w.urlsetStart()
	if kind == "pages" {
		writePageURLs(w, origin, events, (n-1)*parts.size, parts.size)
	}
	for _, r := range recs.Recordings {
		writeRecordingURL(w, origin, r)
	}
	w.raw("</urlset>\n")
	return w.flush()
}

// parseSitemapFile reads "recordings-3.xml" or "pages-1.xml".
func parseSitemapFile(name string) (kind string, n int, ok bool) {
	base, found := strings.CutSuffix(name, ".xml")
	if !found {
		return "", 0, false
	}
	kind, num, found := strings.Cut(base, "-")
	if !found || (kind != "pages" && kind != "recordings") {
		return "", 0, false
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || strconv.Itoa(n) != num {
		return "", 0, false
	}
	return kind, n, true
}

// writePageURLs writes the home and the event pages, from the from-th
// of them (the home is the 0th), at most n.
func writePageURLs(w *xmlWriter, origin string, events []archive.EventSummary, from, n int) {
	for i := from; i < from+n && i <= len(events); i++ {
		if i == 0 {
			w.raw("<url>")
			w.text("loc", origin+"/")
			w.raw("</url>\n")
			continue
		}
		ev := events[i-1]
		w.raw("<url>")
		w.text("loc", origin+"/events/"+url.PathEscape(ev.Slug))
		if !ev.UpdatedAt.IsZero() {
			w.text("lastmod", ev.UpdatedAt.UTC().Format(time.RFC3339))
		}
		w.raw("</url>\n")
	}
}

// writeRecordingURL writes a watch page and, when the recording has its
// media, the video on it.
func writeRecordingURL(w *xmlWriter, origin string, r archive.Summary) {
	watch := origin + "/watch/" + r.ID
	w.raw("<url>")
	w.text("loc", watch)
	if !r.UpdatedAt.IsZero() {
		w.text("lastmod", r.UpdatedAt.UTC().Format(time.RFC3339))
	}
	if r.HasMedia {
		w.raw("<video:video>")
		w.text("video:thumbnail_loc", thumbnailURL(origin, r.ID, r.Poster))
		w.text("video:title", metaText(cmp.Or(r.Title, r.ID), sitemapTitleChars))
		w.text("video:description", metaText(summaryDescription(r), sitemapDescChars))
		w.text("video:content_loc", origin+"/media/"+r.ID)
		if sec := (r.DurationMS + 500) / 1000; sec > 0 {
			w.text("video:duration", strconv.FormatInt(min(sec, maxVideoDuration), 10))
		}
		if d, ok := isoDate(r.Date); ok {
			w.text("video:publication_date", d)
		}
		w.raw("</video:video>")
	}
	w.raw("</url>\n")
}

// thumbnailURL is the recording's poster frame, or while it has none
// (no ffmpeg, audio only, not made yet) its title card.
func thumbnailURL(origin, id, poster string) string {
	if poster != "" {
		return origin + posterURL(id, poster)
	}
	return origin + "/watch/" + id + "/card.png"
}

// summaryDescription is the recording's description as viewers see it,
// else its title, event, date and place.
func summaryDescription(r archive.Summary) string {
	if strings.TrimSpace(r.Description) != "" {
		return r.Description
	}
	return cmp.Or(joinNonEmpty(" · ", r.Title, r.Event, r.Date, r.Place), r.ID)
}

// isoDate accepts a YYYY-MM-DD date.
func isoDate(s string) (string, bool) {
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return "", false
	}
	return s, true
}

// xmlWriter streams an XML document to the response: a sitemap page may
// be megabytes, so it is never held whole in memory.
type xmlWriter struct {
	bw  *bufio.Writer
	err error
}

func startXML(c echo.Context) *xmlWriter {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/xml; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("X-Content-Type-Options", "nosniff")
	c.Response().WriteHeader(http.StatusOK)
	w := &xmlWriter{bw: bufio.NewWriterSize(c.Response(), 32<<10)}
	w.raw(xml.Header)
	return w
}

func (w *xmlWriter) urlsetStart() {
	w.raw(`<urlset xmlns="` + nsSitemap + `" xmlns:video="` + nsVideo + `">` + "\n")
}

func (w *xmlWriter) raw(s string) {
	if w.err == nil {
		_, w.err = io.WriteString(w.bw, s)
	}
}

// text writes <name>escaped value</name>.
func (w *xmlWriter) text(name, value string) {
	w.raw("<" + name + ">")
	if w.err == nil {
		w.err = xml.EscapeText(w.bw, []byte(value))
	}
	w.raw("</" + name + ">")
}

// attr writes an attribute's value, escaped.
func (w *xmlWriter) attr(value string) {
	if w.err == nil {
		w.err = xml.EscapeText(w.bw, []byte(value))
	}
}

// elem writes <outer><name>value</name></outer> on a line.
func (w *xmlWriter) elem(outer, name, value string) {
	w.raw("<" + outer + ">")
	w.text(name, value)
	w.raw("</" + outer + ">\n")
}

func (w *xmlWriter) flush() error {
	if w.err == nil {
		w.err = w.bw.Flush()
	}
	if w.err != nil {
		return fmt.Errorf("server: write xml: %w", w.err) // the status is sent; the error handler only logs
	}
	return nil
}

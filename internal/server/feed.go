package server

import (
	"cmp"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// feedEntries is how many recordings /feed.atom carries.
const feedEntries = 50

const nsAtom = "http://www.w3.org/2005/Atom"

// feed serves /feed.atom: an Atom feed (RFC 4287) of the newest published
// recordings, from the catalog as anonymous viewers see it (as the
// sitemap), titled in the reader's language. Each entry's id is its watch
// page's address on the public URL, which does not change.
func (s *Server) feed(c echo.Context) error {
	if s.pg.err != nil {
		return s.pg.err
	}
	res, err := s.svc.ListPage(c.Request().Context(), archive.Principal{}, archive.CatalogQuery{PerPage: feedEntries})
	if err != nil {
		return err
	}
	r := c.Request()
	ui := s.pg.i18n.Match(r.Header.Get("Accept-Language"), c.QueryParam("ui"), "")
	origin := s.publicOrigin(r)
	updated := time.Time{}
	for _, rec := range res.Recordings {
		if t := entryUpdated(rec); t.After(updated) {
			updated = t
		}
	}
	if updated.IsZero() {
		updated = time.Unix(0, 0) // an empty archive: a fixed date, not now
	}
	c.Response().Header().Add("Vary", "Accept-Language") // the titles' language
	w := startXML(c)
	w.raw(`<feed xmlns="` + nsAtom + `" xml:lang="` + ui.Lang() + `">` + "\n")
	w.text("id", origin+"/feed.atom")
	w.text("title", ui.T("feed.title"))
	w.text("subtitle", ui.T("feed.subtitle"))
	w.text("updated", atomTime(updated))
	w.raw(`<link rel="self" type="application/atom+xml" href="`)
	w.attr(origin + "/feed.atom")
	w.raw(`"/>` + "\n" + `<link rel="alternate" type="text/html" href="`)
	w.attr(origin + "/")
	w.raw(`"/>` + "\n<author><name>Verbatim</name></author>\n<generator>Verbatim</generator>\n")
	for _, rec := range res.Recordings {
		watch := origin + "/watch/" + rec.ID
		w.raw("<entry>")
		w.text("id", watch)
		w.text("title", cmp.Or(rec.Title, rec.ID))
		w.text("updated", atomTime(cmpTime(entryUpdated(rec), updated)))
		if d, ok := isoDate(rec.Date); ok {
			w.text("published", d+"T00:00:00Z")
		}
		w.raw(`<link rel="alternate" type="text/html" href="`)
		w.attr(watch)
		w.raw(`"/>`)
		w.text("summary", metaText(summaryDescription(rec), sitemapDescChars))
		w.raw("</entry>\n")
	}
	w.raw("</feed>\n")
	return w.flush()
}

// entryUpdated is when a recording last changed; for entries written
// before summaries had it, its date.
func entryUpdated(rec archive.Summary) time.Time {
	if !rec.UpdatedAt.IsZero() {
		return rec.UpdatedAt
	}
	if t, err := time.Parse(time.DateOnly, rec.Date); err == nil {
		return t
	}
	return time.Time{}
}

func cmpTime(a, b time.Time) time.Time {
	if a.IsZero() {
		return b
	}
	return a
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

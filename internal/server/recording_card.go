package server

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/card"
)

// getRecordingCard serves /watch/:id/card.png: the recording's title,
// event, date and place drawn as a card, as viewers see them. It is the
// thumbnail the video sitemap and the watch page's structured data name
// (both require one, and recordings have no poster frame). Drawn on
// request, under the expensive-request limiter; the same recording gives
// the same bytes, so the ETag is their digest.
func (s *Server) getRecordingCard(c echo.Context) error {
	if s.pg.err != nil {
		return s.pg.err
	}
	rec, _, err := s.svc.Get(c.Request().Context(), archive.Principal{}, c.Param("id"))
	if err != nil {
		return err
	}
	png, _, err := s.cards.Render(recordingCard(pageBase{UI: s.pg.i18n.Translator(rec.MetaLang())}, rec))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(png)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("X-Content-Type-Options", "nosniff")
	if strings.Contains(c.Request().Header.Get("If-None-Match"), etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, card.ContentType, png)
}

func recordingCard(b pageBase, rec archive.Recording) card.Card {
	date := ""
	if rec.Date != "" {
		date = dateText(b.UI, rec.Date)
	}
	return card.Card{
		Text:  localiseMarkers(b, cmp.Or(strings.Join(strings.Fields(rec.Title), " "), rec.ID)),
		Event: localiseMarkers(b, joinNonEmpty(" · ", rec.Event, date, rec.Place)),
		Site:  "Verbatim",
	}
}

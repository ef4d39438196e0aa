package server

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// quoteJSON is the quote shape of the API: the snapshot as it may be shown
// now (re-checked against consent), with its permalink, and what the track
// says at that moment today when it has changed since.
type quoteJSON struct {
	ID           string                 `json:"id"`
	URL          string                 `json:"url"`
	RecordingID  string                 `json:"recording_id"`
	Lang         string                 `json:"lang"`
	StartMS      int64                  `json:"start_ms"`
	EndMS        int64                  `json:"end_ms"`
	Text         string                 `json:"text"`
	Cues         []archive.QuoteCue     `json:"cues"`
	Speakers     []archive.QuoteSpeaker `json:"speakers"`
	Kind         archive.Kind           `json:"kind"`
	Source       archive.Source         `json:"source"`
	TrackVersion int64                  `json:"track_version"`
	CreatedAt    time.Time              `json:"created_at"`
	Hash         string                 `json:"hash"`
	Withheld     bool                   `json:"withheld"`
	Current      *archive.QuoteCurrent  `json:"current,omitempty"`
}

func quotePath(id string) string { return "/q/" + id }

func newQuoteJSON(v archive.QuoteView) quoteJSON {
	q := v.Quote
	return quoteJSON{
		ID: q.ID, URL: quotePath(q.ID), RecordingID: q.RecordingID, Lang: q.Lang, StartMS: q.StartMS, EndMS: q.EndMS,
		Text: q.Text, Cues: q.Cues, Speakers: q.Speakers, Kind: q.Kind, Source: q.Source, TrackVersion: q.TrackVersion,
		CreatedAt: q.CreatedAt, Hash: q.Hash, Withheld: v.Withheld, Current: v.Current,
	}
}

// createQuote handles POST /api/v1/quotes. Anonymous callers (when the
// archive lets anyone quote) are limited per client address; the body is a
// small JSON object (decodeJSON bounds it) and the range is bounded by the
// archive (MaxQuoteDuration, MaxQuoteCues).
func (s *Server) createQuote(c echo.Context) error {
	caller := who(c)
	if caller.Anonymous() {
		key, now := c.RealIP(), s.now()
		if wait := s.quoteAddr.wait(key, now); wait > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			return echo.NewHTTPError(http.StatusTooManyRequests, "too many quotes from this address: try again later")
		}
		s.quoteAddr.fail(key, now) // every attempt counts, made or refused
	}
	var in archive.QuoteRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	q, err := s.svc.CreateQuote(ctx, caller, in)
	if err != nil {
		return err
	}
	v, err := s.svc.QuoteView(ctx, caller, q.ID)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, quotePath(q.ID))
	return c.JSON(http.StatusCreated, newQuoteJSON(v))
}

func (s *Server) getQuote(c echo.Context) error {
	v, err := s.svc.QuoteView(c.Request().Context(), who(c), c.Param("id"))
	if err != nil {
		return err
	}
	// Re-checked against consent on every read: never cached for long.
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	return c.JSON(http.StatusOK, newQuoteJSON(v))
}

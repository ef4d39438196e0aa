package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

type recordingList struct {
	Recordings []archive.Recording `json:"recordings"`
	Total      int                 `json:"total"`
}

func (s *Server) listRecordings(c echo.Context) error {
	recs, err := s.svc.List(c.Request().Context(), who(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, recordingList{Recordings: recs, Total: len(recs)})
}

func (s *Server) createRecording(c echo.Context) error {
	var in archive.RecordingInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	rec, etag, err := s.svc.Create(c.Request().Context(), who(c), in)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/recordings/"+rec.ID)
	return sendRecording(c, http.StatusCreated, rec, etag)
}

func (s *Server) getRecording(c echo.Context) error {
	rec, etag, err := s.svc.Get(c.Request().Context(), who(c), c.Param("id"))
	if err != nil {
		return err
	}
	if inm := c.Request().Header.Get("If-None-Match"); inm != "" && etagMatches(inm, etag) {
		setETag(c, etag)
		return c.NoContent(http.StatusNotModified)
	}
	return sendRecording(c, http.StatusOK, rec, etag)
}

func (s *Server) patchRecording(c echo.Context) error {
	var p archive.Patch
	if err := decodeJSON(c, &p); err != nil {
		return err
	}
	ifMatch := unquoteETag(c.Request().Header.Get("If-Match"))
	rec, etag, err := s.svc.Patch(c.Request().Context(), who(c), c.Param("id"), ifMatch, p)
	if err != nil {
		return err
	}
	return sendRecording(c, http.StatusOK, rec, etag)
}

func (s *Server) deleteRecording(c echo.Context) error {
	if err := s.svc.Delete(c.Request().Context(), who(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func sendRecording(c echo.Context, status int, rec archive.Recording, etag string) error {
	setETag(c, etag)
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	return c.JSON(status, rec)
}

// setETag sends the manifest's ETag quoted, as HTTP wants it.
func setETag(c echo.Context, etag string) {
	if etag != "" {
		c.Response().Header().Set(headerETag, `"`+etag+`"`)
	}
}

func unquoteETag(v string) string {
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(v, "W/")
	return strings.Trim(v, `"`)
}

// etagMatches implements If-None-Match / If-Match lists ("*" matches all).
func etagMatches(header, etag string) bool {
	for _, part := range strings.Split(header, ",") {
		p := strings.TrimSpace(part)
		if p == "*" || unquoteETag(p) == etag {
			return true
		}
	}
	return false
}

const headerETag = "ETag"

package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// defaultPerPage is a listing's page size when the client names none.
const defaultPerPage = 20

// listRecordings answers a page of the catalog, newest first: ?page=,
// ?per_page= (at most Options.MaxPerPage), and the filters ?event=,
// ?lang=, ?year=, ?speaker= and (editors only) ?status=.
func (s *Server) listRecordings(c echo.Context) error {
	q, err := s.catalogQuery(c)
	if err != nil {
		return err
	}
	page, err := s.svc.ListPage(c.Request().Context(), who(c), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

// catalogQuery reads a listing's parameters, refusing each bad one by name.
func (s *Server) catalogQuery(c echo.Context) (archive.CatalogQuery, error) {
	page, err := intParam(c, "page")
	if err != nil {
		return archive.CatalogQuery{}, err
	}
	per, err := intParam(c, "per_page")
	if err != nil {
		return archive.CatalogQuery{}, err
	}
	if per == 0 {
		per = min(defaultPerPage, s.opts.MaxPerPage)
	}
	if per > s.opts.MaxPerPage {
		return archive.CatalogQuery{}, archive.NewError(archive.ErrInvalid, "per_page=%d is over the limit of %d (VERBATIM_MAX_PER_PAGE)", per, s.opts.MaxPerPage)
	}
	if page > maxListPage {
		return archive.CatalogQuery{}, archive.NewError(archive.ErrInvalid, "page=%d is past the last page a listing serves (%d)", page, maxListPage)
	}
	q := archive.CatalogQuery{
		Event: c.QueryParam("event"), Lang: c.QueryParam("lang"), Year: c.QueryParam("year"),
		Speaker: c.QueryParam("speaker"), Page: page, PerPage: per,
	}
	if y := q.Year; y != "" && (len(y) != 4 || strings.Trim(y, "0123456789") != "") {
		return archive.CatalogQuery{}, archive.NewError(archive.ErrInvalid, "year=%q is not a four-digit year", y)
	}
	if st := c.QueryParam("status"); st != "" {
		if !who(c).CanEdit() {
			return archive.CatalogQuery{}, archive.NewError(archive.ErrInvalid, "status is a filter for editors; viewers see published recordings only")
		}
		q.Status = archive.Status(st)
		if q.Status != archive.StatusDraft && q.Status != archive.StatusPublished {
			return archive.CatalogQuery{}, archive.NewError(archive.ErrInvalid, "status=%q is not draft or published", st)
		}
	}
	return q, nil
}

// maxListPage bounds how deep a client may page (page × per_page is
// walked in memory).
const maxListPage = 10_000

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

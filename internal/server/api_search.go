package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// search: GET /api/v1/search?q=&lang=&speaker=&recording=&event=&from=&to=&kind=&page=&per_page=
// lang and speaker may repeat or hold comma-separated lists.
func (s *Server) search(c echo.Context) error {
	q := archive.SearchQuery{
		Text:        c.QueryParam("q"),
		Langs:       multi(c, "lang"),
		Speakers:    multi(c, "speaker"),
		RecordingID: c.QueryParam("recording"),
		Event:       c.QueryParam("event"),
		DateFrom:    c.QueryParam("from"),
		DateTo:      c.QueryParam("to"),
		Kind:        archive.Kind(c.QueryParam("kind")),
	}
	var err error
	if q.Page, err = intParam(c, "page"); err != nil {
		return err
	}
	if q.PerPage, err = intParam(c, "per_page"); err != nil {
		return err
	}
	res, err := s.svc.Search(c.Request().Context(), who(c), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

func multi(c echo.Context, name string) []string {
	var out []string
	for _, v := range c.QueryParams()[name] {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
	}
	return out
}

func intParam(c echo.Context, name string) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, archive.NewError(archive.ErrInvalid, "%s=%q is not a positive number", name, v)
	}
	return n, nil
}

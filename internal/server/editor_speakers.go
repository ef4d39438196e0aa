package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// speakersPage is the editors' form for who may be seen in a recording:
// each speaker's visibility, pseudonym, aliases, held flag and embargo,
// and whether the recording is sensitive. It posts a PATCH of the
// speakers through the Service, with the ETag it was rendered from, so a
// concurrent change is refused rather than overwritten.
type speakersPage struct {
	pageBase
	Rec      archive.Recording
	ETag     string
	Speakers []speakerRow
	Saved    bool
	Problem  string
}

type speakerRow struct {
	Index      int
	ID, Name   string
	Role       string
	Visibility string
	Pseudonym  string
	Aliases    string
	Held       bool
	Embargo    string
}

// editSpeakers serves GET /edit/:id/speakers.
func (s *Server) editSpeakers(c echo.Context) error {
	return s.renderSpeakers(c, http.StatusOK, c.QueryParam("saved") == "1", "")
}

func (s *Server) renderSpeakers(c echo.Context, status int, saved bool, problem string) error {
	if s.pg.err != nil {
		return s.pg.err
	}
	rec, etag, err := s.svc.Get(c.Request().Context(), who(c), c.Param("id"))
	if err != nil {
		return err
	}
	base := s.pg.base(c, "edit", "")
	base.Title = base.T("speakers.title", rec.Title)
	page := speakersPage{pageBase: base, Rec: rec, ETag: etag, Saved: saved, Problem: problem}
	for i, sp := range rec.Speakers {
		page.Speakers = append(page.Speakers, speakerRow{
			Index: i, ID: sp.ID, Name: sp.Name, Role: sp.Role, Visibility: string(sp.Visibility),
			Pseudonym: sp.Pseudonym, Aliases: strings.Join(sp.Aliases, ", "), Held: sp.Held, Embargo: sp.EmbargoUntil,
		})
	}
	return s.pg.render(c, status, "edit_speakers", page)
}

// saveSpeakers handles POST /edit/:id/speakers (the CSRF middleware has
// checked origin and token; the route table, the editor role).
func (s *Server) saveSpeakers(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	rec, _, err := s.svc.Get(ctx, who(c), id)
	if err != nil {
		return err
	}
	speakers := make([]archive.Speaker, len(rec.Speakers))
	copy(speakers, rec.Speakers)
	for i := range speakers {
		sp := &speakers[i]
		f := func(name string) string { return c.FormValue("sp." + strconv.Itoa(i) + "." + name) }
		if f("id") != sp.ID {
			// The list changed since the form was rendered.
			return s.renderSpeakers(c, http.StatusConflict, false, s.pg.base(c, "", "").T("speakers.conflict"))
		}
		sp.Visibility = archive.Visibility(f("visibility"))
		sp.Pseudonym = strings.TrimSpace(f("pseudonym"))
		sp.Aliases = splitAliases(f("aliases"))
		sp.Held = f("held") == "on"
		sp.EmbargoUntil = strings.TrimSpace(f("embargo"))
	}
	sensitive := c.FormValue("sensitive") == "on"
	_, _, err = s.svc.Patch(ctx, who(c), id, c.FormValue("etag"), archive.Patch{Speakers: &speakers, Sensitive: &sensitive})
	switch {
	case errors.Is(err, archive.ErrPrecondition):
		return s.renderSpeakers(c, http.StatusConflict, false, s.pg.base(c, "", "").T("speakers.conflict"))
	case errors.Is(err, archive.ErrInvalid):
		_, d := classify(err)
		return s.renderSpeakers(c, http.StatusBadRequest, false, d.Message)
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/edit/"+id+"/speakers?saved=1")
}

func splitAliases(s string) []string {
	var out []string
	for _, a := range strings.Split(s, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

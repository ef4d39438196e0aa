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
// whether the recording is sensitive, its embargo and its redactions
// (words, or a time span of every track). It posts a PATCH of the
// speakers through the Service, with the ETag it was rendered from, so a
// concurrent change is refused rather than overwritten.
type speakersPage struct {
	pageBase
	Rec        archive.Recording
	ETag       string
	Speakers   []speakerRow
	Redactions []redactionRow
	Saved      bool
	Problem    string
}

// redactionRow is one redaction as the form lists it: words, or a span
// (milliseconds in hidden fields, read back as they were; clock times to
// read).
type redactionRow struct {
	Index          int
	Text           string
	StartMS, EndMS int64
	From, To       string
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
	for i, r := range rec.Redactions {
		page.Redactions = append(page.Redactions, redactionRow{Index: i, Text: r.Text, StartMS: r.StartMS, EndMS: r.EndMS, From: clock(r.StartMS), To: clock(r.EndMS)})
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
	embargo := strings.TrimSpace(c.FormValue("embargo"))
	redactions, problem := formRedactions(c)
	if problem != "" {
		return s.renderSpeakers(c, http.StatusBadRequest, false, s.pg.base(c, "", "").T(problem))
	}
	_, _, err = s.svc.Patch(ctx, who(c), id, c.FormValue("etag"), archive.Patch{Speakers: &speakers, Sensitive: &sensitive, EmbargoUntil: &embargo, Redactions: &redactions})
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

// formRedactions reads the redactions the form lists (those not ticked
// for removal) and the new one, if any: words, or a span given as page
// times ("754", "12m34s", "00:12:34.5"). The problem is a message key.
func formRedactions(c echo.Context) ([]archive.Redaction, string) {
	out := []archive.Redaction{}
	for i := 0; ; i++ {
		f := func(name string) string { return c.FormValue("rd." + strconv.Itoa(i) + "." + name) }
		if f("kept") == "" {
			break
		}
		if f("remove") == "on" {
			continue
		}
		start, err1 := strconv.ParseInt(f("start"), 10, 64)
		end, err2 := strconv.ParseInt(f("end"), 10, 64)
		if err1 != nil || err2 != nil {
			return nil, "redactions.bad"
		}
		out = append(out, archive.Redaction{Text: f("text"), StartMS: start, EndMS: end})
	}
	text := strings.TrimSpace(c.FormValue("rd.new.text"))
	from, to := strings.TrimSpace(c.FormValue("rd.new.from")), strings.TrimSpace(c.FormValue("rd.new.to"))
	switch {
	case text != "" && (from != "" || to != ""):
		return nil, "redactions.both"
	case text != "":
		out = append(out, archive.Redaction{Text: text})
	case from != "" || to != "":
		start, err1 := parseMoment(from)
		end, err2 := parseMoment(to)
		if err1 != nil || err2 != nil || end <= start {
			return nil, "redactions.badspan"
		}
		out = append(out, archive.Redaction{StartMS: start, EndMS: end})
	}
	return out, ""
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

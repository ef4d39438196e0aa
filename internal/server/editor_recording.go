package server

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// recordingPage is the editor's page of one recording: metadata (saved
// with the ETag it was read with, so a concurrent save is reported, not
// overwritten), status, the video (tus upload) and subtitle tracks.
type recordingPage struct {
	pageBase
	Rec      archive.Recording
	ETag     string
	Duration string
	// Languages are the declared languages as the form shows them.
	Languages string
	Changed   []string // fields someone else changed since this form was read
	Problem   string
	Notice    string
	New       bool
	Audit     []auditRow // the newest changes, for an existing recording
	// AuditOlder is the cursor of the next, older page of changes.
	AuditOlder string
	// MediaNotes say what the video still lacks (poster frame, faststart
	// remux) and why: being made, skipped without ffmpeg, or failed.
	MediaNotes []string
}

// auditRow is one audit entry as the page shows it.
type auditRow struct {
	When, Who, Action, Target string
	Changes                   []archive.AuditChange
}

// auditOnPage is how many changes the recording page lists at a time.
const auditOnPage = 20

// metaFields are the metadata fields the form edits, in order.
var metaFields = []string{"title", "event", "date", "place", "description", "languages"}

func metaValue(r archive.Recording, f string) string {
	switch f {
	case "title":
		return r.Title
	case "event":
		return r.Event
	case "date":
		return r.Date
	case "place":
		return r.Place
	case "description":
		return r.Description
	case "languages":
		return strings.Join(r.Declared, ", ")
	}
	return ""
}

func (s *Server) renderRecording(c echo.Context, status int, page recordingPage) error {
	if s.pg.err != nil {
		return s.pg.err
	}
	page.pageBase = s.pg.base(c, "recording", "")
	page.Title = page.Rec.Title
	if page.New {
		page.Title = page.T("rec.new.title")
	}
	page.Duration = durationText(page.UI, page.Rec.DurationMS)
	page.Languages = metaValue(page.Rec, "languages")
	if !page.New {
		trail, err := s.svc.Audit(c.Request().Context(), who(c), page.Rec.ID, auditOnPage, c.QueryParam("audit_before"))
		if err != nil {
			return err
		}
		for _, e := range trail.Entries {
			page.Audit = append(page.Audit, auditRow{When: e.At.Format("2006-01-02 15:04:05 UTC"), Who: e.Who,
				Action: page.T("audit.action." + e.Action), Target: e.Target, Changes: e.Changes})
		}
		page.AuditOlder = trail.Next
		notes, err := s.mediaNotes(c, page.pageBase, page.Rec)
		if err != nil {
			return err
		}
		page.MediaNotes = notes
	}
	return s.pg.render(c, status, "edit_recording", page)
}

// editNew serves GET /edit/new.
func (s *Server) editNew(c echo.Context) error {
	return s.renderRecording(c, http.StatusOK, recordingPage{New: true})
}

// editCreate handles POST /edit/new.
func (s *Server) editCreate(c echo.Context) error {
	in := archive.RecordingInput{
		ID: strings.TrimSpace(c.FormValue("id")), Title: c.FormValue("title"), Event: c.FormValue("event"),
		Date: c.FormValue("date"), Place: c.FormValue("place"), Description: c.FormValue("description"),
		Declared: splitLangs(c.FormValue("languages")), Status: archive.StatusDraft,
	}
	rec, _, err := s.svc.Create(c.Request().Context(), who(c), in)
	if err != nil {
		status, d := classify(err)
		if status >= 500 || status == http.StatusUnauthorized || status == http.StatusForbidden {
			return err
		}
		return s.renderRecording(c, status, recordingPage{New: true, Problem: d.Message,
			Rec: archive.Recording{ID: in.ID, Title: in.Title, Event: in.Event, Date: in.Date, Place: in.Place, Description: in.Description, Declared: in.Declared}})
	}
	return c.Redirect(http.StatusSeeOther, "/edit/"+url.PathEscape(rec.ID))
}

// editRecording serves GET /edit/:id.
func (s *Server) editRecording(c echo.Context) error {
	rec, etag, err := s.svc.Get(c.Request().Context(), who(c), c.Param("id"))
	if err != nil {
		return err
	}
	page := recordingPage{Rec: rec, ETag: etag}
	if c.QueryParam("saved") != "" {
		page.Notice = s.pg.base(c, "", "").T("rec.saved")
	}
	return s.renderRecording(c, http.StatusOK, page)
}

// editSave handles POST /edit/:id: the metadata form. The form carries
// the ETag and the values it was read with; when someone saved in
// between, nothing is written and the page says which fields they
// changed, showing their values beside this editor's.
func (s *Server) editSave(c echo.Context) error {
	ctx, id := c.Request().Context(), c.Param("id")
	p := archive.Patch{}
	vals := map[string]*string{}
	for _, f := range metaFields {
		v := c.FormValue(f)
		vals[f] = &v
	}
	p.Title, p.Event, p.Date, p.Place, p.Description = vals["title"], vals["event"], vals["date"], vals["place"], vals["description"]
	declared := splitLangs(*vals["languages"])
	p.Declared = &declared
	if st := archive.Status(c.FormValue("status")); st != "" {
		p.Status = &st
	}
	_, _, err := s.svc.Patch(ctx, who(c), id, c.FormValue("etag"), p)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/edit/"+url.PathEscape(id)+"?saved=1")
	}
	if !errors.Is(err, archive.ErrPrecondition) {
		status, d := classify(err)
		if status >= 500 || status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound {
			return err
		}
		rec, etag, gerr := s.svc.Get(ctx, who(c), id)
		if gerr != nil {
			return gerr
		}
		return s.renderRecording(c, status, recordingPage{Rec: rec, ETag: etag, Problem: d.Message})
	}
	cur, etag, gerr := s.svc.Get(ctx, who(c), id)
	if gerr != nil {
		return gerr
	}
	page := recordingPage{Rec: cur, ETag: etag}
	base := s.pg.base(c, "", "")
	for _, f := range metaFields {
		if c.FormValue("orig_"+f) != metaValue(cur, f) {
			page.Changed = append(page.Changed, base.T("rec.changed", base.T("rec.field."+f), metaValue(cur, f), *vals[f]))
		}
	}
	if orig := c.FormValue("orig_status"); orig != "" && orig != string(cur.Status) {
		page.Changed = append(page.Changed, base.T("rec.changed", base.T("edit.col.status"), string(cur.Status), orig))
	}
	if len(page.Changed) == 0 && c.FormValue("orig_status") != "" {
		// What changed is nothing this form shows (a track, the video, the
		// media worker's poster or remux): the editor's values overwrite
		// nothing they have not seen, so save them on the current version.
		if _, _, err := s.svc.Patch(ctx, who(c), id, etag, p); err == nil {
			return c.Redirect(http.StatusSeeOther, "/edit/"+url.PathEscape(id)+"?saved=1")
		}
	}
	page.Problem = base.T("rec.conflict")
	return s.renderRecording(c, http.StatusConflict, page)
}

// editDelete handles POST /edit/:id/delete: the recording and everything
// that belongs to it.
func (s *Server) editDelete(c echo.Context) error {
	if c.FormValue("confirm") != c.Param("id") {
		rec, etag, err := s.svc.Get(c.Request().Context(), who(c), c.Param("id"))
		if err != nil {
			return err
		}
		return s.renderRecording(c, http.StatusBadRequest, recordingPage{Rec: rec, ETag: etag, Problem: s.pg.base(c, "", "").T("rec.delete.confirm.wrong")})
	}
	if err := s.svc.Delete(c.Request().Context(), who(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/edit")
}

// mediaNotes is what the recording page says of the video's derived files.
func (s *Server) mediaNotes(c echo.Context, base pageBase, rec archive.Recording) ([]string, error) {
	st, err := s.svc.MediaWork(c.Request().Context(), who(c), rec)
	if err != nil || (!st.Poster && !st.Faststart) {
		return nil, err
	}
	var notes []string
	switch {
	case st.Failed != "":
		notes = append(notes, base.T("rec.video.failed", st.Failed))
	case !s.svc.DerivesMedia():
		if st.Poster {
			notes = append(notes, base.T("rec.video.skipped.poster"))
		}
		if st.Faststart {
			notes = append(notes, base.T("rec.video.skipped.faststart"))
		}
	default:
		notes = append(notes, base.T("rec.video.working"))
	}
	return notes, nil
}

// splitLangs reads the form's languages: tags separated by commas or spaces.
func splitLangs(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
}

package server

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// editListPage is the editors' workspace home: every recording, drafts
// included, with what needs attention.
type editListPage struct {
	pageBase
	Recordings []editListItem
}

type editListItem struct {
	ID        string
	Title     string
	Date      string
	Draft     bool
	Duration  string
	Tracks    []string
	Attention []string // translated notes: missing video, no tracks, ...
}

// editList serves GET /edit.
func (s *Server) editList(c echo.Context) error {
	if s.pg.err != nil {
		return s.pg.err
	}
	recs, err := s.svc.List(c.Request().Context(), who(c))
	if err != nil {
		return err
	}
	pending, err := s.svc.PendingIDs(c.Request().Context(), who(c))
	if err != nil {
		return err
	}
	failed, err := s.svc.MediaFailures(c.Request().Context(), who(c))
	if err != nil {
		return err
	}
	base := s.pg.base(c, "edit", "")
	base.Title = base.T("edit.title")
	page := editListPage{pageBase: base}
	slices.SortStableFunc(recs, func(a, b archive.Recording) int {
		if a.Status != b.Status { // drafts first
			return strings.Compare(string(a.Status), string(b.Status))
		}
		return strings.Compare(b.UpdatedAt.Format("2006-01-02T15:04:05.000"), a.UpdatedAt.Format("2006-01-02T15:04:05.000"))
	})
	for _, r := range recs {
		it := editItem(base, r, pending[r.ID])
		if f, ok := failed[r.ID]; ok && r.Media != nil && r.Media.Key == f.MediaKey {
			it.Attention = append(it.Attention, base.T("edit.attention.mediawork")+": "+f.Error)
		}
		page.Recordings = append(page.Recordings, it)
	}
	return s.pg.render(c, http.StatusOK, "edit_list", page)
}

func editItem(base pageBase, r archive.Recording, pendingIndex bool) editListItem {
	it := editListItem{ID: r.ID, Title: r.Title, Date: r.Date, Draft: r.Status != archive.StatusPublished,
		Duration: durationText(base.UI, r.DurationMS)}
	for _, t := range r.Tracks {
		it.Tracks = append(it.Tracks, t.Lang)
	}
	if r.Media == nil {
		it.Attention = append(it.Attention, base.T("edit.attention.nomedia"))
	}
	if len(r.Tracks) == 0 {
		it.Attention = append(it.Attention, base.T("edit.attention.notracks"))
	}
	for _, lang := range r.Declared {
		if !slices.ContainsFunc(r.Tracks, func(t archive.Track) bool { return sameLang(t.Lang, lang) }) {
			it.Attention = append(it.Attention, base.T("edit.attention.missinglang", lang))
		}
	}
	held := 0
	for _, sp := range r.Speakers {
		if sp.Visibility == archive.VisibilityHidden || sp.Held { // held labels are hidden until an editor decides
			held++
		}
	}
	if held > 0 {
		it.Attention = append(it.Attention, base.N("edit.attention.held", held))
	}
	if pendingIndex {
		it.Attention = append(it.Attention, base.T("edit.attention.index"))
	}
	return it
}

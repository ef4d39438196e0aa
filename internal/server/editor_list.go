package server

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// editListPage is the editors' workspace home: every recording, drafts
// included, with what needs attention, a page of editListPerPage at a time
// (drafts first, then by last change).
type editListPage struct {
	pageBase
	Recordings       []editListItem
	Pages            string // "Page 2 of 7", when there is more than one
	PrevURL, NextURL string
}

// editListPerPage is how many recordings one page of the editors' list
// shows.
const editListPerPage = 100

type editListItem struct {
	ID        string
	Title     string
	Date      string
	Draft     bool
	Duration  string
	Tracks    []string
	Attention []string // translated notes: missing video, no tracks, ...
}

// editList serves GET /edit, from the catalog: a page costs no manifest
// read, however large the archive.
func (s *Server) editList(c echo.Context) error {
	if s.pg.err != nil {
		return s.pg.err
	}
	ctx := c.Request().Context()
	page, _ := strconv.Atoi(c.QueryParam("page"))
	page = max(page, 1)
	work, err := s.svc.Workspace(ctx, who(c), page, editListPerPage)
	if err != nil {
		return err
	}
	pending, err := s.svc.PendingIDs(ctx, who(c))
	if err != nil {
		return err
	}
	failed, err := s.svc.MediaFailures(ctx, who(c))
	if err != nil {
		return err
	}
	base := s.pg.base(c, "edit", "")
	base.Title = base.T("edit.title")
	data := editListPage{pageBase: base}
	for _, r := range work.Items {
		it := editItem(base, r, pending[r.ID])
		if f, ok := failed[r.ID]; ok && r.Work != nil && r.Work.MediaKey != "" && r.Work.MediaKey == f.MediaKey {
			it.Attention = append(it.Attention, base.T("edit.attention.mediawork")+": "+f.Error)
		}
		data.Recordings = append(data.Recordings, it)
	}
	if last := (work.Total + editListPerPage - 1) / editListPerPage; last > 1 {
		data.Pages = base.T("home.page", page, last)
		if page > 1 {
			data.PrevURL = "/edit?page=" + strconv.Itoa(min(page-1, last))
		}
		if page < last {
			data.NextURL = "/edit?page=" + strconv.Itoa(page+1)
		}
	}
	return s.pg.render(c, http.StatusOK, "edit_list", data)
}

// editItem is a row of the list. A catalog entry written before it kept
// Work says nothing of tracks, media or speakers: no note rather than a
// wrong one (reindex derives it).
func editItem(base pageBase, r archive.WorkItem, pendingIndex bool) editListItem {
	it := editListItem{ID: r.ID, Title: r.Title, Date: r.Date, Draft: r.Status != archive.StatusPublished,
		Duration: durationText(base.UI, r.DurationMS)}
	if w := r.Work; w != nil {
		it.Tracks = w.Tracks
		if w.MediaKey == "" {
			it.Attention = append(it.Attention, base.T("edit.attention.nomedia"))
		}
		if len(w.Tracks) == 0 {
			it.Attention = append(it.Attention, base.T("edit.attention.notracks"))
		}
		for _, lang := range w.Declared {
			if !slices.ContainsFunc(w.Tracks, func(t string) bool { return sameLang(t, lang) }) {
				it.Attention = append(it.Attention, base.T("edit.attention.missinglang", lang))
			}
		}
		if w.Held > 0 { // held labels are hidden until an editor decides
			it.Attention = append(it.Attention, base.N("edit.attention.held", w.Held))
		}
	}
	if pendingIndex {
		it.Attention = append(it.Attention, base.T("edit.attention.index"))
	}
	return it
}

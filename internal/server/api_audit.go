package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// defaultAuditPage is how many audit entries a page shows unless asked.
const defaultAuditPage = 50

// getAudit answers GET /api/v1/recordings/:id/audit?limit=&before=: the
// recording's audit trail, newest first (editors only).
func (s *Server) getAudit(c echo.Context) error {
	limit, err := auditLimit(c.QueryParam("limit"))
	if err != nil {
		return err
	}
	page, err := s.svc.Audit(c.Request().Context(), who(c), c.Param("id"), limit, c.QueryParam("before"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func auditLimit(v string) (int, error) {
	if v == "" {
		return defaultAuditPage, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > archive.MaxAuditPage {
		return 0, archive.NewError(archive.ErrInvalid, "limit %q is not a number from 1 to %d", v, archive.MaxAuditPage)
	}
	return n, nil
}

package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// healthz: the process is alive and serving.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

type readiness struct {
	Status string                   `json:"status"` // ok | unavailable | draining
	Checks map[string]archive.Check `json:"checks"`
	// PendingReindex counts recordings whose index update waits for retry.
	PendingReindex int `json:"pending_reindex"`
}

// readyz: storage and index reachable; 503 with the detail when one is not.
func (s *Server) readyz(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	if s.draining.Load() {
		// Shutting down: the load balancer should send new requests to
		// another instance while the ones in flight finish here.
		return c.JSON(http.StatusServiceUnavailable, readiness{Status: "draining", Checks: map[string]archive.Check{}, PendingReindex: s.svc.Pending()})
	}
	r := readiness{Status: "ok", Checks: map[string]archive.Check{}, PendingReindex: s.svc.Pending()}
	status := http.StatusOK
	for _, ch := range s.svc.Ready(c.Request().Context()) {
		r.Checks[ch.Name] = ch
		if !ch.OK {
			r.Status, status = "unavailable", http.StatusServiceUnavailable
		}
	}
	return c.JSON(status, r)
}

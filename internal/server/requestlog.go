package server

import "github.com/labstack/echo/v4"

// routeOf is the request's route template ("/watch/:id"), never the path a
// client sent, so logs and metrics name routes, not recordings or queries.
func routeOf(c echo.Context) string {
	if p := c.Path(); p != "" {
		return p
	}
	return "unmatched"
}

package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// robotsTxt lets crawlers read the viewer pages and keeps them out of
// sign-in, the editors' and admins' pages and the JSON API, which show
// nothing a viewer's page does not and would only cost crawl budget.
const robotsTxt = `User-agent: *
Disallow: /edit
Disallow: /admin
Disallow: /login
Disallow: /api/
Disallow: /media/
Allow: /
`

func (s *Server) robots(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(robotsTxt))
}

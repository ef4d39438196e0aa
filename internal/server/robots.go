package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// robotsRules let crawlers read the viewer pages and keep them out of
// sign-in, the editors' and admins' pages and the JSON API, which show
// nothing a viewer's page does not and would only cost crawl budget. The
// media stay open: the video sitemap names each file as the video's
// content_loc, and a search engine must fetch it to index the video and
// its key moments.
const robotsRules = `User-agent: *
Disallow: /edit
Disallow: /admin
Disallow: /login
Disallow: /api/
Allow: /
`

func (s *Server) robots(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	body := robotsRules + "\nSitemap: " + s.publicOrigin(c.Request()) + "/sitemap.xml\n"
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(body))
}

package server

import (
	"net/http"
	"slices"
)

// GETRoutes lists the path of every route that answers GET, from the
// one route table: the leak test requires each to be walked or to be
// named as carrying no recording content, so a new route cannot escape it.
func GETRoutes(s *Server) []string {
	var out []string
	for _, r := range s.echo.Routes() {
		if r.Method == http.MethodGet && !slices.Contains(out, r.Path) {
			out = append(out, r.Path)
		}
	}
	slices.Sort(out)
	return out
}

// UploadsInUse is how many upload slots are taken.
func UploadsInUse(s *Server) int { return s.uploads.inUse() }

// HasClips reports whether the server cuts quote clips (it has ffmpeg).
func (s *Server) HasClips() bool { return s.clips != nil }

// PublicBase is the absolute base the server writes into r's links.
func (s *Server) PublicBase(r *http.Request) string { return s.publicOrigin(r) }

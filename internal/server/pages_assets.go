package server

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// assetSet serves the embedded static files under names that carry a hash
// of their content ("app.3f2a91c0de.css"), so a browser may cache them for
// a year and still never runs yesterday's script against today's page.
type assetSet struct {
	urls  map[string]string // plain name → /static/<fingerprinted name>
	files map[string]asset  // fingerprinted name → content
}

type asset struct {
	data        []byte
	contentType string
	etag        string
}

func loadAssets(fsys fs.FS) (*assetSet, error) {
	set := &assetSet{urls: map[string]string{}, files: map[string]asset{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		hash := hex.EncodeToString(sum[:5])
		ext := path.Ext(name)
		// vendor/tus.min.js is served as /static/vendor-tus.min.<hash>.js:
		// one path segment, as the route has it.
		fp := strings.ReplaceAll(strings.TrimSuffix(name, ext), "/", "-") + "." + hash + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		set.urls[name] = "/static/" + fp
		set.files[fp] = asset{data: data, contentType: ct, etag: `"` + hash + `"`}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("server: load static assets: %w", err)
	}
	return set, nil
}

// url returns the fingerprinted URL of a static file. An unknown name is a
// template bug; it yields a URL that answers 404 rather than a broken page.
func (a *assetSet) url(name string) string {
	if u, ok := a.urls[name]; ok {
		return u
	}
	return "/static/missing/" + name
}

// static serves GET /static/<fingerprinted name>.
func (p *pages) static(c echo.Context) error {
	if p.err != nil {
		return p.err
	}
	name := c.Param("name")
	f, ok := p.assets.files[name]
	if !ok {
		return archive.NewError(archive.ErrNotFound, "no static file %q", name)
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", f.etag)
	if c.Request().Header.Get("If-None-Match") == f.etag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, f.contentType, f.data)
}

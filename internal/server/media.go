package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/media"
)

// putMedia streams the request body straight into storage: memory stays
// flat whatever the size. ?name= (or a Content-Disposition filename) gives
// the file name; the content type comes from the header, the name or the
// first bytes.
func (s *Server) putMedia(c echo.Context) error {
	req := c.Request()
	if req.ContentLength > s.opts.MaxUpload {
		return archive.NewError(archive.ErrTooLarge, "media of %d bytes, the limit is %d", req.ContentLength, s.opts.MaxUpload)
	}
	counted := countingReader{http.MaxBytesReader(c.Response(), req.Body, s.opts.MaxUpload), s.metrics.media.WithLabelValues("received")}
	body := bufio.NewReaderSize(counted, 64<<10)
	head, err := body.Peek(512)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		// The body failed before it began (stalled, cut): say why, before
		// anything is written. The failed read also ends the request's
		// context, so nothing later would get further.
		return err
	}
	name := uploadName(c)
	ct, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if ct == "" || ct == echo.MIMEOctetStream || ct == "application/x-www-form-urlencoded" {
		ct = media.ContentType(name, head)
	}
	m, err := s.svc.PutMedia(req.Context(), who(c), c.Param("id"), archive.MediaUpload{
		Name: name, ContentType: ct, Size: req.ContentLength, Body: body,
	})
	if err != nil {
		return err
	}
	m.Key = ""
	return c.JSON(http.StatusCreated, m)
}

func uploadName(c echo.Context) string {
	if n := c.QueryParam("name"); n != "" {
		return path.Base(n)
	}
	if _, params, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentDisposition)); err == nil {
		return path.Base(params["filename"])
	}
	return ""
}

// getMedia serves the recording's media with HTTP Range: a single byte
// range, If-Range, conditional GET and HEAD; only the requested range is
// read from storage. It is never compressed. With a presign TTL and a store
// that can presign, viewers are redirected to the object instead.
func (s *Server) getMedia(c echo.Context) error {
	ctx, id := c.Request().Context(), c.Param("id")
	if s.opts.PresignTTL > 0 {
		u, err := s.svc.PresignMedia(ctx, who(c), id, s.opts.PresignTTL)
		if err == nil {
			c.Response().Header().Set(echo.HeaderCacheControl, "private, no-store")
			return c.Redirect(http.StatusFound, u)
		}
		if !errors.Is(err, archive.ErrUnsupported) {
			return err
		}
	}
	m, err := s.svc.MediaSource(ctx, who(c), id)
	if err != nil {
		return err
	}
	return s.serveRanged(c, ranged{
		ContentType: m.ContentType, ETag: m.ETag, Modified: m.UploadedAt, Size: m.Size,
		CacheControl: "public, max-age=0, must-revalidate", Open: m.Open, What: "recording " + id,
	})
}

// ranged is a stored object to serve with HTTP Range.
type ranged struct {
	ContentType, ETag, CacheControl string
	Modified                        time.Time
	Size                            int64
	Open                            func(ctx context.Context, offset, length int64) (io.ReadCloser, error)
	What                            string // for the log
}

// serveRanged answers with a single byte range, If-Range, conditional GET
// and HEAD; only the requested range is read from storage. It is never
// compressed.
func (s *Server) serveRanged(c echo.Context, m ranged) error {
	req := c.Request()
	h := c.Response().Header()
	etag := `"` + m.ETag + `"`
	h.Set(echo.HeaderContentType, m.ContentType)
	h.Set("Accept-Ranges", "bytes")
	h.Set(headerETag, etag)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set(echo.HeaderCacheControl, m.CacheControl)
	if !m.Modified.IsZero() {
		h.Set(echo.HeaderLastModified, m.Modified.UTC().Format(http.TimeFormat))
	}
	if notModified(req, m.ETag, m.Modified) {
		return c.NoContent(http.StatusNotModified)
	}

	offset, length, status := int64(0), m.Size, http.StatusOK
	if rh := req.Header.Get("Range"); rh != "" && rangeApplies(req, etag, m.Modified) {
		r, err := parseRange(rh, m.Size)
		switch {
		case errors.Is(err, errUnsatisfiable):
			h.Set("Content-Range", fmt.Sprintf("bytes */%d", m.Size))
			return archive.NewError(archive.ErrRangeNotSatisfy, "range %q of %d bytes", rh, m.Size)
		case err == nil:
			offset, length, status = r.start, r.length, http.StatusPartialContent
			h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", r.start, r.start+r.length-1, m.Size))
		}
		// A malformed or multi-range header is ignored: 200 with the whole
		// object is always a correct answer.
	}
	h.Set(echo.HeaderContentLength, strconv.FormatInt(length, 10))
	if req.Method == http.MethodHead || length == 0 {
		c.Response().WriteHeader(status)
		return nil
	}
	rc, err := m.Open(req.Context(), offset, length)
	if err != nil {
		return err
	}
	defer rc.Close()
	res := c.Response()
	res.WriteHeader(status)
	// Send the headers now that the source is open: net/http otherwise
	// reads and writes the body's first 512 bytes through a buffer (to
	// sniff a type we set) before it hands the rest to sendfile(2), one
	// read and one copy more for every range.
	_ = http.NewResponseController(res.Writer).Flush()
	// Copy to net/http's own writer: echo's Response has no ReadFrom, so
	// through it io.Copy would shuttle the bytes through a user-space
	// buffer, while net/http's writer hands a file to sendfile(2). The
	// count goes back into res.Size for the request log and the metrics.
	n, err := io.Copy(res.Writer, rc)
	res.Size += n
	s.metrics.media.WithLabelValues("sent").Add(float64(n))
	if err != nil {
		s.log.Debug("server: media stream ended early", "what", m.What, "err", err)
	}
	return nil
}

// notModified answers conditional GETs (If-None-Match first, as RFC 9110
// says, then If-Modified-Since).
func notModified(req *http.Request, etag string, mod time.Time) bool {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return false
	}
	if inm := req.Header.Get("If-None-Match"); inm != "" {
		return etagMatches(inm, etag)
	}
	if ims := req.Header.Get("If-Modified-Since"); ims != "" && !mod.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !mod.Truncate(time.Second).After(t)
	}
	return false
}

// rangeApplies evaluates If-Range: the range is honoured only while the
// representation is the one the client holds (strong ETag or date).
func rangeApplies(req *http.Request, etag string, mod time.Time) bool {
	ir := req.Header.Get("If-Range")
	if ir == "" {
		return true
	}
	// An entity tag is quoted, a weak one starts "W/"; anything else is an
	// HTTP date (which starts "Wed," on Wednesdays, so look for the slash).
	if strings.HasPrefix(ir, `"`) || strings.HasPrefix(ir, "W/") {
		return ir == etag // weak validators never match for If-Range
	}
	t, err := http.ParseTime(ir)
	return err == nil && !mod.IsZero() && mod.Truncate(time.Second).Equal(t)
}

// getPoster serves the recording's poster frame (/media/:id/poster.jpg),
// to whoever may see the recording. Pages link it with ?v=<version>, so a
// browser may keep it (a new poster is a new URL); shared caches may not,
// since an editor's draft poster must never be served to the next viewer.
func (s *Server) getPoster(c echo.Context) error {
	id := c.Param("id")
	p, open, err := s.svc.PosterSource(c.Request().Context(), who(c), id)
	if err != nil {
		return err
	}
	return s.serveRanged(c, ranged{
		ContentType: archive.PosterType, ETag: p.ETag, Size: p.Size,
		CacheControl: "private, max-age=86400", Open: open, What: "poster of " + id,
	})
}

// posterURL is where pages find a poster of the given version ("" none).
func posterURL(id, version string) string {
	if version == "" {
		return ""
	}
	return "/media/" + id + "/poster.jpg?v=" + url.QueryEscape(version)
}

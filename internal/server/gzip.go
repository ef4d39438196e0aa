package server

import (
	"bufio"
	"compress/gzip"
	"errors"
	"mime"
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// gzipSuffix marks the ETag of a compressed representation: a strong
// ETag names one exact byte sequence, so the gzipped body gets its own.
// Validators coming back with it are matched against the plain ETag.
const gzipSuffix = "-gzip"

// compressible are the types worth compressing: text the pages and the
// API send. Media, posters and track downloads pass through untouched.
func compressible(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch mt {
	case "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
		"application/xml", "text/xml", "application/atom+xml", "image/svg+xml", "text/plain":
		return true
	}
	return false
}

// gzipResponses compresses HTML, JSON, CSS and JS for clients that take
// gzip. Never media (the route is skipped and its types are not
// compressible), never a range request or a partial response: byte
// offsets are of the plain body.
func gzipResponses(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if c.Path() == "/media/:id" || strings.HasPrefix(c.Path(), "/api/v1/uploads") || req.Header.Get("Range") != "" {
			return next(c)
		}
		res := c.Response()
		res.Header().Add("Vary", "Accept-Encoding")
		if !acceptsGzip(req.Header.Get("Accept-Encoding")) {
			return next(c)
		}
		w := &gzipWriter{ResponseWriter: res.Writer}
		for _, h := range []string{"If-None-Match", "If-Match"} {
			if v := req.Header.Get(h); strings.Contains(v, gzipSuffix+`"`) {
				req.Header.Set(h, strings.ReplaceAll(v, gzipSuffix+`"`, `"`))
				w.heldGzip = true
			}
		}
		res.Writer = w
		defer func() { res.Writer = w.ResponseWriter }()
		err := next(c)
		if cerr := w.close(); err == nil {
			err = cerr
		}
		return err
	}
}

// acceptsGzip reads Accept-Encoding: gzip (or *) with a q-value above 0.
func acceptsGzip(v string) bool {
	for _, part := range strings.Split(v, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "x-gzip" && name != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.ToLower(params), " ", "")
		if q == "q=0" || strings.HasPrefix(q, "q=0.0") && strings.Trim(q[len("q=0."):], "0") == "" {
			return false
		}
		return true
	}
	return false
}

// gzipWriter decides at the status line whether the body is compressed.
type gzipWriter struct {
	http.ResponseWriter
	gz       *gzip.Writer
	decided  bool
	heldGzip bool // the validators named the gzipped representation
}

func (w *gzipWriter) WriteHeader(code int) {
	if !w.decided {
		w.decided = true
		h := w.Header()
		if code == http.StatusOK && h.Get("Content-Encoding") == "" && h.Get("Content-Range") == "" && compressible(h.Get("Content-Type")) {
			h.Del("Content-Length")
			h.Set("Content-Encoding", "gzip")
			if etag := h.Get("ETag"); strings.HasSuffix(etag, `"`) && len(etag) >= 2 {
				h.Set("ETag", etag[:len(etag)-1]+gzipSuffix+`"`)
			}
			w.gz = gzip.NewWriter(w.ResponseWriter)
		} else if code == http.StatusNotModified && w.heldGzip {
			// A 304 names the representation the client holds: the gzipped one.
			if etag := h.Get("ETag"); strings.HasSuffix(etag, `"`) && len(etag) >= 2 {
				h.Set("ETag", etag[:len(etag)-1]+gzipSuffix+`"`)
			}
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *gzipWriter) Write(b []byte) (int, error) {
	if !w.decided {
		w.WriteHeader(http.StatusOK)
	}
	if w.gz != nil {
		return w.gz.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *gzipWriter) Flush() {
	if w.gz != nil {
		_ = w.gz.Flush()
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *gzipWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := w.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("gzip: the response writer cannot be hijacked")
}

func (w *gzipWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *gzipWriter) close() error {
	if w.gz == nil {
		return nil
	}
	return w.gz.Close()
}

package server

import (
	"bufio"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// trackUploaded is the answer to a track upload.
type trackUploaded struct {
	Track    archive.Track     `json:"track"`
	CueCount int               `json:"cue_count"`
	Speakers []string          `json:"speakers"`
	Warnings []archive.Warning `json:"warnings"`
}

// putTrack accepts a subtitle file in any supported format, as the raw
// body or as the "file" field of a multipart form. Query (or form) fields
// kind and source set the provenance; name hints the format.
func (s *Server) putTrack(c echo.Context) error {
	up, err := s.trackUpload(c)
	if err != nil {
		return err
	}
	res, err := s.svc.PutTrack(c.Request().Context(), who(c), c.Param("id"), up)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Track.Version == 1 {
		status = http.StatusCreated
	}
	return c.JSON(status, trackUploaded{Track: res.Track, CueCount: res.Track.CueCount, Speakers: res.Speakers, Warnings: res.Warnings})
}

// checkTrack answers POST /tracks/<lang>/check: the report of what a PUT
// of the same body would store (format, errors with line numbers,
// warnings, speakers, first cues), with nothing stored. A file with
// errors is a 200 report with acceptable false, not a 4xx: the check
// itself worked.
func (s *Server) checkTrack(c echo.Context) error {
	up, err := s.trackUpload(c)
	if err != nil {
		return err
	}
	rep, err := s.svc.CheckTrack(c.Request().Context(), who(c), c.Param("id"), up)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

// trackUpload reads what a track PUT and its check both take: the body
// (raw or the "file" field of a multipart form) and the provenance fields.
func (s *Server) trackUpload(c echo.Context) (archive.TrackUpload, error) {
	data, name, err := s.readTrackBody(c)
	if err != nil {
		return archive.TrackUpload{}, err
	}
	return archive.TrackUpload{
		Lang: c.Param("lang"), Name: name, Data: data,
		Kind: archive.Kind(c.FormValue("kind")), Source: archive.Source(c.FormValue("source")),
	}, nil
}

func (s *Server) readTrackBody(c echo.Context) ([]byte, string, error) {
	req := c.Request()
	if req.ContentLength > s.opts.MaxTrack {
		return nil, "", archive.NewError(archive.ErrTooLarge, "subtitle file of %d bytes, the limit is %d", req.ContentLength, s.opts.MaxTrack)
	}
	req.Body = http.MaxBytesReader(c.Response(), req.Body, s.opts.MaxTrack+1<<20)
	name := c.QueryParam("name")
	var body io.Reader = req.Body
	if mt, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType)); mt == echo.MIMEMultipartForm {
		fh, err := c.FormFile("file")
		if err != nil {
			return nil, "", &archive.Error{Kind: archive.ErrInvalid, Where: "server: track upload", Message: `a multipart upload needs a "file" field`, Err: err}
		}
		f, err := fh.Open()
		if err != nil {
			return nil, "", fmt.Errorf("server: open upload: %w", err)
		}
		defer f.Close()
		body, name = f, fh.Filename
	}
	data, err := io.ReadAll(io.LimitReader(body, s.opts.MaxTrack+1))
	if err != nil {
		return nil, "", fmt.Errorf("server: read subtitle file: %w", err)
	}
	if int64(len(data)) > s.opts.MaxTrack {
		return nil, "", archive.NewError(archive.ErrTooLarge, "subtitle file larger than %d bytes", s.opts.MaxTrack)
	}
	return data, name, nil
}

// exportTypes are the formats a track downloads as, by extension.
var exportTypes = map[string]string{
	archive.FormatVTT:  "text/vtt; charset=utf-8",
	archive.FormatSRT:  "application/x-subrip; charset=utf-8",
	archive.FormatTTML: "application/ttml+xml; charset=utf-8",
	archive.FormatText: "text/plain; charset=utf-8",
}

// getTrack answers /tracks/<lang> with a page of JSON cues
// (api_cuepage.go) and /tracks/<lang>.<ext> with the track in that format.
func (s *Server) getTrack(c echo.Context) error {
	ctx, id, lang := c.Request().Context(), c.Param("id"), c.Param("lang")
	if base, ext, ok := cutExt(lang); ok {
		ct, known := exportTypes[ext]
		if !known {
			return archive.NewError(archive.ErrNotFound, "no export format %q (vtt, srt, ttml, txt)", ext)
		}
		write, err := s.svc.Export(ctx, who(c), id, base, ext)
		if err != nil {
			return err
		}
		// SRT and TTML are files to save; text and WebVTT (which a
		// <track> element loads) may show in the browser, never sniffed.
		disposition := "inline"
		if ext == archive.FormatSRT || ext == archive.FormatTTML {
			disposition = "attachment"
		}
		c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`%s; filename="%s.%s.%s"`, disposition, id, base, ext))
		c.Response().Header().Set(echo.HeaderContentType, ct)
		c.Response().WriteHeader(http.StatusOK)
		if c.Request().Method == http.MethodHead {
			return nil
		}
		// Streamed: a write error now is the client gone, past any status.
		bw := bufio.NewWriterSize(c.Response(), 32<<10)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	tr, cues, err := s.svc.GetTrack(ctx, who(c), id, lang)
	if err != nil {
		return err
	}
	p, err := readCuePage(c, cues)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p.page(id, tr, cues))
}

// cutExt splits "en.vtt" into "en", "vtt". Language tags never contain dots.
func cutExt(lang string) (string, string, bool) {
	i := strings.LastIndexByte(lang, '.')
	if i < 0 {
		return lang, "", false
	}
	return lang[:i], strings.ToLower(lang[i+1:]), true
}

func (s *Server) getTrackSource(c echo.Context) error {
	data, err := s.svc.TrackSource(c.Request().Context(), who(c), c.Param("id"), c.Param("lang"))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, "attachment")
	return c.Blob(http.StatusOK, echo.MIMEOctetStream, data)
}

func (s *Server) deleteTrack(c echo.Context) error {
	if err := s.svc.DeleteTrack(c.Request().Context(), who(c), c.Param("id"), c.Param("lang")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// shiftTrack: POST …/tracks/<lang>/shift {"offset_ms": -1500}
func (s *Server) shiftTrack(c echo.Context) error {
	var in struct {
		OffsetMS int64 `json:"offset_ms"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	tr, err := s.svc.ShiftTrack(c.Request().Context(), who(c), c.Param("id"), c.Param("lang"), time.Duration(in.OffsetMS)*time.Millisecond)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tr)
}

// linearTrack: POST …/tracks/<lang>/linear
// {"points": [{"from_ms": 10000, "to_ms": 10500}, {"from_ms": 3600000, "to_ms": 3603600}]}
// moves each from_ms to its to_ms and everything else along the same line.
func (s *Server) linearTrack(c echo.Context) error {
	var in struct {
		Points []struct {
			FromMS int64 `json:"from_ms"`
			ToMS   int64 `json:"to_ms"`
		} `json:"points"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if len(in.Points) != 2 {
		return archive.NewError(archive.ErrInvalid, "linear correction needs exactly two points")
	}
	ms := func(v int64) time.Duration { return time.Duration(v) * time.Millisecond }
	p := in.Points
	tr, err := s.svc.LinearTrack(c.Request().Context(), who(c), c.Param("id"), c.Param("lang"),
		ms(p[0].FromMS), ms(p[0].ToMS), ms(p[1].FromMS), ms(p[1].ToMS))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tr)
}

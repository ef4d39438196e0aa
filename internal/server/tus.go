package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"
	tusd "github.com/tus/tusd/v2/pkg/handler"
	xslog "golang.org/x/exp/slog"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Resumable uploads speak tus 1.0 (core, creation, termination) at
// /api/v1/uploads/, through tusd's handler on a data store of ours
// (tusStore) that keeps the bytes in the archive's Blobs, so any instance
// can resume what another began. Upload-Metadata names the recording
// (`recording`) and the file (`filename`, optionally `filetype`); when the
// last byte arrives the media is attached exactly as PUT …/media does.

const uploadsBase = "/api/v1/uploads/"

type principalCtx struct{}

// tusStore implements tusd.DataStore and tusd.TerminaterDataStore.
type tusStore struct{ svc *archive.Service }

type tusUpload struct {
	svc *archive.Service
	up  archive.Upload
}

func requestPrincipal(ctx context.Context) archive.Principal {
	p, _ := ctx.Value(principalCtx{}).(archive.Principal)
	return p
}

func (st tusStore) NewUpload(ctx context.Context, info tusd.FileInfo) (tusd.Upload, error) {
	if info.SizeIsDeferred {
		return nil, tusError(fmt.Errorf("server: Upload-Length is required: %w", archive.ErrInvalid))
	}
	up, err := st.svc.NewUpload(ctx, requestPrincipal(ctx), archive.Upload{
		RecordingID: info.MetaData["recording"], Filename: info.MetaData["filename"],
		ContentType: info.MetaData["filetype"], Size: info.Size,
	})
	if err != nil {
		return nil, tusError(err)
	}
	return &tusUpload{svc: st.svc, up: up}, nil
}

func (st tusStore) GetUpload(ctx context.Context, id string) (tusd.Upload, error) {
	up, err := st.svc.GetUpload(ctx, id)
	if errors.Is(err, archive.ErrNotFound) {
		return nil, tusd.ErrNotFound
	}
	if err != nil {
		return nil, tusError(err)
	}
	return &tusUpload{svc: st.svc, up: up}, nil
}

func (st tusStore) AsTerminatableUpload(u tusd.Upload) tusd.TerminatableUpload {
	return u.(*tusUpload)
}

func (u *tusUpload) WriteChunk(ctx context.Context, offset int64, src io.Reader) (int64, error) {
	n, err := u.svc.WriteUpload(ctx, u.up, offset, src)
	u.up.Offset += n
	if err != nil && n == 0 {
		return 0, tusError(err)
	}
	// Bytes stored whole count even when the body broke afterwards: the
	// client resumes from the new offset.
	return n, nil
}

func (u *tusUpload) GetInfo(context.Context) (tusd.FileInfo, error) {
	return tusd.FileInfo{
		ID: u.up.ID, Size: u.up.Size, Offset: u.up.Offset,
		MetaData: tusd.MetaData{"recording": u.up.RecordingID, "filename": u.up.Filename, "filetype": u.up.ContentType},
	}, nil
}

func (u *tusUpload) GetReader(context.Context) (io.ReadCloser, error) {
	return nil, tusd.ErrNotImplemented
}

// FinishUpload attaches the media to the recording (probe, checks,
// manifest), answering the last PATCH with the outcome.
func (u *tusUpload) FinishUpload(ctx context.Context) error {
	if _, err := u.svc.FinishUpload(ctx, requestPrincipal(ctx), u.up); err != nil {
		return tusError(err)
	}
	return nil
}

func (u *tusUpload) Terminate(ctx context.Context) error {
	if err := u.svc.DeleteUpload(ctx, u.up.ID); err != nil {
		return tusError(err)
	}
	return nil
}

// tusError gives tusd a domain error with the status errors.go maps it to.
func tusError(err error) error {
	status, d := classify(err)
	return tusd.NewError("ERR_"+d.Code, d.Message, status)
}

// newTusHandler builds tusd's handler on our store.
func (s *Server) newTusHandler() (*tusd.UnroutedHandler, error) {
	store := tusStore{svc: s.svc}
	composer := tusd.NewStoreComposer()
	composer.UseCore(store)
	composer.UseTerminater(store)
	return tusd.NewUnroutedHandler(tusd.Config{
		BasePath:             uploadsBase,
		StoreComposer:        composer,
		MaxSize:              s.opts.MaxUpload,
		DisableDownload:      true,
		DisableConcatenation: true,
		Cors:                 &tusd.CorsConfig{Disable: true}, // same origin only
		// tusd logs every request through x/exp/slog; ours does already.
		Logger: xslog.New(xslog.NewTextHandler(io.Discard, nil)),
	})
}

// tus adapts one of tusd's handler methods to the route table. The
// request carries who is asking (authenticate and the role check ran
// before) for the store to hand to the Service.
func (s *Server) tus(h func(http.ResponseWriter, *http.Request)) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.tusd == nil {
			return echo.NewHTTPError(http.StatusServiceUnavailable, "resumable uploads are unavailable")
		}
		r := c.Request()
		r = r.WithContext(context.WithValue(r.Context(), principalCtx{}, who(c)))
		if r.Method == http.MethodPatch && r.Body != nil {
			// A PATCH carries media: its bytes count as received, as a PUT's do.
			r.Body = countedBody{countingReader{r.Body, s.metrics.media.WithLabelValues("received")}, r.Body}
		}
		// tusd's unrouted handler reads the upload id from a path relative
		// to its base (what http.StripPrefix would leave).
		u := *r.URL
		u.Path = c.Param("upload")
		r.URL = &u
		s.tusd.Middleware(http.HandlerFunc(h)).ServeHTTP(c.Response(), r)
		return nil
	}
}

// countedBody counts what is read of a request body and closes the body.
type countedBody struct {
	io.Reader
	io.Closer
}

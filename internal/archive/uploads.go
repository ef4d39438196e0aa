package archive

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"path"
	"strconv"
	"strings"
	"time"
)

// Resumable uploads (the tus protocol in internal/server) are kept in the
// store itself, so any instance can take over an upload another began:
//
//	uploads/<upload id>/info.json          what is being uploaded, for whom
//	uploads/<upload id>/part-<offset>      the bytes from that offset on
//
// Each part is an ordinary object written with Blobs.Put, at most
// UploadPartSize bytes, so memory stays bounded and a dropped connection
// loses at most the part in flight: the offset a client resumes from is
// the end of the last whole part. When the last byte arrives the parts
// are streamed, in order, through PutMedia — the same checks, object and
// manifest update as a plain PUT — and removed.
const (
	UploadsPrefix  = "uploads/"
	UploadPartSize = 16 << 20
	// DefaultUploadExpiry is how long an unfinished upload is kept after
	// its last write.
	DefaultUploadExpiry = 24 * time.Hour
)

// Upload is the stored description of a resumable upload.
type Upload struct {
	ID          string    `json:"id"`
	RecordingID string    `json:"recording_id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	Account     string    `json:"account"`
	CreatedAt   time.Time `json:"created_at"`
	// Offset is how many bytes are stored (not saved: read from the parts).
	Offset int64 `json:"-"`
	// LastWrite is when a byte last arrived (or the upload was created).
	LastWrite time.Time `json:"-"`
}

func uploadInfoKey(id string) string { return UploadsPrefix + id + "/info.json" }
func uploadPartKey(id string, o int64) string {
	return fmt.Sprintf("%s%s/part-%020d", UploadsPrefix, id, o)
}

// NewUpload begins a resumable upload of media for a recording.
func (s *Service) NewUpload(ctx context.Context, who Principal, up Upload) (Upload, error) {
	if err := requireEditor(who, "upload"); err != nil {
		return Upload{}, err
	}
	if _, _, err := s.load(ctx, up.RecordingID); err != nil {
		return Upload{}, err
	}
	if up.Size <= 0 {
		return Upload{}, fmtErr("upload", up.RecordingID, ErrInvalid, "the upload's length must be known and positive")
	}
	if up.ContentType == "" {
		up.ContentType = mime.TypeByExtension(strings.ToLower(path.Ext(up.Filename)))
	}
	if ct, _, err := mime.ParseMediaType(up.ContentType); err == nil {
		up.ContentType = ct
	}
	// The content decides when the last byte is in (PutMedia's probe);
	// a declared type that is plainly something else is refused before
	// gigabytes are sent for nothing. No type, or an opaque one, waits for
	// the content.
	if up.ContentType != "" && up.ContentType != "application/octet-stream" && !playable(up.ContentType) {
		return Upload{}, fmtErr("upload", up.RecordingID, ErrUnsupported, fmt.Sprintf("%q (%s) is not audio or video", up.Filename, up.ContentType))
	}
	up.ID = newRev() + newRev() + newRev()
	up.Account = who.Name
	up.CreatedAt = s.now().UTC()
	if err := s.putJSON(ctx, uploadInfoKey(up.ID), up, PutOptions{IfNoneMatch: true}); err != nil {
		return Upload{}, err
	}
	up.LastWrite = up.CreatedAt
	return up, nil
}

// GetUpload reads an upload and how far it has come. An upload unknown,
// finished or expired is ErrNotFound.
func (s *Service) GetUpload(ctx context.Context, id string) (Upload, error) {
	if id == "" || strings.ContainsAny(id, "/.") || len(id) > 64 {
		return Upload{}, fmtErr("upload", "", ErrNotFound, "no such upload")
	}
	var up Upload
	if err := s.getJSON(ctx, uploadInfoKey(id), &up); err != nil {
		if errors.Is(err, ErrNotFound) {
			return Upload{}, fmtErr("upload", id, ErrNotFound, "no such upload (finished, expired or never begun)")
		}
		return Upload{}, err
	}
	parts, err := s.uploadParts(ctx, id)
	if err != nil {
		return Upload{}, err
	}
	up.LastWrite = up.CreatedAt
	for _, p := range parts {
		up.Offset += p.Size
		if p.ModTime.After(up.LastWrite) {
			up.LastWrite = p.ModTime
		}
	}
	if s.now().Sub(up.LastWrite) > s.uploadExpiry {
		return Upload{}, fmtErr("upload", id, ErrNotFound, "the upload expired")
	}
	return up, nil
}

// uploadParts lists the parts that continue each other from offset 0; a
// part at any other offset (a write that lost a race) is ignored.
func (s *Service) uploadParts(ctx context.Context, id string) ([]BlobInfo, error) {
	infos, err := s.blobs.List(ctx, UploadsPrefix+id+"/part-")
	if err != nil {
		return nil, fmt.Errorf("archive: list upload %s: %w", id, err)
	}
	var parts []BlobInfo
	var next int64
	for _, in := range infos {
		o, err := strconv.ParseInt(strings.TrimPrefix(path.Base(in.Key), "part-"), 10, 64)
		if err != nil || o != next || in.Size == 0 {
			continue
		}
		parts = append(parts, in)
		next += in.Size
	}
	return parts, nil
}

// WriteUpload stores bytes from src at offset, which must be the upload's
// current offset, in parts of UploadPartSize. It returns how many bytes
// were stored whole: on a broken body the part in flight is dropped and
// the client resumes from offset+n.
func (s *Service) WriteUpload(ctx context.Context, up Upload, offset int64, src io.Reader) (int64, error) {
	if offset != up.Offset {
		return 0, fmtErr("upload", up.ID, ErrConflict, fmt.Sprintf("offset %d is not the upload's %d", offset, up.Offset))
	}
	br := bufio.NewReaderSize(src, 64<<10)
	var n int64
	for offset+n < up.Size {
		if _, err := br.Peek(1); err != nil {
			if errors.Is(err, io.EOF) {
				return n, nil
			}
			return n, err
		}
		want := min(UploadPartSize, up.Size-offset-n)
		key := uploadPartKey(up.ID, offset+n)
		info, err := s.blobs.Put(ctx, key, io.LimitReader(br, want), -1, PutOptions{IfNoneMatch: true, ContentType: "application/octet-stream"})
		if err != nil {
			if errors.Is(err, ErrPrecondition) {
				return n, fmtErr("upload", up.ID, ErrConflict, "another request is writing this upload")
			}
			return n, fmt.Errorf("archive: upload %s part at %d: %w", up.ID, offset+n, err)
		}
		n += info.Size
	}
	return n, nil
}

// FinishUpload attaches a complete upload to its recording exactly as
// PutMedia does, then removes the upload. A refused file (not audio or
// video, too large) leaves the recording as it was, and the upload is
// removed all the same: sending it again would not change the answer.
func (s *Service) FinishUpload(ctx context.Context, who Principal, up Upload) (Media, error) {
	if up.Offset != up.Size {
		return Media{}, fmtErr("upload", up.ID, ErrInvalid, fmt.Sprintf("%d of %d bytes received", up.Offset, up.Size))
	}
	parts, err := s.uploadParts(ctx, up.ID)
	if err != nil {
		return Media{}, err
	}
	body := &partsReader{ctx: ctx, blobs: s.blobs, parts: parts}
	m, err := s.PutMedia(ctx, who, up.RecordingID, MediaUpload{Name: up.Filename, ContentType: up.ContentType, Size: up.Size, Body: body})
	body.close()
	if err != nil && (errors.Is(err, ErrUnavailable) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return Media{}, err // the store or the client went away: keep the bytes, finishing can be retried
	}
	if derr := s.DeleteUpload(context.WithoutCancel(ctx), up.ID); derr != nil && err == nil {
		s.log.Warn("archive: remove finished upload", "upload", up.ID, "err", derr)
	}
	return m, err
}

// DeleteUpload removes an upload's parts and description.
func (s *Service) DeleteUpload(ctx context.Context, id string) error {
	infos, err := s.blobs.List(ctx, UploadsPrefix+id+"/")
	if err != nil {
		return fmt.Errorf("archive: list upload %s: %w", id, err)
	}
	// Parts first, the description last: a crash in between leaves an
	// upload that GetUpload still finds and expiry removes.
	for i := len(infos) - 1; i >= 0; i-- {
		if err := s.blobs.Delete(ctx, infos[i].Key); err != nil {
			return fmt.Errorf("archive: remove upload %s: %w", id, err)
		}
	}
	return nil
}

// partsReader streams the parts one after the other, one open at a time.
type partsReader struct {
	ctx   context.Context
	blobs Blobs
	parts []BlobInfo
	cur   io.ReadCloser
}

func (p *partsReader) Read(b []byte) (int, error) {
	for {
		if p.cur == nil {
			if len(p.parts) == 0 {
				return 0, io.EOF
			}
			rc, _, err := p.blobs.Get(p.ctx, p.parts[0].Key, 0, -1)
			if err != nil {
				return 0, fmt.Errorf("archive: read upload part: %w", err)
			}
			p.cur, p.parts = rc, p.parts[1:]
		}
		n, err := p.cur.Read(b)
		if errors.Is(err, io.EOF) {
			p.cur.Close()
			p.cur = nil
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
}

func (p *partsReader) close() {
	if p.cur != nil {
		p.cur.Close()
		p.cur = nil
	}
}

package check

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Upload is an unfinished resumable upload found under uploads/.
type Upload struct {
	ID        string
	Objects   int
	Bytes     int64
	LastWrite time.Time
	Expired   bool // older than the expiry: nothing can resume it any more
}

// uploads lists the unfinished uploads; with Clean it removes the
// expired ones (every object of each, description last).
func uploads(ctx context.Context, blobs archive.Blobs, opts Options, rep *Report) error {
	objs, err := blobs.List(ctx, archive.UploadsPrefix)
	if err != nil {
		return fmt.Errorf("check: list %s: %w", archive.UploadsPrefix, err)
	}
	expiry := opts.UploadExpiry
	if expiry <= 0 {
		expiry = archive.DefaultUploadExpiry
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	byID := map[string][]archive.BlobInfo{}
	var order []string
	for _, o := range objs {
		id, _, ok := strings.Cut(strings.TrimPrefix(o.Key, archive.UploadsPrefix), "/")
		if !ok {
			continue
		}
		if _, seen := byID[id]; !seen {
			order = append(order, id)
		}
		byID[id] = append(byID[id], o)
	}
	for _, id := range order {
		u := Upload{ID: id}
		for _, o := range byID[id] {
			u.Objects++
			u.Bytes += o.Size
			if o.ModTime.After(u.LastWrite) {
				u.LastWrite = o.ModTime
			}
		}
		u.Expired = now().Sub(u.LastWrite) > expiry
		rep.Uploads = append(rep.Uploads, u)
		if !opts.Clean || !u.Expired {
			continue
		}
		objs := byID[id]
		for i := len(objs) - 1; i >= 0; i-- { // info.json sorts first: remove it last
			if err := blobs.Delete(ctx, objs[i].Key); err != nil {
				return fmt.Errorf("check: remove expired upload %s: %w", id, err)
			}
			rep.Removed = append(rep.Removed, objs[i].Key)
		}
	}
	return nil
}

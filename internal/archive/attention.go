package archive

import "context"

// PendingIDs returns the recordings whose search-index update has not been
// applied yet (markers under PendingPrefix), for the editors' list of what
// needs attention.
func (s *Service) PendingIDs(ctx context.Context, who Principal) (map[string]bool, error) {
	if err := requireEditor(who, "pending index work"); err != nil {
		return nil, err
	}
	list, err := ListPending(ctx, s.blobs)
	if err != nil {
		return nil, err
	}
	ids := make(map[string]bool, len(list))
	for _, p := range list {
		ids[p.RecordingID] = true
	}
	return ids, nil
}

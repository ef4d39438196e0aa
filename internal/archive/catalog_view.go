package archive

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// CatalogChangesPrefix holds the catalog's change log: an empty marker
// object per entry write or removal, catalog/changes/<stamp>_<id>_<etag>
// (<stamp> the writer's wall clock in nanoseconds, 19 digits, so keys sort
// by time; <etag> the entry object's ETag, or "deleted"). A reader lists
// only the markers after the last ones it has seen (StartAfter), so
// catching up costs the changes, not the catalog.
const CatalogChangesPrefix = "catalog/changes/"

// CatalogSnapshotPrefix holds snapshots of the whole catalog,
// catalog/snapshots/<horizon>.json: every entry with its ETag, reflecting
// every change stamped before <horizon>. A starting process reads the
// newest in one GET and the changes after it.
const CatalogSnapshotPrefix = "catalog/snapshots/"

const (
	// changeSettle bounds how long after its stamp a change marker can
	// become visible in a listing: a writer whose marker took longer than
	// half of it to write writes another, freshly stamped. Writers' clocks
	// must agree within the other half. A reader that listed at t has
	// therefore seen every marker stamped before t - changeSettle.
	changeSettle = 10 * time.Second
	// snapshotEvery is how often a process with its background refresh
	// running writes a snapshot, when none newer exists and there were
	// changes since the newest.
	snapshotEvery = time.Minute
	// compactAge is how far before the newest snapshot's horizon change
	// markers are kept; older ones are removed, as are all but the two
	// newest snapshots.
	compactAge = 10 * time.Minute
	// reloadAfter: a view whose last successful refresh is older than this
	// (its process was cut off from the store) reloads from the newest
	// snapshot instead of trusting the change log to go back that far.
	reloadAfter = compactAge / 2
	// reconcileEvery is how often the background refresh also lists every
	// entry and reads those whose ETag it does not have: a safety net for
	// a writer whose clock is off by more than changeSettle/2. It reads no
	// manifest and, when nothing was missed, no entry.
	reconcileEvery = 10 * time.Minute
	// catchUpTimeout bounds one pass over the change log; loadTimeout a
	// load from a snapshot or from every entry.
	catchUpTimeout = 5 * time.Second
	loadTimeout    = 2 * time.Minute
	// maxSnapshot bounds a snapshot as read: 64 KiB per entry for a
	// million recordings would be more than any archive has.
	maxSnapshot = 1 << 30
)

const deletedTok = "deleted"

// changeKey is the marker of a change to id's entry at nanos.
func changeKey(nanos int64, id, etag string) string {
	tok := etag
	if tok != deletedTok && (tok == "" || len(tok) > 64 || strings.Trim(tok, "0123456789abcdefABCDEF-") != "") {
		tok = "x" // an ETag not fit for a key: always read the entry
	}
	return fmt.Sprintf("%s%019d_%s_%s", CatalogChangesPrefix, nanos, id, tok)
}

func stampKey(nanos int64) string {
	return fmt.Sprintf("%s%019d", CatalogChangesPrefix, max(nanos, 0))
}

func parseChange(key string) (nanos int64, id, tok string, ok bool) {
	rest, ok := strings.CutPrefix(key, CatalogChangesPrefix)
	if !ok {
		return 0, "", "", false
	}
	stamp, rest, ok1 := strings.Cut(rest, "_")
	i := strings.LastIndexByte(rest, '_')
	if !ok1 || i < 0 || len(stamp) != 19 {
		return 0, "", "", false
	}
	n, err := strconv.ParseInt(stamp, 10, 64)
	id, tok = rest[:i], rest[i+1:]
	if err != nil || !ValidID(id) || tok == "" {
		return 0, "", "", false
	}
	return n, id, tok, true
}

// noteChange writes the change marker of id's entry (etag "" for a
// removal), stamped again when a write took so long that a reader may
// have listed past its stamp.
func (s *Service) noteChange(ctx context.Context, id, etag string) error {
	tok := etag
	if etag == "" {
		tok = deletedTok
	}
	for range 3 {
		at := time.Now()
		key := changeKey(at.UnixNano(), id, tok)
		if _, err := s.blobs.Put(ctx, key, bytes.NewReader(nil), 0, PutOptions{}); err != nil {
			return fmt.Errorf("archive: catalog %s: write change marker: %w", id, err)
		}
		if time.Since(at) < changeSettle/2 {
			return nil
		}
	}
	return fmt.Errorf("archive: catalog %s: change markers took longer than %v to write: %w", id, changeSettle/2, ErrUnavailable)
}

// catalogView is this process's copy of the catalog: every entry, with the
// ETag of the object it was read from. It is loaded once (from the newest
// snapshot, or from every entry when there is none) and then kept up by
// reading the change log past its horizon; see the package doc.
type catalogView struct {
	fresh time.Duration

	mu      sync.Mutex
	entries map[string]viewEntry
	sorted  []viewEntry // entries newest first; nil when it must be rebuilt
	// audience[0] indexes sorted for editors, audience[1] for viewers
	// (published and visible only), rebuilt with it.
	audience [2]audienceIndex
	etags    map[string]string
	seen     map[string]int64 // change markers at or past horizon already applied → stamp
	horizon  int64            // wall clock ns: every change stamped before it is reflected
	latest   int64            // the newest change stamp applied
	okAt     time.Time        // start of the last successful refresh (zero: never loaded)
	fullAt   time.Time        // last listing of every entry
	snapAt   time.Time        // last look at the snapshots (background)
	snapHor  int64            // horizon of the newest snapshot known

	attemptMu sync.Mutex
	attempt   *catalogAttempt // the refresh in flight; nil when none

	background atomic.Int32 // Run's refresh is keeping the view fresh
}

// catalogAttempt is one refresh; at most one runs at a time per process.
type catalogAttempt struct {
	done   chan struct{}
	err    error
	cancel context.CancelFunc
}

func newCatalogView(fresh time.Duration) *catalogView {
	if fresh <= 0 {
		fresh = DefaultCatalogFresh
	}
	return &catalogView{fresh: fresh, entries: map[string]viewEntry{}, etags: map[string]string{}, seen: map[string]int64{}}
}

func (v *catalogView) remember(e catalogEntry, etag string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.rememberLocked(e, etag)
}

func (v *catalogView) rememberLocked(e catalogEntry, etag string) {
	v.entries[e.Editor.ID], v.etags[e.Editor.ID] = newViewEntry(e), etag
	v.sorted = nil
}

func (v *catalogView) forget(id string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.forgetLocked(id)
}

func (v *catalogView) forgetLocked(id string) {
	if _, ok := v.etags[id]; ok {
		delete(v.entries, id)
		delete(v.etags, id)
		v.sorted = nil
	}
}

// newestFirst is the view's entries in listing order (by the editor's
// date: dates are never redacted), built once per change. v.mu is held.
func (v *catalogView) newestFirst() []viewEntry {
	if v.sorted == nil {
		v.sorted = make([]viewEntry, 0, len(v.entries))
		for _, e := range v.entries {
			v.sorted = append(v.sorted, e)
		}
		slices.SortFunc(v.sorted, func(a, b viewEntry) int {
			return cmp.Or(cmp.Compare(b.Editor.Date, a.Editor.Date), cmp.Compare(a.Editor.ID, b.Editor.ID))
		})
		v.audience = [2]audienceIndex{{byEvent: map[string][]int32{}}, {byEvent: map[string][]int32{}}}
		for i, e := range v.sorted {
			v.audience[0].add(int32(i), e.editorSlug)
			if e.Viewer != nil && e.Viewer.Status == StatusPublished {
				v.audience[1].add(int32(i), e.viewerSlug)
			}
		}
	}
	return v.sorted
}

// audienceIndex is what one audience may list, as positions in the
// view's sorted entries (so newest first): all of it and by event slug.
// A listing filtered by nothing, or by an event slug alone, is then a
// slice of it: O(page), not a scan of the catalog.
type audienceIndex struct {
	all     []int32
	byEvent map[string][]int32
}

func (a *audienceIndex) add(i int32, slug string) {
	a.all = append(a.all, i)
	if slug != "" {
		a.byEvent[slug] = append(a.byEvent[slug], i)
	}
}

// ready makes the view fit to answer a listing. The first listing of a
// process waits for the view to load. After that, while Run's background
// refresh is going the request never waits for storage (the view is at
// most CatalogFresh plus one refresh old); without it (a command, a test)
// a view older than CatalogFresh is caught up first, which costs the
// changes since.
func (v *catalogView) ready(ctx context.Context, blobs Blobs) error {
	v.mu.Lock()
	loaded := !v.okAt.IsZero()
	stale := loaded && time.Since(v.okAt) >= v.fresh
	v.mu.Unlock()
	if loaded && (!stale || v.background.Load() > 0) {
		return nil
	}
	a := v.start(blobs)
	select {
	case <-a.done:
		return a.err
	case <-ctx.Done():
		return fmt.Errorf("archive: catalog: %w", ctx.Err())
	}
}

// start begins a refresh unless one is running, and returns it. The
// refresh runs on its own goroutine with its own deadline, so a request
// that gives up does not stop it and requests never pile up behind it.
func (v *catalogView) start(blobs Blobs) *catalogAttempt {
	v.attemptMu.Lock()
	defer v.attemptMu.Unlock()
	if v.attempt != nil {
		return v.attempt
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &catalogAttempt{done: make(chan struct{}), cancel: cancel}
	v.attempt = a
	go func() {
		defer cancel()
		a.err = v.refresh(ctx, blobs)
		v.attemptMu.Lock()
		v.attempt = nil
		v.attemptMu.Unlock()
		close(a.done)
	}()
	return a
}

// refreshNow runs a refresh (or joins the one running) and waits for it;
// when ctx ends first the refresh is cancelled and waited for, so nothing
// outlives the caller.
func (v *catalogView) refreshNow(ctx context.Context, blobs Blobs) error {
	a := v.start(blobs)
	select {
	case <-a.done:
	case <-ctx.Done():
		a.cancel()
		<-a.done
	}
	return a.err
}

// refresh loads the view when it never was (or was cut off for longer
// than reloadAfter), then applies the changes past its horizon.
func (v *catalogView) refresh(ctx context.Context, blobs Blobs) error {
	started := time.Now()
	v.mu.Lock()
	load := v.okAt.IsZero() || time.Since(v.okAt) > reloadAfter
	v.mu.Unlock()
	if load {
		lctx, cancel := context.WithTimeout(ctx, loadTimeout)
		err := v.load(lctx, blobs, started)
		cancel()
		if err != nil {
			return err
		}
	}
	cctx, cancel := context.WithTimeout(ctx, catchUpTimeout)
	defer cancel()
	if err := v.catchUp(cctx, blobs, started); err != nil {
		return err
	}
	v.mu.Lock()
	v.okAt = started
	v.mu.Unlock()
	return nil
}

// catalogSnapshot is the stored form of a whole view.
type catalogSnapshot struct {
	Horizon int64           `json:"horizon_ns"`
	Entries []snapshotEntry `json:"entries"`
}

type snapshotEntry struct {
	ETag  string       `json:"etag"`
	Entry catalogEntry `json:"entry"`
}

func snapshotKey(horizon int64) string {
	return fmt.Sprintf("%s%019d.json", CatalogSnapshotPrefix, horizon)
}

func snapshotHorizon(key string) (int64, bool) {
	rest, ok := strings.CutPrefix(key, CatalogSnapshotPrefix)
	stamp, ok2 := strings.CutSuffix(rest, ".json")
	if !ok || !ok2 || len(stamp) != 19 {
		return 0, false
	}
	n, err := strconv.ParseInt(stamp, 10, 64)
	return n, err == nil
}

// newestSnapshot lists the snapshots and returns the newest one's key
// and horizon ("" when there is none).
func newestSnapshot(ctx context.Context, blobs Blobs) (string, int64, []BlobInfo, error) {
	infos, err := blobs.List(ctx, CatalogSnapshotPrefix)
	if err != nil {
		return "", 0, nil, fmt.Errorf("archive: list catalog snapshots: %w", err)
	}
	for i := len(infos) - 1; i >= 0; i-- {
		if h, ok := snapshotHorizon(infos[i].Key); ok {
			return infos[i].Key, h, infos, nil
		}
	}
	return "", 0, infos, nil
}

// load replaces the view with the newest snapshot, or with every entry
// when there is none (or it went while being read).
func (v *catalogView) load(ctx context.Context, blobs Blobs, started time.Time) error {
	for range 2 {
		key, _, _, err := newestSnapshot(ctx, blobs)
		if err != nil {
			return err
		}
		if key == "" {
			break
		}
		snap, err := readSnapshot(ctx, blobs, key)
		if errors.Is(err, ErrNotFound) {
			continue // compacted since the listing
		}
		if err != nil {
			return err
		}
		v.mu.Lock()
		v.entries, v.etags, v.seen = make(map[string]viewEntry, len(snap.Entries)), make(map[string]string, len(snap.Entries)), map[string]int64{}
		for _, se := range snap.Entries {
			if ValidID(se.Entry.Editor.ID) {
				v.rememberLocked(se.Entry, se.ETag)
			}
		}
		v.horizon, v.snapHor, v.sorted = snap.Horizon, max(v.snapHor, snap.Horizon), nil
		v.newestFirst()
		v.mu.Unlock()
		return nil
	}
	return v.full(ctx, blobs, started)
}

func readSnapshot(ctx context.Context, blobs Blobs, key string) (catalogSnapshot, error) {
	rc, _, err := blobs.Get(ctx, key, 0, -1)
	if err != nil {
		return catalogSnapshot{}, fmt.Errorf("archive: read catalog snapshot %s: %w", key, err)
	}
	defer rc.Close()
	var snap catalogSnapshot
	dec := json.NewDecoder(io.LimitReader(rc, maxSnapshot))
	if err := dec.Decode(&snap); err != nil {
		return catalogSnapshot{}, fmt.Errorf("archive: decode catalog snapshot %s: %w", key, err)
	}
	return snap, nil
}

// full lists every entry and reads those whose ETag the view does not
// have, at most catalogReaders at a time; entries no longer listed go.
// A listing started at t reflects every change whose marker is stamped
// before t (a marker is written after its entry), so the horizon moves
// to t, less the clock allowance.
func (v *catalogView) full(ctx context.Context, blobs Blobs, started time.Time) error {
	infos, err := blobs.List(ctx, CatalogPrefix)
	if err != nil {
		return fmt.Errorf("archive: list catalog: %w", err)
	}
	listed := make(map[string]bool, len(infos))
	var todo []string
	v.mu.Lock()
	for _, in := range infos {
		id, ok := strings.CutSuffix(strings.TrimPrefix(in.Key, CatalogPrefix), ".json")
		if !ok || !ValidID(id) {
			continue
		}
		listed[id] = true
		if v.etags[id] != in.ETag {
			todo = append(todo, id)
		}
	}
	for id := range v.entries {
		if !listed[id] {
			v.forgetLocked(id)
		}
	}
	v.mu.Unlock()
	if err := v.read(ctx, blobs, todo); err != nil {
		return err
	}
	v.mu.Lock()
	v.horizon = max(v.horizon, started.Add(-changeSettle/2).UnixNano())
	v.fullAt = started
	v.newestFirst()
	v.mu.Unlock()
	return nil
}

// rebuild reads the view anew from every entry (after a reindex), not
// from a snapshot.
func (v *catalogView) rebuild(ctx context.Context, blobs Blobs) error {
	started := time.Now()
	if err := v.full(ctx, blobs, started); err != nil {
		return err
	}
	v.mu.Lock()
	v.okAt = started
	v.mu.Unlock()
	return nil
}

// catchUp lists the change markers past the horizon and reads the entries
// they name that the view does not have as they are now; a removed entry
// is forgotten. Markers already applied are skipped, so a pass costs one
// listing (of the markers of about changeSettle) plus a read per change.
func (v *catalogView) catchUp(ctx context.Context, blobs Blobs, started time.Time) error {
	v.mu.Lock()
	after := stampKey(v.horizon)
	v.mu.Unlock()
	infos, err := listAfter(ctx, blobs, CatalogChangesPrefix, after)
	if err != nil {
		return fmt.Errorf("archive: list catalog changes: %w", err)
	}
	var todo []string
	want := map[string]bool{}
	applied := map[string]int64{}
	latest := int64(0)
	v.mu.Lock()
	for _, in := range infos {
		stamp, id, tok, ok := parseChange(in.Key)
		if !ok {
			continue
		}
		if _, done := v.seen[in.Key]; done {
			continue
		}
		applied[in.Key] = stamp
		latest = max(latest, stamp)
		cur, have := v.etags[id]
		switch {
		case want[id]:
		case tok == deletedTok && !have:
		case tok != deletedTok && have && cur == tok:
		default:
			want[id] = true
			todo = append(todo, id)
		}
	}
	v.mu.Unlock()
	if err := v.read(ctx, blobs, todo); err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	for k, st := range applied {
		v.seen[k] = st
	}
	v.horizon = max(v.horizon, started.Add(-changeSettle).UnixNano())
	for k, st := range v.seen {
		if st < v.horizon {
			delete(v.seen, k)
		}
	}
	v.latest = max(v.latest, latest)
	v.newestFirst()
	return nil
}

// read reads the named entries as they are now, at most catalogReaders at
// a time, and puts them in the view (or takes out those that are gone),
// unless this process changed one meanwhile: its own write is newer.
func (v *catalogView) read(ctx context.Context, blobs Blobs, ids []string) error {
	var (
		wg    sync.WaitGroup
		errMu sync.Mutex
		first error
	)
	sem := make(chan struct{}, catalogReaders)
	for _, id := range ids {
		v.mu.Lock()
		before, had := v.etags[id]
		v.mu.Unlock()
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			e, etag, err := readEntry(ctx, blobs, catalogKey(id))
			if err != nil && !errors.Is(err, ErrNotFound) {
				errMu.Lock()
				first = cmp.Or(first, err)
				errMu.Unlock()
				return
			}
			v.mu.Lock()
			defer v.mu.Unlock()
			if now, has := v.etags[id]; has != had || now != before {
				return // written through this process meanwhile
			}
			switch {
			case errors.Is(err, ErrNotFound):
				v.forgetLocked(id)
			case e.Editor.ID == id:
				v.rememberLocked(e, etag)
			}
		}()
	}
	wg.Wait()
	return first
}

func readEntry(ctx context.Context, blobs Blobs, key string) (catalogEntry, string, error) {
	rc, info, err := blobs.Get(ctx, key, 0, -1)
	if err != nil {
		return catalogEntry{}, "", fmt.Errorf("archive: read catalog entry %s: %w", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxCatalogEntry+1))
	if err != nil {
		return catalogEntry{}, "", fmt.Errorf("archive: read catalog entry %s: %w", key, err)
	}
	if len(data) > maxCatalogEntry {
		return catalogEntry{}, "", fmt.Errorf("archive: catalog entry %s is over %d bytes", key, maxCatalogEntry)
	}
	var e catalogEntry
	if err := json.Unmarshal(data, &e); err != nil {
		return catalogEntry{}, "", fmt.Errorf("archive: decode catalog entry %s: %w", key, err)
	}
	return e, info.ETag, nil
}

// keepCatalogFresh is the background refresh Run keeps going: a refresh
// every CatalogFresh, a snapshot when one is due, a listing of every
// entry every reconcileEvery. It is one goroutine per Service (plus the
// refresh it waits for) and ends, with its refresh, when ctx does.
func (s *Service) keepCatalogFresh(ctx context.Context) {
	v := s.catalog
	v.background.Add(1)
	defer v.background.Add(-1)
	t := time.NewTicker(v.fresh)
	defer t.Stop()
	for {
		if err := v.refreshNow(ctx, s.blobs); err != nil && ctx.Err() == nil {
			s.log.Debug("archive: catalog refresh failed; listings use the last copy", "err", err)
		}
		v.mu.Lock()
		loaded := !v.okAt.IsZero()
		snapDue := loaded && time.Since(v.snapAt) >= snapshotEvery
		fullDue := loaded && time.Since(v.fullAt) >= reconcileEvery
		v.mu.Unlock()
		if snapDue {
			s.pass(ctx, func(pctx context.Context) {
				if err := s.snapshotIfDue(pctx); err != nil && ctx.Err() == nil {
					s.log.Warn("archive: catalog snapshot failed", "err", err)
				}
			})
		}
		if fullDue {
			fctx, cancel := context.WithTimeout(ctx, loadTimeout)
			if err := v.full(fctx, s.blobs, time.Now()); err != nil && ctx.Err() == nil {
				s.log.Warn("archive: catalog reconcile failed", "err", err)
			}
			cancel()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// snapshotIfDue writes a snapshot unless a recent one exists or nothing
// changed since the newest.
func (s *Service) snapshotIfDue(ctx context.Context) error {
	v := s.catalog
	v.mu.Lock()
	v.snapAt = time.Now()
	v.mu.Unlock()
	key, h, _, err := newestSnapshot(ctx, s.blobs)
	if err != nil {
		return err
	}
	v.mu.Lock()
	v.snapHor = max(v.snapHor, h)
	changed := key == "" || v.latest >= h
	v.mu.Unlock()
	if !changed || time.Since(time.Unix(0, h)) < snapshotEvery/2 {
		return nil
	}
	return s.CompactCatalog(ctx)
}

// CompactCatalog brings this process's view up to date, writes it as a
// snapshot (catalog/snapshots/<horizon>.json) and removes what the newest
// snapshot makes unneeded: all but the two newest snapshots, and change
// markers stamped more than compactAge before its horizon. Run does it
// every snapshotEvery when there were changes; reindex does it once.
func (s *Service) CompactCatalog(ctx context.Context) error {
	v := s.catalog
	if err := v.refreshNow(ctx, s.blobs); err != nil {
		return err
	}
	v.mu.Lock()
	snap := catalogSnapshot{Horizon: v.horizon, Entries: make([]snapshotEntry, 0, len(v.entries))}
	for _, e := range v.newestFirst() {
		snap.Entries = append(snap.Entries, snapshotEntry{ETag: v.etags[e.Editor.ID], Entry: e.catalogEntry})
	}
	v.mu.Unlock()
	data, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("archive: encode catalog snapshot: %w", err)
	}
	if _, err := s.blobs.Put(ctx, snapshotKey(snap.Horizon), bytes.NewReader(data), int64(len(data)), PutOptions{ContentType: "application/json"}); err != nil {
		return fmt.Errorf("archive: write catalog snapshot: %w", err)
	}
	_, newest, infos, err := newestSnapshot(ctx, s.blobs)
	if err != nil {
		return err
	}
	v.mu.Lock()
	v.snapHor = max(v.snapHor, newest)
	v.mu.Unlock()
	var snaps []string
	for _, in := range infos {
		if _, ok := snapshotHorizon(in.Key); ok {
			snaps = append(snaps, in.Key)
		}
	}
	for _, k := range snaps[:max(len(snaps)-2, 0)] {
		if err := s.blobs.Delete(ctx, k); err != nil {
			return fmt.Errorf("archive: remove old catalog snapshot: %w", err)
		}
	}
	changes, err := s.blobs.List(ctx, CatalogChangesPrefix)
	if err != nil {
		return fmt.Errorf("archive: list catalog changes: %w", err)
	}
	cut := newest - int64(compactAge)
	for _, in := range changes {
		if stamp, _, _, ok := parseChange(in.Key); ok && stamp >= cut {
			break // sorted by stamp
		}
		if err := s.blobs.Delete(ctx, in.Key); err != nil {
			return fmt.Errorf("archive: remove old catalog change: %w", err)
		}
	}
	return nil
}

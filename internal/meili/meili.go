// Package meili is the archive.Index on Meilisearch, for deployments where
// several app servers share one search service.
//
// Documents mirror internal/bleveindex: one per cue, with a window field
// (the cue and the next one) in the cue's language group, so that a phrase
// spoken across a cue boundary is found. Meilisearch cannot express "the
// window matches but not the next cue alone", so a search scans the ranked
// candidates with their match positions and drops the cues whose matches
// all lie in the next cue: those are the next cue's hits.
//
// # Totals, facets and pages: exact within a bound, honest beyond it
//
// One search asks Meilisearch for the first Config.MaxHits candidates
// (page 1, hitsPerPage MaxHits) and their match positions, and for the
// exact number of candidates (totalHits, exhaustive in page mode up to
// the index's pagination.maxTotalHits, set to Config.MaxTotalHits). When
// every candidate fits in the scan, the deduplicated hits are all there:
// total, facets and every page are exact, as bleve's. When more candidates
// exist, no engine-side query can tell how many of the rest are next-cue
// duplicates, so the result says so: Total is the number of hits found in
// the scan, TotalIsLowerBound is set (viewers see "more than Total"),
// facets count the hits found, and pages end where the scan ended.
// Exact counting beyond the bound would need the index to hold no
// overlapping windows, which is what makes cross-cue phrases findable.
// The cost of one search is therefore at most MaxHits candidates with
// match positions; MaxHits is the knob (VERBATIM_MEILI_MAX_HITS).
//
// # Near spellings
//
// Meilisearch ranks typo matches after exact ones itself (the "typo"
// ranking rule) and always searches them; NearSkipped is never set. Which
// hit matched by a near spelling, and of which query word, is read from
// the match positions the request already asks for (see spelling.go): no
// request field changes for it.
//
// # Writes
//
// Every document carries the manifest version it was built from, and its
// id names that version (recording, version, position), so two processes
// writing different versions of a recording never overwrite each other's
// documents. Put adds its version's documents, waits, reads the newest
// version of the recording the index holds, and deletes every older one
// (and, for its own version, positions past its last): whichever writer
// finishes last, the newest version is what stays. Searches meanwhile may
// see two versions for a moment; the scan keeps only the newest version
// of each recording it meets. Documents written before versions existed
// (no version field) count as older than any and go with the next Put of
// their recording; `verbatim reindex` replaces them all at once. Until the
// settings that make version filterable are applied, Put fails as
// unavailable and the archive retries it. The primary key "id" is set at index
// creation and named on every document addition, so Meilisearch never
// guesses it.
//
// # Settings and start-up
//
// Open reads the index and its settings and changes only what differs: a
// restart with the same settings queues nothing, and a settings task
// already waiting in Meilisearch's queue is adopted, not repeated. Open
// does not wait for the tasks it queues; Ping (readiness) reports the
// index unavailable, naming the task, until they have succeeded, so a busy
// Meilisearch delays readiness instead of failing start-up.
//
// # Reindex
//
// Rebuild fills a fresh index (large batches, awaited once at the end),
// swaps it with the live one (swap-indexes, atomic for searches) and
// deletes the old documents' index.
//
// What has run against a real Meilisearch: nothing yet (none can run on
// the development or CI machines). Every request the adapter sends is
// pinned by unit tests on a fake server and validated against Meilisearch's
// published OpenAPI description (v1.53.0); the fake's search answers carry
// match spans as Meilisearch reports them. The shared suite
// (internal/indextest) runs against a real server whenever
// VERBATIM_TEST_MEILI_URL is set.
package meili

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/meilisearch/meilisearch-go"
	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Config says where the index lives.
type Config struct {
	URL    string // e.g. http://127.0.0.1:7700
	APIKey string // may be empty
	Index  string // index uid, e.g. "verbatim"

	// MaxHits bounds the candidates one search scans and deduplicates;
	// 0 means 1000. Past it totals are lower bounds (see the package doc).
	MaxHits int
	// MaxTotalHits is the index's pagination.maxTotalHits: how far
	// Meilisearch counts candidates; 0 means 100000.
	MaxTotalHits int
	// TaskTimeout bounds the wait for one task; 0 means 30s.
	TaskTimeout time.Duration
	// PollInterval is the wait between task polls; 0 means 50ms.
	PollInterval time.Duration
	// Log gets start-up warnings (a master key); nil discards them.
	Log *slog.Logger
}

// Index is an archive.Index on Meilisearch. It is safe for concurrent use.
type Index struct {
	cfg    Config
	client meilisearch.ServiceManager
	index  meilisearch.IndexManager

	// writeMu serialises Put and Delete of this process; other processes
	// are kept right by the versions (see the package doc).
	writeMu sync.Mutex

	// pending are the tasks Open queued and did not wait for.
	pendingMu sync.Mutex
	pending   []pendingTask

	// bulk is set on an index that Rebuild fills: Put only queues.
	bulk *bulkLoad
	// freshUID names Rebuild's fresh index; nil: the index uid, "_rebuild_"
	// and the time. Tests set it.
	freshUID func() string
}

type pendingTask struct {
	what string
	uid  int64
}

var _ archive.Index = (*Index)(nil)

func (c *Config) defaults() {
	if c.MaxHits <= 0 {
		c.MaxHits = 1000
	}
	if c.MaxTotalHits <= 0 {
		c.MaxTotalHits = 100000
	}
	if c.MaxTotalHits < c.MaxHits {
		c.MaxTotalHits = c.MaxHits
	}
	if c.TaskTimeout <= 0 {
		c.TaskTimeout = 30 * time.Second
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 50 * time.Millisecond
	}
	if c.Log == nil {
		c.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
}

// Open connects to Meilisearch, creates the index when missing and brings
// its settings up to date, without waiting for Meilisearch to apply them
// (see the package doc). Every replica may call Open at start.
func Open(ctx context.Context, cfg Config) (*Index, error) {
	if cfg.URL == "" || cfg.Index == "" {
		return nil, fmt.Errorf("meili: open: URL and index are required: %w", archive.ErrInvalid)
	}
	cfg.defaults()
	x := newIndex(cfg, cfg.Index)
	x.warnMasterKey(ctx)
	if err := x.ensure(ctx); err != nil {
		x.client.Close()
		return nil, err
	}
	return x, nil
}

func newIndex(cfg Config, uid string) *Index {
	var opts []meilisearch.Option
	if cfg.APIKey != "" {
		opts = append(opts, meilisearch.WithAPIKey(cfg.APIKey))
	}
	client := meilisearch.New(cfg.URL, opts...)
	cfg.Index = uid
	return &Index{cfg: cfg, client: client, index: client.Index(uid)}
}

// Close releases the client's connections.
func (x *Index) Close() error {
	x.client.Close()
	return nil
}

// Ping asks Meilisearch's /health, then whether the tasks Open queued
// (index creation, settings) have been applied: until they have, the index
// is not ready.
// https://www.meilisearch.com/docs/reference/api/health
func (x *Index) Ping(ctx context.Context) error {
	h, err := x.client.Health(ctx)
	if err != nil {
		return fmt.Errorf("meili: health: %v: %w", err, archive.ErrUnavailable)
	}
	if h.Status != "available" {
		return fmt.Errorf("meili: health: status %q: %w", h.Status, archive.ErrUnavailable)
	}
	return x.checkPending(ctx)
}

// checkPending polls each pending task once; finished ones are dropped,
// the first unfinished or failed one is the error.
func (x *Index) checkPending(ctx context.Context) error {
	x.pendingMu.Lock()
	defer x.pendingMu.Unlock()
	for len(x.pending) > 0 {
		p := x.pending[0]
		task, err := x.client.GetTask(ctx, p.uid)
		if err != nil {
			return unavailable(fmt.Sprintf("%s: task %d", p.what, p.uid), err)
		}
		switch task.Status {
		case meilisearch.TaskStatusSucceeded:
			x.pending = x.pending[1:]
		case meilisearch.TaskStatusEnqueued, meilisearch.TaskStatusProcessing:
			return fmt.Errorf("meili: %s: task %d is %s (Meilisearch is busy; search waits for it): %w",
				p.what, p.uid, task.Status, archive.ErrUnavailable)
		default:
			return &taskError{what: p.what, uid: p.uid, status: task.Status, code: task.Error.Code, msg: task.Error.Message}
		}
	}
	return nil
}

func (x *Index) addPending(what string, info *meilisearch.TaskInfo) {
	x.pendingMu.Lock()
	x.pending = append(x.pending, pendingTask{what: what, uid: info.TaskUID})
	x.pendingMu.Unlock()
}

// taskError is a task that Meilisearch reports failed or canceled.
type taskError struct {
	what   string
	uid    int64
	status meilisearch.TaskStatus
	code   meilisearch.APIErrCode
	msg    string
}

func (e *taskError) Error() string {
	return fmt.Sprintf("meili: %s: task %d %s: %s (%s)", e.what, e.uid, e.status, e.msg, e.code)
}

// Unwrap makes a failed task an unavailable index: the request was valid,
// so the failure is Meilisearch's (disk full, index deleted, …).
func (e *taskError) Unwrap() error { return archive.ErrUnavailable }

// wait polls the task until it ends, and fails unless it succeeded: a
// failed task comes back from the SDK with a nil error.
// https://www.meilisearch.com/docs/reference/api/tasks#get-one-task
func (x *Index) wait(ctx context.Context, what string, info *meilisearch.TaskInfo) error {
	return x.waitFor(ctx, what, info, x.cfg.TaskTimeout)
}

func (x *Index) waitFor(ctx context.Context, what string, info *meilisearch.TaskInfo, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	task, err := x.client.WaitForTask(ctx, info.TaskUID, x.cfg.PollInterval)
	if err != nil {
		return unavailable(fmt.Sprintf("%s: wait for task %d", what, info.TaskUID), err)
	}
	if task.Status != meilisearch.TaskStatusSucceeded {
		return &taskError{what: what, uid: info.TaskUID, status: task.Status, code: task.Error.Code, msg: task.Error.Message}
	}
	return nil
}

func unavailable(what string, err error) error {
	return fmt.Errorf("meili: %s: %v: %w", what, err, archive.ErrUnavailable)
}

// apiCode is the Meilisearch error code of a failed request, "" if none.
func apiCode(err error) string {
	var me *meilisearch.Error
	if errors.As(err, &me) {
		return string(me.APIError.Code)
	}
	return ""
}

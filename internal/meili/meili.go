// Package meili is the archive.Index on Meilisearch, for deployments where
// several app servers share one search service.
//
// Documents mirror internal/bleveindex: one per cue, with a window field
// (the cue and the next one) in the cue's language group, so that a phrase
// spoken across a cue boundary is found. Meilisearch cannot express "the
// window matches but not the next cue alone", so Search fetches the ranked
// candidates (at most Config.MaxHits) with their match positions and drops
// the cues whose matches all lie in the next cue: those are the next cue's
// hits. Totals, facets and pages are counted from the deduplicated list,
// which makes them exact up to MaxHits.
//
// What has run against a real Meilisearch: nothing yet. The development
// machine had none, so the adapter is checked by unit tests that pin every
// request it sends (settings, documents, deletions, searches, task polls)
// against Meilisearch's API reference, on a fake server that answers as
// the reference documents. The shared suite (internal/indextest) runs
// against a real server whenever VERBATIM_TEST_MEILI_URL is set; until it
// has, typo counting, the _matchesPosition offsets and localizedAttributes
// behaviour are the documented ones, not observed ones.
package meili

import (
	"context"
	"errors"
	"fmt"
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

	// MaxHits bounds the candidates one search ranks and deduplicates
	// (Meilisearch's pagination.maxTotalHits); 0 means 1000.
	MaxHits int
	// TaskTimeout bounds the wait for one task; 0 means 30s.
	TaskTimeout time.Duration
	// PollInterval is the wait between task polls; 0 means 50ms.
	PollInterval time.Duration
}

// Index is an archive.Index on Meilisearch. It is safe for concurrent use.
type Index struct {
	cfg    Config
	client meilisearch.ServiceManager
	index  meilisearch.IndexManager

	// writeMu serialises Put and Delete of this process: a Put is two
	// tasks (add, then delete the leftovers) that must not interleave
	// with another Put's.
	writeMu sync.Mutex
}

var _ archive.Index = (*Index)(nil)

// Open connects to Meilisearch, creates the index when missing and applies
// the settings. Applying the same settings again changes nothing, so every
// replica may call Open at start.
func Open(ctx context.Context, cfg Config) (*Index, error) {
	if cfg.URL == "" || cfg.Index == "" {
		return nil, fmt.Errorf("meili: open: URL and index are required: %w", archive.ErrInvalid)
	}
	if cfg.MaxHits <= 0 {
		cfg.MaxHits = 1000
	}
	if cfg.TaskTimeout <= 0 {
		cfg.TaskTimeout = 30 * time.Second
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 50 * time.Millisecond
	}
	var opts []meilisearch.Option
	if cfg.APIKey != "" {
		opts = append(opts, meilisearch.WithAPIKey(cfg.APIKey))
	}
	client := meilisearch.New(cfg.URL, opts...)
	x := &Index{cfg: cfg, client: client, index: client.Index(cfg.Index)}
	if err := x.createIndex(ctx); err != nil {
		client.Close()
		return nil, err
	}
	if err := x.applySettings(ctx); err != nil {
		client.Close()
		return nil, err
	}
	return x, nil
}

// Close releases the client's connections.
func (x *Index) Close() error {
	x.client.Close()
	return nil
}

// Ping asks Meilisearch's /health.
// https://www.meilisearch.com/docs/reference/api/health
func (x *Index) Ping(ctx context.Context) error {
	h, err := x.client.Health(ctx)
	if err != nil {
		return fmt.Errorf("meili: health: %v: %w", err, archive.ErrUnavailable)
	}
	if h.Status != "available" {
		return fmt.Errorf("meili: health: status %q: %w", h.Status, archive.ErrUnavailable)
	}
	return nil
}

// createIndex creates the index with primary key "id"; an existing index
// is fine.
// https://www.meilisearch.com/docs/reference/api/indexes#create-an-index
func (x *Index) createIndex(ctx context.Context) error {
	info, err := x.client.CreateIndex(ctx, &meilisearch.IndexConfig{Uid: x.cfg.Index, PrimaryKey: "id"})
	if err != nil {
		return unavailable("create index", err)
	}
	err = x.wait(ctx, "create index", info)
	var te *taskError
	if errors.As(err, &te) && te.code == meilisearch.APIErrCode("index_already_exists") {
		return nil
	}
	return err
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
	ctx, cancel := context.WithTimeout(ctx, x.cfg.TaskTimeout)
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

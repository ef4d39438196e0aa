package meili

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/meilisearch/meilisearch-go"
	"github.com/verbatim-archive/verbatim/internal/archive"
)

// bulkBatch is the number of documents per add request while Rebuild
// fills a fresh index: large, since nobody waits for one recording.
const bulkBatch = 20000

// bulkLoad collects the documents Rebuild's Puts send to the fresh index
// and queues them in large batches without waiting; finish waits once.
type bulkLoad struct {
	batch []map[string]any
	tasks []*meilisearch.TaskInfo
	docs  int
}

func (b *bulkLoad) add(ctx context.Context, x *Index, docs []archive.CueDoc) error {
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	for i, d := range docs {
		b.batch = append(b.batch, newDocument(d, i))
		if len(b.batch) == bulkBatch {
			if err := b.flush(ctx, x); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *bulkLoad) flush(ctx context.Context, x *Index) error {
	if len(b.batch) == 0 {
		return nil
	}
	info, err := x.index.AddDocuments(ctx, b.batch, x.addOptions())
	if err != nil {
		return unavailable("rebuild: add documents", err)
	}
	b.tasks = append(b.tasks, info)
	b.docs += len(b.batch)
	b.batch = nil
	return nil
}

// RebuildProgress is what Rebuild reports while Meilisearch indexes the
// fresh index: documents sent, and how many of the queued add tasks have
// finished.
type RebuildProgress struct {
	Documents   int
	TasksDone   int
	TasksQueued int
}

// Rebuild fills a fresh index with build (which Puts every recording into
// it) and then makes it the live one: the documents go in large batches,
// queued without waiting and awaited once at the end; then swap-indexes
// exchanges the fresh index with the live one (atomic for searches) and
// the old documents, now under the fresh uid, are deleted with their
// index. If build or indexing fails, the fresh index is deleted and the
// live one is untouched.
//
// Writes made by a running server during the rebuild go to the live index
// only: a recording changed after build read it is back at the state
// build read until its next write, as with bleveindex.Rebuild's one race.
// Run reindex while nothing is being written, or write again after.
//
// progress, if not nil, is called while the fresh index is being indexed.
// https://www.meilisearch.com/docs/reference/api/indexes#swap-indexes
func (x *Index) Rebuild(ctx context.Context, build func(ctx context.Context, fresh *Index) error, progress func(RebuildProgress)) (err error) {
	uid := x.cfg.Index + "_rebuild_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if x.freshUID != nil {
		uid = x.freshUID()
	}
	fresh := newIndex(x.cfg, uid)
	defer fresh.Close()
	fresh.bulk = &bulkLoad{}
	defer func() {
		if err != nil {
			if info, derr := x.client.DeleteIndex(context.WithoutCancel(ctx), uid); derr == nil {
				x.wait(context.WithoutCancel(ctx), "rebuild: drop fresh index", info)
			}
			err = fmt.Errorf("meili: rebuild: %w", err)
		}
	}()
	// The live index must exist for the swap; it does after Open, but
	// its creation may still be queued.
	create, err := x.client.CreateIndex(ctx, &meilisearch.IndexConfig{Uid: uid, PrimaryKey: primaryKey})
	if err != nil {
		return unavailable("create fresh index", err)
	}
	settings, err := fresh.index.UpdateSettings(ctx, fresh.settings())
	if err != nil {
		return unavailable("fresh index settings", err)
	}
	fresh.bulk.tasks = append(fresh.bulk.tasks, create, settings)
	if err := build(ctx, fresh); err != nil {
		return err
	}
	if err := fresh.bulk.flush(ctx, fresh); err != nil {
		return err
	}
	if err := fresh.awaitBulk(ctx, progress); err != nil {
		return err
	}
	swap, err := x.client.SwapIndexes(ctx, []*meilisearch.SwapIndexesParams{{Indexes: []string{x.cfg.Index, uid}}})
	if err != nil {
		return unavailable("swap indexes", err)
	}
	if err := x.waitFor(ctx, "swap indexes", swap, 10*x.cfg.TaskTimeout); err != nil {
		return err
	}
	// From here the live uid holds the new documents: a failure to drop
	// the old ones is reported but is not a failed rebuild.
	drop, derr := x.client.DeleteIndex(ctx, uid)
	if derr == nil {
		derr = x.wait(ctx, "delete the old index", drop)
	}
	if derr != nil {
		x.cfg.Log.Warn("meili: rebuild done, but the old documents are left in an index; delete it by hand", "index", uid, "err", derr)
	}
	return nil
}

// awaitBulk waits for the queued tasks of a bulk load, polling the last
// one (Meilisearch runs an index's tasks in order), and then checks that
// none of them failed. No timeout: a big reindex takes what it takes,
// and ctx ends it.
func (x *Index) awaitBulk(ctx context.Context, progress func(RebuildProgress)) error {
	tasks := x.bulk.tasks
	last := tasks[len(tasks)-1]
	t := time.NewTicker(max(x.cfg.PollInterval, 10*time.Millisecond))
	defer t.Stop()
	for {
		task, err := x.client.GetTask(ctx, last.TaskUID)
		if err != nil {
			return unavailable("rebuild: wait for indexing", err)
		}
		done := task.Status != meilisearch.TaskStatusEnqueued && task.Status != meilisearch.TaskStatusProcessing
		if progress != nil {
			n := len(tasks)
			if !done {
				n = x.doneTasks(ctx, tasks)
			}
			progress(RebuildProgress{Documents: x.bulk.docs, TasksDone: n, TasksQueued: len(tasks)})
		}
		if done {
			break
		}
		select {
		case <-ctx.Done():
			return unavailable("rebuild: wait for indexing", ctx.Err())
		case <-t.C:
		}
	}
	uids := make([]int64, len(tasks))
	for i, ti := range tasks {
		uids[i] = ti.TaskUID
	}
	failed, err := x.client.GetTasks(ctx, &meilisearch.TasksQuery{
		UIDS: uids, Statuses: []meilisearch.TaskStatus{meilisearch.TaskStatusFailed, meilisearch.TaskStatusCanceled}, Limit: 1,
	})
	if err != nil {
		return unavailable("rebuild: check tasks", err)
	}
	if len(failed.Results) > 0 {
		f := failed.Results[0]
		return &taskError{what: "rebuild", uid: f.UID, status: f.Status, code: f.Error.Code, msg: f.Error.Message}
	}
	return nil
}

// doneTasks counts the finished tasks of the load, for progress; 0 when
// Meilisearch cannot say.
func (x *Index) doneTasks(ctx context.Context, tasks []*meilisearch.TaskInfo) int {
	uids := make([]int64, len(tasks))
	for i, ti := range tasks {
		uids[i] = ti.TaskUID
	}
	res, err := x.client.GetTasks(ctx, &meilisearch.TasksQuery{
		UIDS:     uids,
		Statuses: []meilisearch.TaskStatus{meilisearch.TaskStatusSucceeded, meilisearch.TaskStatusFailed, meilisearch.TaskStatusCanceled},
		Limit:    1,
	})
	if err != nil {
		return 0
	}
	return int(res.Total)
}

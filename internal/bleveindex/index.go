// Package bleveindex is the embedded archive.Index, on bleve.
//
// Every cue is one document with stored display fields, keyword fields for
// filters, one doc-values field for the facets, and one analysed field in
// its language's analyzer group (see mapping.go) holding the cue followed
// by the next cue, so that a phrase spoken across a cue boundary is found.
// A hit whose matches all lie in the next cue is dropped during the search
// (so totals stay exact): the next cue reports it itself.
//
// The window is analysed as the cue and the next cue apart (window.go),
// to the same tokens as the whole.
//
// The index is derived data: Rebuild refills it from storage into a fresh
// generation and switches atomically (see disk.go). That generation is
// filled in bulk: recordings share batches, which do not wait for a sync.
package bleveindex

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Index is an archive.Index on bleve. It is safe for concurrent use.
type Index struct {
	dir string // "" for an in-memory index

	// mu guards idx and fresh: Rebuild swaps idx under the write lock,
	// everything else holds the read lock while it uses it.
	mu    sync.RWMutex
	idx   bleve.Index
	gen   int
	fresh *Index // the index Rebuild is filling, which writes mirror to

	automata *automata // builders for fuzzy matching, shared

	// writeMu serialises Put and Delete, which read then replace a
	// recording's documents, and guards carry and carried.
	writeMu sync.Mutex

	// A bulk index (the generation Rebuild fills, searched only after
	// the switch) carries a batch that is not full over to the next Put,
	// so that recordings share batches: fewer, larger segments to merge.
	// carried names the recordings with documents in carry.
	bulk    bool
	carry   *bleve.Batch
	carried map[string]bool
}

var _ archive.Index = (*Index)(nil)

// OpenMem returns an empty in-memory index, for tests and demos.
func OpenMem() (*Index, error) {
	idx, err := newMem()
	if err != nil {
		return nil, err
	}
	am, err := newAutomata()
	if err != nil {
		idx.Close()
		return nil, err
	}
	return &Index{idx: idx, automata: am}, nil
}

func newMem() (bleve.Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("bleveindex: mapping: %w", err)
	}
	idx, err := bleve.NewMemOnly(m)
	if err != nil {
		return nil, fmt.Errorf("bleveindex: open in memory: %w", err)
	}
	return idx, nil
}

// Close closes the index. Close it once, after every other call returned.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := x.idx.Close(); err != nil {
		return fmt.Errorf("bleveindex: close: %w", err)
	}
	return nil
}

// Ping reports nil: an open embedded index is always reachable.
func (x *Index) Ping(ctx context.Context) error { return ctx.Err() }

// Put replaces every document of the recording with docs, in batches of
// at most batchDocs documents (see replace).
func (x *Index) Put(ctx context.Context, recordingID string, docs []archive.CueDoc) error {
	for i, d := range docs {
		if d.RecordingID != recordingID {
			return fmt.Errorf("bleveindex: put %q: document %d belongs to %q: %w", recordingID, i, d.RecordingID, archive.ErrInvalid)
		}
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.fresh != nil {
		if err := x.fresh.Put(ctx, recordingID, docs); err != nil {
			return err
		}
	}
	return x.replace(ctx, recordingID, docs)
}

// Delete removes every document of the recording.
func (x *Index) Delete(ctx context.Context, recordingID string) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.fresh != nil {
		if err := x.fresh.Delete(ctx, recordingID); err != nil {
			return err
		}
	}
	return x.replace(ctx, recordingID, nil)
}

// batchDocs bounds one bleve batch: a batch holds every document it
// indexes, analysed, until it is applied, so a long recording (four tracks
// at the 20,000-cue budget) is written a slice at a time rather than
// costing its whole analysed size at once.
var batchDocs = 1000

// replace swaps the recording's documents for docs. The caller holds mu.
// A recording of at most batchDocs documents changes in one batch, so
// searches see either its old documents or the new ones; a longer one in
// several, each document replaced in place (ids are stable for an
// unchanged cue) and the old ones left over removed last.
func (x *Index) replace(ctx context.Context, recordingID string, docs []archive.CueDoc) error {
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	if x.carried[recordingID] {
		// docIDs must see what the carried batch holds of the recording.
		if err := x.flushCarry(); err != nil {
			return fmt.Errorf("bleveindex: put %q: %w", recordingID, err)
		}
	}
	old, err := x.docIDs(ctx, recordingID)
	if err != nil {
		return err
	}
	b := x.idx.NewBatch()
	if x.carry != nil {
		b, x.carry = x.carry, nil
	}
	flush := func(force bool) error {
		if b.Size() == 0 || (!force && b.Size() < batchDocs) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("bleveindex: put %q: %w", recordingID, err)
		}
		if err := x.idx.Batch(b); err != nil {
			return fmt.Errorf("bleveindex: put %q: %w", recordingID, err)
		}
		b = x.idx.NewBatch()
		x.carried = map[string]bool{}
		return nil
	}
	if len(docs)+len(old) <= batchDocs && !x.bulk {
		flush = func(force bool) error {
			if !force || b.Size() == 0 {
				return nil
			}
			if err := x.idx.Batch(b); err != nil {
				return fmt.Errorf("bleveindex: put %q: %w", recordingID, err)
			}
			return nil
		}
	}
	for i, d := range docs {
		id := docID(d, i)
		delete(old, id)
		if err := b.Index(id, document(d)); err != nil {
			return fmt.Errorf("bleveindex: put %q: %w", recordingID, err)
		}
		if err := flush(false); err != nil {
			return err
		}
	}
	for id := range old {
		b.Delete(id)
		if err := flush(false); err != nil {
			return err
		}
	}
	if x.bulk && b.Size() > 0 {
		x.carry = b
		x.carried[recordingID] = true
		return nil
	}
	return flush(true)
}

// flushCarry applies the carried batch. The caller holds writeMu.
func (x *Index) flushCarry() error {
	b := x.carry
	x.carry, x.carried = nil, map[string]bool{}
	if b == nil || b.Size() == 0 {
		return nil
	}
	return x.idx.Batch(b)
}

// docID starts with the tie-break key, so that ordering ids orders equal
// scores: newer recordings first, then earlier moments. The recording and
// the position in the Put make it unique.
func docID(d archive.CueDoc, i int) string {
	return fmt.Sprintf("%016x/%s/%d", order(d.Date, d.StartMS), d.RecordingID, i)
}

// boundary is the byte offset where the next cue's text starts in a
// window. Spaces pad the cue's text up to it: they make no tokens, so a
// phrase still runs on across the boundary, while a match's offset alone
// says whether it starts in the cue itself. A cue of boundary bytes or
// more (far beyond any subtitle) is indexed without its next cue.
const boundary = 512

func window(text, next string) string {
	if next == "" || len(text) >= boundary {
		return text
	}
	return text + strings.Repeat(" ", boundary-len(text)) + next
}

// order is the tie-break key: newer recordings first, then earlier
// moments (up to 115 days long).
func order(date string, startMS int64) uint64 {
	days := int64(0)
	if t, err := time.Parse(time.DateOnly, date); err == nil {
		days = t.Unix() / 86400
	}
	return uint64((200000-min(max(days, 0), 200000))*1e10 + min(max(startMS, 0), 1e10-1))
}

// docIDs lists the ids of the recording's documents.
func (x *Index) docIDs(ctx context.Context, recordingID string) (map[string]bool, error) {
	tq := query.NewTermQuery(recordingID)
	tq.SetField(fRecording)
	ids := map[string]bool{}
	const page = 10000
	for from := 0; ; from += page {
		req := bleve.NewSearchRequestOptions(tq, page, from, false)
		req.SortBy([]string{"_id"})
		res, err := x.idx.SearchInContext(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("bleveindex: list %q: %w", recordingID, err)
		}
		for _, h := range res.Hits {
			ids[h.ID] = true
		}
		if len(res.Hits) < page {
			return ids, nil
		}
	}
}

// document is what bleve indexes for one cue.
func document(d archive.CueDoc) map[string]interface{} {
	return map[string]interface{}{
		fRecording:              d.RecordingID,
		fTitle:                  d.Title,
		fEvent:                  d.Event,
		fDate:                   d.Date,
		fLang:                   d.Lang,
		fKind:                   string(d.Kind),
		fStart:                  float64(d.StartMS),
		fEnd:                    float64(d.EndMS),
		fSpeaker:                d.Speaker,
		fText:                   d.Text,
		fMeta:                   d.Lang + metaSep + d.Speaker,
		winField(group(d.Lang)): window(d.Text, d.Next),
	}
}

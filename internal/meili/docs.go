package meili

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/meilisearch/meilisearch-go"
	"github.com/verbatim-archive/verbatim/internal/archive"
)

// batchSize is the number of documents per add request.
const batchSize = 1000

// docID joins recording id and position with "_", which a recording slug
// never contains, within Meilisearch's id alphabet [a-zA-Z0-9_-].
func docID(recordingID string, pos int) string {
	return recordingID + "_" + strconv.Itoa(pos)
}

// newDocument is one cue as Meilisearch stores it: display and filter
// fields, and the window (the cue, then the next one) in the field of the
// cue's language group. pos is the position in the Put, for removing
// leftovers; date_num is the date as a number, which filters compare.
func newDocument(d archive.CueDoc, pos int) map[string]any {
	win := d.Text
	if d.Next != "" {
		win += " " + d.Next
	}
	return map[string]any{
		"id": docID(d.RecordingID, pos), "recording_id": d.RecordingID, "pos": pos,
		"title": d.Title, "event": d.Event, "date": d.Date, "date_num": dateNum(d.Date),
		"lang": d.Lang, "kind": string(d.Kind), "source": string(d.Source), "seq": d.Seq,
		"start_ms": d.StartMS, "end_ms": d.EndMS, "speaker": d.Speaker, "text": d.Text,
		winField(group(d.Lang)): win,
	}
}

// dateNum turns YYYY-MM-DD into YYYYMMDD, 0 when it is not a date.
func dateNum(date string) int {
	n, err := strconv.Atoi(strings.ReplaceAll(date, "-", ""))
	if err != nil || len(date) != len("2006-01-02") {
		return 0
	}
	return n
}

// Put adds the recording's documents, then deletes the ones left from an
// earlier, longer Put: searches never see the recording vanish in between.
// https://www.meilisearch.com/docs/reference/api/documents#add-or-replace-documents
// https://www.meilisearch.com/docs/reference/api/documents#delete-documents-by-filter
func (x *Index) Put(ctx context.Context, recordingID string, docs []archive.CueDoc) error {
	batch := make([]map[string]any, 0, min(len(docs), batchSize))
	for i, d := range docs {
		if d.RecordingID != recordingID {
			return fmt.Errorf("meili: put %q: document %d belongs to %q: %w", recordingID, i, d.RecordingID, archive.ErrInvalid)
		}
	}
	what := fmt.Sprintf("put %q", recordingID)
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	// Enqueue every batch first: Meilisearch processes them in order and
	// may merge them into one indexing run.
	var infos []*meilisearch.TaskInfo
	for i, d := range docs {
		batch = append(batch, newDocument(d, i))
		if len(batch) == batchSize || i == len(docs)-1 {
			info, err := x.index.AddDocuments(ctx, batch, nil)
			if err != nil {
				return unavailable(what, err)
			}
			infos = append(infos, info)
			batch = make([]map[string]any, 0, batchSize)
		}
	}
	for _, info := range infos {
		if err := x.wait(ctx, what, info); err != nil {
			return err
		}
	}
	return x.deleteFrom(ctx, recordingID, len(docs))
}

// Delete removes every document of the recording.
func (x *Index) Delete(ctx context.Context, recordingID string) error {
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	return x.deleteFrom(ctx, recordingID, 0)
}

// deleteFrom deletes the recording's documents at positions from and after.
func (x *Index) deleteFrom(ctx context.Context, recordingID string, from int) error {
	filter := "recording_id = " + quote(recordingID)
	if from > 0 {
		filter += " AND pos >= " + strconv.Itoa(from)
	}
	what := fmt.Sprintf("delete %q", recordingID)
	info, err := x.index.DeleteDocumentsByFilter(ctx, filter, nil)
	if err != nil {
		return unavailable(what, err)
	}
	return x.wait(ctx, what, info)
}

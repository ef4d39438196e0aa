package meili

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/meilisearch/meilisearch-go"
	"github.com/verbatim-archive/verbatim/internal/archive"
)

// batchSize is the number of documents per add request of a Put.
const batchSize = 1000

// docID joins recording id, version and position with "_", which a
// recording slug never contains, within Meilisearch's id alphabet
// [a-zA-Z0-9_-].
func docID(recordingID string, version int64, pos int) string {
	return recordingID + "_" + strconv.FormatInt(version, 10) + "_" + strconv.Itoa(pos)
}

// newDocument is one cue as Meilisearch stores it: display and filter
// fields, and the window (the cue, then the next one) in the field of the
// cue's language group. pos is the position in the Put, version the
// manifest's; date_num is the date as a number, which filters compare.
func newDocument(d archive.CueDoc, pos int) map[string]any {
	win := d.Text
	if d.Next != "" {
		win += " " + d.Next
	}
	return map[string]any{
		"id": docID(d.RecordingID, d.Version, pos), "recording_id": d.RecordingID, "pos": pos, "version": d.Version,
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

func (x *Index) addOptions() *meilisearch.DocumentOptions {
	pk := primaryKey
	return &meilisearch.DocumentOptions{PrimaryKey: &pk}
}

// Put adds the recording's documents (one manifest version), then deletes
// every older version and this version's leftovers past its last
// position: searches never see the recording vanish in between, and of
// two writers the newer version stays (see the package doc). An empty
// Put carries no version and deletes every document of the recording.
// https://www.meilisearch.com/docs/reference/api/documents#add-or-replace-documents
// https://www.meilisearch.com/docs/reference/api/documents#delete-documents-by-filter
func (x *Index) Put(ctx context.Context, recordingID string, docs []archive.CueDoc) error {
	for i, d := range docs {
		if d.RecordingID != recordingID {
			return fmt.Errorf("meili: put %q: document %d belongs to %q: %w", recordingID, i, d.RecordingID, archive.ErrInvalid)
		}
		if d.Version != docs[0].Version {
			return fmt.Errorf("meili: put %q: document %d is of version %d, the first of %d: %w", recordingID, i, d.Version, docs[0].Version, archive.ErrInvalid)
		}
	}
	if x.bulk != nil {
		return x.bulk.add(ctx, x, docs)
	}
	if len(docs) == 0 {
		return x.Delete(ctx, recordingID)
	}
	what := fmt.Sprintf("put %q", recordingID)
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	// Enqueue every batch first: Meilisearch processes them in order and
	// may merge them into one indexing run.
	var infos []*meilisearch.TaskInfo
	for from := 0; from < len(docs); from += batchSize {
		batch := make([]map[string]any, 0, min(batchSize, len(docs)-from))
		for i := from; i < min(from+batchSize, len(docs)); i++ {
			batch = append(batch, newDocument(docs[i], i))
		}
		info, err := x.index.AddDocuments(ctx, batch, x.addOptions())
		if err != nil {
			return unavailable(what, err)
		}
		infos = append(infos, info)
	}
	for _, info := range infos {
		if err := x.wait(ctx, what, info); err != nil {
			return err
		}
	}
	version := docs[0].Version
	newest, err := x.newestVersion(ctx, recordingID)
	if err != nil {
		return err
	}
	// Documents written before versions existed have none: they are
	// older than any version.
	filter := "recording_id = " + quote(recordingID) + " AND (version < " + strconv.FormatInt(newest, 10) + " OR version NOT EXISTS)"
	if newest <= version {
		filter = "recording_id = " + quote(recordingID) + " AND (version < " + strconv.FormatInt(version, 10) +
			" OR version NOT EXISTS OR pos >= " + strconv.Itoa(len(docs)) + ")"
	}
	return x.deleteWhere(ctx, what, filter)
}

// newestVersion is the highest version of the recording's documents in
// the index: a placeholder search sorted by version.
// https://www.meilisearch.com/docs/reference/api/search#placeholder-search
func (x *Index) newestVersion(ctx context.Context, recordingID string) (int64, error) {
	resp, err := x.index.Search(ctx, "", &meilisearch.SearchRequest{
		Filter: "recording_id = " + quote(recordingID), Sort: []string{"version:desc"},
		Limit: 1, AttributesToRetrieve: []string{"version"},
	})
	if err != nil {
		return 0, unavailable(fmt.Sprintf("newest version of %q", recordingID), err)
	}
	if len(resp.Hits) == 0 {
		return -1, nil
	}
	var d struct {
		Version int64 `json:"version"`
	}
	if err := resp.Hits[0].Decode(&d); err != nil {
		return 0, fmt.Errorf("meili: newest version of %q: %w", recordingID, err)
	}
	return d.Version, nil
}

// Delete removes every document of the recording.
func (x *Index) Delete(ctx context.Context, recordingID string) error {
	if x.bulk != nil {
		return nil // a fresh index holds nothing to delete
	}
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	return x.deleteWhere(ctx, fmt.Sprintf("delete %q", recordingID), "recording_id = "+quote(recordingID))
}

func (x *Index) deleteWhere(ctx context.Context, what, filter string) error {
	info, err := x.index.DeleteDocumentsByFilter(ctx, filter, nil)
	if err != nil {
		return unavailable(what, err)
	}
	return x.wait(ctx, what, info)
}

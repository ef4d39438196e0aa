package archive

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// CatalogPrefix holds one small entry object per recording,
// catalog/entries/<id>.json: what a listing needs of it, derived from its
// manifest. See the package doc ("The catalog") for why this is safe with
// several processes on one store.
const CatalogPrefix = "catalog/entries/"

// DefaultCatalogFresh is how often the background refresh reads the
// catalog's change log: a change written by another process is listed
// here within this bound plus one refresh.
const DefaultCatalogFresh = 2 * time.Second

// maxCatalogEntry bounds one entry object as read; an entry is a few
// hundred bytes.
const maxCatalogEntry = 256 << 10

// catalogReaders bounds the entry reads one refresh runs at once.
const catalogReaders = 16

// Summary is what a listing shows of one recording. Speakers holds display
// names as a viewer may see them (pseudonyms for anonymised speakers,
// nothing for hidden or held ones), for editors too.
type Summary struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Event string `json:"event"`
	Date  string `json:"date"`
	Place string `json:"place"`
	// Description is the recording's, cut to MaxSummaryDescription
	// characters (sitemaps and feeds show it; they may not read manifests).
	Description string `json:"description,omitempty"`
	// MetadataLang is the language of the title, event, place and
	// speaker names (Recording.MetaLang), so pages can mark it.
	MetadataLang string    `json:"metadata_lang,omitempty"`
	Status       Status    `json:"status"`
	Sample       bool      `json:"sample,omitempty"`
	Languages    []string  `json:"languages"`
	DurationMS   int64     `json:"duration_ms"`
	Poster       string    `json:"poster,omitempty"`    // the poster frame's version (PosterVersion); "" for none
	HasMedia     bool      `json:"has_media,omitempty"` // a video or audio file is stored
	Speakers     []string  `json:"speaker_names"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// SummaryOf is the summary of r as it is; Speakers lists r's speakers'
// names, so r should be a viewer's form of the recording.
func SummaryOf(r Recording) Summary {
	names := make([]string, 0, len(r.Speakers))
	for _, sp := range r.Speakers {
		names = append(names, sp.Name)
	}
	return Summary{
		ID: r.ID, Title: r.Title, Event: r.Event, Date: r.Date, Place: r.Place, Status: r.Status,
		Description: cutRunes(r.Description, MaxSummaryDescription), HasMedia: r.Media != nil, MetadataLang: r.MetaLang(),
		Sample: r.Sample, Languages: slices.Clone(r.Languages), DurationMS: r.DurationMS,
		Poster: PosterVersion(r.Poster), Speakers: names, UpdatedAt: r.UpdatedAt,
	}
}

// MaxSummaryDescription bounds a summary's description, in characters:
// the longest video description Google's video sitemaps take.
const MaxSummaryDescription = 2048

func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// EventSlug is the URL form of an event name (/events/<slug>).
func EventSlug(event string) string { return Slug(event, 80) }

// catalogEntry is the stored object: the editor's summary, the viewer's
// (nil when viewers may not see the recording at derive time: a draft or
// an embargo; an embargo's end re-derives the entry) and the ETag of the
// manifest it was derived from.
type catalogEntry struct {
	Editor       Summary  `json:"editor"`
	Viewer       *Summary `json:"viewer,omitempty"`
	Work         *Work    `json:"work,omitempty"`
	ManifestETag string   `json:"manifest_etag"`
}

// Work is what the editors' list shows of a recording beside its summary:
// what is there and what is missing. Editors only; nil in an entry
// written before it existed (reindex derives it).
type Work struct {
	Tracks   []string `json:"tracks"`              // languages of its tracks, in manifest order
	MediaKey string   `json:"media_key,omitempty"` // the media object; "" when none
	Held     int      `json:"held"`                // speakers hidden or held
	Declared []string `json:"declared,omitempty"`  // languages the editor says it has
}

func catalogKey(id string) string { return CatalogPrefix + id + ".json" }

// deriveEntry builds the catalog entry of a manifest.
func deriveEntry(rec Recording, etag string, now time.Time) catalogEntry {
	v := newViewer(rec, now)
	vr, visible := v.recording()
	names := make([]string, 0, len(rec.Speakers))
	for _, sp := range rec.Speakers {
		if v.show[sp.ID] {
			if sp.Visibility == VisibilityAnonymised {
				names = append(names, sp.Pseudonym)
			} else {
				names = append(names, sp.Name)
			}
		}
	}
	sum := func(r Recording) Summary {
		out := SummaryOf(r)
		out.Speakers = slices.Clone(names)
		return out
	}
	work := &Work{Tracks: []string{}, Declared: slices.Clone(rec.Declared)}
	for _, t := range rec.Tracks {
		work.Tracks = append(work.Tracks, t.Lang)
	}
	if rec.Media != nil {
		work.MediaKey = rec.Media.Key
	}
	for _, sp := range rec.Speakers {
		if sp.Visibility == VisibilityHidden || sp.Held {
			work.Held++
		}
	}
	e := catalogEntry{Editor: sum(rec), Work: work, ManifestETag: etag}
	if e.Editor.Languages == nil {
		e.Editor.Languages = []string{}
	}
	if visible {
		s := sum(vr)
		s.Languages = e.Editor.Languages
		e.Viewer = &s
	}
	return e
}

// catalogRecording brings id's catalog entry in step with its manifest:
// written when the manifest exists, removed when it does not. After the
// write it checks the manifest again and goes round once more when it
// changed meanwhile, so the entry left last always matches the manifest
// written last, whichever process writes which (see the package doc).
func (s *Service) catalogRecording(ctx context.Context, id string) error {
	for attempt := 0; ; attempt++ {
		if attempt >= maxUpdateAttempts {
			return fmt.Errorf("archive: catalog %s: the manifest kept changing", id)
		}
		rec, etag, err := s.load(ctx, id)
		switch {
		case errors.Is(err, ErrNotFound):
			if err := s.blobs.Delete(ctx, catalogKey(id)); err != nil {
				return fmt.Errorf("archive: catalog %s: remove entry: %w", id, err)
			}
			s.catalog.forget(id)
			if err := s.noteChange(ctx, id, ""); err != nil {
				return err
			}
		case err != nil:
			return fmt.Errorf("archive: catalog %s: %w", id, err)
		default:
			e := deriveEntry(rec, etag, s.now())
			data, err := json.Marshal(e)
			if err != nil {
				return fmt.Errorf("archive: catalog %s: encode: %w", id, err)
			}
			info, err := s.blobs.Put(ctx, catalogKey(id), bytes.NewReader(data), int64(len(data)), PutOptions{ContentType: "application/json"})
			if err != nil {
				return fmt.Errorf("archive: catalog %s: write entry: %w", id, err)
			}
			s.catalog.remember(e, info.ETag)
			if err := s.noteChange(ctx, id, info.ETag); err != nil {
				return err
			}
		}
		now, err := s.blobs.Stat(ctx, manifestKey(id))
		switch {
		case errors.Is(err, ErrNotFound) && etag == "":
			return nil
		case err == nil && now.ETag == etag && etag != "":
			return nil
		case err != nil && !errors.Is(err, ErrNotFound):
			return fmt.Errorf("archive: catalog %s: check manifest: %w", id, err)
		}
	}
}

// viewEntry is an entry with what filters compare precomputed, so a
// listing scans the view without folding a string.
type viewEntry struct {
	catalogEntry
	editorSlug, viewerSlug string
	editorNames            []string // speakerKey of each name
	viewerNames            []string
}

func newViewEntry(e catalogEntry) viewEntry {
	keys := func(names []string) []string {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = speakerKey(n)
		}
		return out
	}
	v := viewEntry{catalogEntry: e, editorSlug: EventSlug(e.Editor.Event), editorNames: keys(e.Editor.Speakers)}
	if e.Viewer != nil {
		v.viewerSlug, v.viewerNames = EventSlug(e.Viewer.Event), keys(e.Viewer.Speakers)
	}
	return v
}

// CatalogQuery selects a page of the catalog. Zero fields do not filter;
// Status is honoured for editors only (viewers see published recordings).
type CatalogQuery struct {
	Event   string
	Lang    string
	Year    string // "2024": recordings dated in that year
	Speaker string // a display name, matched as names are
	Status  Status
	Page    int // 1-based; 0 means 1
	PerPage int
}

// CatalogPage is one page of summaries, newest date first (undated last,
// then by id), with the number of matching recordings.
type CatalogPage struct {
	Total      int       `json:"total"`
	Page       int       `json:"page"`
	PerPage    int       `json:"per_page"`
	Recordings []Summary `json:"recordings"`
}

// ListPage returns a page of the recordings who may see that match q. It
// reads the catalog, never a manifest: a page costs the page, however
// large the archive (see the package doc for the freshness bound).
func (s *Service) ListPage(ctx context.Context, who Principal, q CatalogQuery) (CatalogPage, error) {
	if q.Page <= 0 {
		q.Page = 1
	}
	if q.PerPage <= 0 {
		return CatalogPage{}, fmtErr("list", "", ErrInvalid, "per_page must be at least 1")
	}
	if q.Status != "" && q.Status != StatusDraft && q.Status != StatusPublished {
		return CatalogPage{}, fmtErr("list", "", ErrInvalid, fmt.Sprintf("status=%q is not draft or published", q.Status))
	}
	if q.Lang != "" {
		l, err := canonicalLang(q.Lang)
		if err != nil {
			return CatalogPage{}, fmtErr("list", "", ErrInvalid, fmt.Sprintf("lang=%q is not a BCP 47 language tag such as en or pt-BR", q.Lang))
		}
		q.Lang = l
	}
	if err := s.catalog.ready(ctx, s.blobs); err != nil {
		return CatalogPage{}, err
	}
	match := s.catalogMatcher(who, q)
	from := (q.Page - 1) * q.PerPage
	out := CatalogPage{Page: q.Page, PerPage: q.PerPage, Recordings: []Summary{}}
	v := s.catalog
	v.mu.Lock()
	defer v.mu.Unlock()
	sorted := v.newestFirst()
	aud := &v.audience[1]
	if who.CanEdit() {
		aud = &v.audience[0]
	}
	// The candidates: what the audience may list, or of one event. An
	// event asked by name matches by slug too (the slug folds the name).
	cands, exact := aud.all, true
	if q.Event != "" {
		slug := EventSlug(q.Event)
		cands, exact = aud.byEvent[slug], slug == q.Event
		if !exact {
			cands = mergeSorted(cands, aud.byEvent[q.Event])
		}
	}
	if exact && q.Lang == "" && q.Year == "" && q.Speaker == "" && (q.Status == "" || !who.CanEdit()) {
		// Nothing else to check: the page is a slice of the candidates.
		out.Total = len(cands)
		for _, i := range cands[min(from, len(cands)):min(from+q.PerPage, len(cands))] {
			sum, _ := match(sorted[i])
			out.Recordings = append(out.Recordings, sum)
		}
		return out, nil
	}
	for _, i := range cands {
		if sum, ok := match(sorted[i]); ok {
			if out.Total >= from && len(out.Recordings) < q.PerPage {
				out.Recordings = append(out.Recordings, sum)
			}
			out.Total++
		}
	}
	return out, nil
}

// mergeSorted is the sorted union of two sorted lists of positions.
func mergeSorted(a, b []int32) []int32 {
	if len(b) == 0 {
		return a
	}
	out := make([]int32, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0] < b[0]:
			out, a = append(out, a[0]), a[1:]
		case b[0] < a[0]:
			out, b = append(out, b[0]), b[1:]
		default:
			out, a, b = append(out, a[0]), a[1:], b[1:]
		}
	}
	return append(append(out, a...), b...)
}

func (s *Service) catalogMatcher(who Principal, q CatalogQuery) func(viewEntry) (Summary, bool) {
	editor := who.CanEdit()
	speaker := speakerKey(q.Speaker)
	return func(e viewEntry) (Summary, bool) {
		sum, slug, names := e.Editor, e.editorSlug, e.editorNames
		if !editor {
			if e.Viewer == nil || e.Viewer.Status != StatusPublished {
				return Summary{}, false
			}
			sum, slug, names = *e.Viewer, e.viewerSlug, e.viewerNames
		} else if q.Status != "" && sum.Status != q.Status {
			return Summary{}, false
		}
		switch {
		case q.Event != "" && slug != q.Event && !strings.EqualFold(sum.Event, q.Event):
			return Summary{}, false
		case q.Lang != "" && !slices.Contains(sum.Languages, q.Lang):
			return Summary{}, false
		case q.Year != "" && !strings.HasPrefix(sum.Date, q.Year+"-") && sum.Date != q.Year:
			return Summary{}, false
		case speaker != "" && !slices.Contains(names, speaker):
			return Summary{}, false
		}
		return sum, true
	}
}

// dropOrphanEntries removes the catalog entries of recordings not among
// ids (the manifests listed by a reindex), re-checking each manifest so a
// recording created since the listing keeps its entry.
func (s *Service) dropOrphanEntries(ctx context.Context, ids []string) error {
	infos, err := s.blobs.List(ctx, CatalogPrefix)
	if err != nil {
		return fmt.Errorf("archive: list catalog: %w", err)
	}
	known := make(map[string]bool, len(ids))
	for _, id := range ids {
		known[id] = true
	}
	for _, in := range infos {
		id, ok := strings.CutSuffix(strings.TrimPrefix(in.Key, CatalogPrefix), ".json")
		if !ok || !ValidID(id) {
			if err := s.blobs.Delete(ctx, in.Key); err != nil {
				return fmt.Errorf("archive: remove stray catalog object %s: %w", in.Key, err)
			}
			continue
		}
		if !known[id] {
			if err := s.catalogRecording(ctx, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// WorkItem is one row of the editors' list: the editor's summary and the
// recording's Work (nil when its entry predates it).
type WorkItem struct {
	Summary
	Work *Work `json:"work,omitempty"`
}

// WorkPage is one page of the editors' list: drafts first, then by last
// change, newest first.
type WorkPage struct {
	Total   int        `json:"total"`
	Page    int        `json:"page"`
	PerPage int        `json:"per_page"`
	Items   []WorkItem `json:"items"`
}

// Workspace returns a page of every recording, drafts included, for the
// editors' list, from the catalog (no manifest is read).
func (s *Service) Workspace(ctx context.Context, who Principal, page, perPage int) (WorkPage, error) {
	if err := requireEditor(who, "list the workspace"); err != nil {
		return WorkPage{}, err
	}
	if page <= 0 {
		page = 1
	}
	if perPage <= 0 {
		return WorkPage{}, fmtErr("workspace", "", ErrInvalid, "per_page must be at least 1")
	}
	if err := s.catalog.ready(ctx, s.blobs); err != nil {
		return WorkPage{}, err
	}
	s.catalog.mu.Lock()
	all := make([]WorkItem, 0, len(s.catalog.entries))
	for _, e := range s.catalog.entries {
		all = append(all, WorkItem{Summary: e.Editor, Work: e.Work})
	}
	s.catalog.mu.Unlock()
	slices.SortFunc(all, func(a, b WorkItem) int {
		return cmp.Or(cmp.Compare(a.Status, b.Status), b.UpdatedAt.Compare(a.UpdatedAt), cmp.Compare(a.ID, b.ID))
	})
	out := WorkPage{Total: len(all), Page: page, PerPage: perPage, Items: []WorkItem{}}
	if from := (page - 1) * perPage; from < len(all) {
		out.Items = all[from:min(from+perPage, len(all))]
	}
	return out, nil
}

package meili

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/meilisearch/meilisearch-go"
	"github.com/verbatim-archive/verbatim/internal/archive"
)

// primaryKey is the documents' id attribute, named explicitly: with none
// set Meilisearch would guess from the first document, and several of our
// attributes end in "id".
const primaryKey = "id"

// groups are the language groups, as in internal/bleveindex; locale is
// the ISO 639-3 code Meilisearch's localizedAttributes take, empty for the
// fallback group (Meilisearch then detects the language itself).
var groups = []struct{ name, locale string }{
	{"en", "eng"}, {"fr", "fra"}, {"es", "spa"}, {"de", "deu"}, {"other", ""},
}

// group maps a BCP 47 tag to its group: "de-AT" is German.
func group(lang string) string {
	primary, _, _ := strings.Cut(strings.ToLower(lang), "-")
	for _, g := range groups[:len(groups)-1] {
		if primary == g.name {
			return g.name
		}
	}
	return "other"
}

func locale(g string) string {
	for _, gr := range groups {
		if gr.name == g {
			return gr.locale
		}
	}
	return ""
}

func winField(g string) string { return "win_" + g }

// settings are the complete index settings. Typo tolerance is written out
// in full: a partial object would reset the omitted parts, and a zero
// Enabled would switch typo tolerance off.
// https://www.meilisearch.com/docs/reference/api/settings#update-settings
// https://www.meilisearch.com/docs/reference/api/settings#typo-tolerance
// https://www.meilisearch.com/docs/reference/api/settings#localized-attributes
func (x *Index) settings() *meilisearch.Settings {
	s := &meilisearch.Settings{
		// Relevance first; the request's sort (date, then time) breaks
		// ties only, so it comes last.
		RankingRules:         []string{"words", "typo", "proximity", "attribute", "exactness", "sort"},
		FilterableAttributes: []string{"recording_id", "lang", "speaker", "event", "date_num", "kind", "pos", "version"},
		SortableAttributes:   []string{"date_num", "start_ms", "recording_id", "lang", "version"},
		TypoTolerance: &meilisearch.TypoTolerance{
			Enabled:             true,
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: 5, TwoTypos: 9},
			DisableOnWords:      []string{},
			DisableOnAttributes: []string{},
			DisableOnNumbers:    false,
		},
		Pagination: &meilisearch.Pagination{MaxTotalHits: int64(x.cfg.MaxTotalHits)},
	}
	for _, g := range groups {
		s.SearchableAttributes = append(s.SearchableAttributes, winField(g.name))
		if g.locale != "" {
			s.LocalizedAttributes = append(s.LocalizedAttributes, &meilisearch.LocalizedAttributes{
				Locales: []string{g.locale}, AttributePatterns: []string{winField(g.name)},
			})
		}
	}
	return s
}

// sameSettings reports whether the index already has the settings we
// set. Filterable and sortable attributes are sets (Meilisearch answers
// them sorted); the others are compared as given.
func sameSettings(have, want *meilisearch.Settings) bool {
	sorted := func(v []string) []string { v = slices.Clone(v); slices.Sort(v); return v }
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	return slices.Equal(have.RankingRules, want.RankingRules) &&
		slices.Equal(have.SearchableAttributes, want.SearchableAttributes) &&
		slices.Equal(sorted(have.FilterableAttributes), sorted(want.FilterableAttributes)) &&
		slices.Equal(sorted(have.SortableAttributes), sorted(want.SortableAttributes)) &&
		js(have.LocalizedAttributes) == js(want.LocalizedAttributes) &&
		js(have.TypoTolerance) == js(want.TypoTolerance) &&
		js(have.Pagination) == js(want.Pagination)
}

// ensure makes the index exist with primary key "id" and the settings,
// queueing only what is missing and waiting for none of it (see the
// package doc). An index with another primary key is refused.
// https://www.meilisearch.com/docs/reference/api/indexes#get-one-index
// https://www.meilisearch.com/docs/reference/api/indexes#create-an-index
// https://www.meilisearch.com/docs/reference/api/indexes#update-an-index
func (x *Index) ensure(ctx context.Context) error {
	uid := x.cfg.Index
	info, err := x.client.GetIndex(ctx, uid)
	switch {
	case apiCode(err) == "index_not_found":
		task, err := x.client.CreateIndex(ctx, &meilisearch.IndexConfig{Uid: uid, PrimaryKey: primaryKey})
		if err != nil {
			return unavailable("create index", err)
		}
		x.addPending("create index "+uid, task)
		return x.updateSettings(ctx)
	case err != nil:
		return unavailable("read index "+uid, err)
	case info.PrimaryKey == "":
		task, err := x.index.UpdateIndex(ctx, &meilisearch.UpdateIndexRequestParams{PrimaryKey: primaryKey})
		if err != nil {
			return unavailable("set primary key", err)
		}
		x.addPending("set primary key of "+uid, task)
	case info.PrimaryKey != primaryKey:
		return fmt.Errorf("meili: index %q has primary key %q, not %q: it was not made by verbatim; delete it or set another VERBATIM_MEILI_INDEX: %w",
			uid, info.PrimaryKey, primaryKey, archive.ErrInvalid)
	}
	have, err := x.index.GetSettings(ctx)
	if err != nil {
		return unavailable("read settings", err)
	}
	if sameSettings(have, x.settings()) {
		return nil
	}
	// A settings update already queued (by another replica, or before a
	// restart) is adopted rather than queued again.
	// https://www.meilisearch.com/docs/reference/api/tasks#get-tasks
	queued, err := x.client.GetTasks(ctx, &meilisearch.TasksQuery{
		IndexUIDS: []string{uid}, Types: []meilisearch.TaskType{meilisearch.TaskTypeSettingsUpdate},
		Statuses: []meilisearch.TaskStatus{meilisearch.TaskStatusEnqueued, meilisearch.TaskStatusProcessing},
		Limit:    1,
	})
	if err != nil {
		return unavailable("list settings tasks", err)
	}
	if len(queued.Results) > 0 {
		x.addPending("update settings of "+uid, &meilisearch.TaskInfo{TaskUID: queued.Results[0].UID})
		return nil
	}
	return x.updateSettings(ctx)
}

func (x *Index) updateSettings(ctx context.Context) error {
	task, err := x.index.UpdateSettings(ctx, x.settings())
	if err != nil {
		return unavailable("update settings", err)
	}
	x.addPending("update settings of "+x.cfg.Index, task)
	return nil
}

// warnMasterKey logs a warning when the key can list API keys: only the
// master key (or a key given the keys.get action, which an application
// never needs) can. Meilisearch's security guide keeps the master key for
// managing keys. Any failure means the key is limited, as it should be.
// https://www.meilisearch.com/docs/reference/api/keys#get-all-keys
func (x *Index) warnMasterKey(ctx context.Context) {
	if x.cfg.APIKey == "" {
		return
	}
	if _, err := x.client.GetKeys(ctx, &meilisearch.KeysQuery{Limit: 1}); err == nil {
		x.cfg.Log.Warn("VERBATIM_MEILI_KEY can manage Meilisearch's API keys: it is the master key or as powerful; " +
			"give verbatim a key limited to its index (see docker-compose.yml's meili-key service)")
	}
}

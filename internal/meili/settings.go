package meili

import (
	"context"
	"strings"

	"github.com/meilisearch/meilisearch-go"
)

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
		FilterableAttributes: []string{"recording_id", "lang", "speaker", "event", "date_num", "kind", "pos"},
		SortableAttributes:   []string{"date_num", "start_ms", "recording_id", "lang"},
		TypoTolerance: &meilisearch.TypoTolerance{
			Enabled:             true,
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: 5, TwoTypos: 9},
			DisableOnWords:      []string{},
			DisableOnAttributes: []string{},
			DisableOnNumbers:    false,
		},
		Pagination: &meilisearch.Pagination{MaxTotalHits: int64(x.cfg.MaxHits)},
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

func (x *Index) applySettings(ctx context.Context) error {
	info, err := x.index.UpdateSettings(ctx, x.settings())
	if err != nil {
		return unavailable("update settings", err)
	}
	return x.wait(ctx, "update settings", info)
}

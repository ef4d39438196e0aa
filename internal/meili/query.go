package meili

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// queryText normalises the query for Meilisearch: words, and "phrases"
// (Meilisearch's own phrase syntax), with an unclosed quote running to the
// end. It fails with archive.ErrInvalid when nothing is left to search.
func queryText(s string) (string, error) {
	var parts []string
	for i, part := range strings.Split(s, `"`) {
		if i%2 == 1 {
			if hasWordChar(part) {
				parts = append(parts, `"`+strings.Join(strings.Fields(part), " ")+`"`)
			}
			continue
		}
		for _, w := range strings.Fields(part) {
			// A leading minus is Meilisearch's exclusion operator; the
			// archive's query language has none (as bleve): drop it.
			w = strings.TrimLeft(w, "-")
			if hasWordChar(w) {
				parts = append(parts, w)
			}
		}
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("meili: query %q has no words: %w", s, archive.ErrInvalid)
	}
	return strings.Join(parts, " "), nil
}

func hasWordChar(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// filter is Meilisearch's filter expression for q, "" when there is none.
// Every string is quoted: values may hold spaces, quotes or keywords.
// https://www.meilisearch.com/docs/learn/filtering_and_sorting/filter_expression_reference
func filter(q archive.SearchQuery) (string, error) {
	var fs []string
	if len(q.Langs) > 0 {
		fs = append(fs, "lang IN "+quoteList(q.Langs))
	}
	if len(q.Speakers) > 0 {
		fs = append(fs, "speaker IN "+quoteList(q.Speakers))
	}
	for _, f := range []struct{ attr, value string }{
		{"recording_id", q.RecordingID}, {"event", q.Event}, {"kind", string(q.Kind)},
	} {
		if f.value != "" {
			fs = append(fs, f.attr+" = "+quote(f.value))
		}
	}
	for _, d := range []struct{ op, date string }{{">=", q.DateFrom}, {"<=", q.DateTo}} {
		if d.date == "" {
			continue
		}
		if !dateRE.MatchString(d.date) {
			return "", fmt.Errorf("meili: date %q is not YYYY-MM-DD: %w", d.date, archive.ErrInvalid)
		}
		fs = append(fs, "date_num "+d.op+" "+strconv.Itoa(dateNum(d.date)))
	}
	return strings.Join(fs, " AND "), nil
}

// exact reports whether the hit has exactly the values q filters on:
// Meilisearch compares filter strings case-insensitively (and cuts facet
// values at 468 bytes), the archive's filters are exact, as in bleve.
func exact(q archive.SearchQuery, h archive.Hit) bool {
	return (len(q.Langs) == 0 || slices.Contains(q.Langs, h.Lang)) &&
		(len(q.Speakers) == 0 || slices.Contains(q.Speakers, h.Speaker)) &&
		(q.RecordingID == "" || q.RecordingID == h.RecordingID) &&
		(q.Event == "" || q.Event == h.Event) &&
		(q.Kind == "" || q.Kind == h.Kind)
}

// quote makes s a filter string literal: double quotes, with backslashes
// and double quotes escaped by a backslash.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func quoteList(vs []string) string {
	qs := make([]string, len(vs))
	for i, v := range vs {
		qs[i] = quote(v)
	}
	return "[" + strings.Join(qs, ", ") + "]"
}

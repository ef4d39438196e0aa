package bleveindex

import (
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"

	// The language analyzers register themselves by name.
	_ "github.com/blevesearch/bleve/v2/analysis/lang/de"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/en"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/es"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fr"
)

// fallback analyses languages without their own analyzer: Unicode word
// boundaries and lower case, no stop words and no stemming (the standard
// analyzer would drop English stop words from, say, Portuguese).
const fallback = "fallback"

const (
	fallbackTokenizer = unicode.Name
	fallbackFilter    = lowercase.Name
)

// groups are the analyzer groups; every document belongs to exactly one.
// Each group has its own text fields, analysed with the analyzer of the same
// name, so that one query can search every language at once.
var groups = []string{"en", "fr", "es", "de", fallback}

// group maps a BCP 47 tag to its analyzer group: "de-AT" is German.
func group(lang string) string {
	primary, _, _ := strings.Cut(strings.ToLower(lang), "-")
	for _, g := range groups[:len(groups)-1] {
		if primary == g {
			return g
		}
	}
	return fallback
}

// Field names. For every group g a document has one analysed field,
// win_g: the cue's text, then the next cue's starting at byte offset
// boundary (see window), so that a phrase across the cue boundary
// matches and a match's offset tells whose text it is in.
const (
	fRecording = "recording_id"
	fTitle     = "title"
	fEvent     = "event"
	fDate      = "date"
	fLang      = "lang"
	fKind      = "kind"
	fStart     = "start_ms"
	fEnd       = "end_ms"
	fSpeaker   = "speaker"
	fText      = "text"
	fMeta      = "meta" // lang, metaSep, speaker: the one doc-values field
)

// metaSep joins lang and speaker in fMeta; neither contains it.
const metaSep = "\x1f"

func winField(g string) string { return "win_" + g }

// storedFields are what a hit is built from.
var storedFields = []string{fRecording, fTitle, fEvent, fDate, fLang, fKind, fStart, fEnd, fSpeaker, fText}

func newMapping() (mapping.IndexMapping, error) {
	im := bleve.NewIndexMapping()
	err := im.AddCustomAnalyzer(fallback, map[string]interface{}{
		"type":          custom.Name,
		"tokenizer":     fallbackTokenizer,
		"token_filters": []string{fallbackFilter},
	})
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		err := im.AddCustomAnalyzer(winAnalyzer(g), map[string]interface{}{"type": windowType, "group": g})
		if err != nil {
			return nil, err
		}
	}
	doc := bleve.NewDocumentStaticMapping()
	for _, f := range []string{fRecording, fEvent, fDate, fLang, fKind, fSpeaker, fMeta} {
		m := keywordField()
		m.DocValues = f == fMeta
		doc.AddFieldMappingsAt(f, m)
	}
	doc.AddFieldMappingsAt(fTitle, storedOnly())
	doc.AddFieldMappingsAt(fText, storedOnly())
	for _, f := range []string{fStart, fEnd} {
		m := bleve.NewNumericFieldMapping()
		m.IncludeInAll = false
		m.Index = false
		m.DocValues = false
		doc.AddFieldMappingsAt(f, m)
	}
	for _, g := range groups {
		doc.AddFieldMappingsAt(winField(g), analysedField(winAnalyzer(g)))
	}
	im.DefaultMapping = doc
	im.DefaultAnalyzer = fallback
	return im, nil
}

// keywordField is for filters: exact values, stored for hits, without
// term vectors.
func keywordField() *mapping.FieldMapping {
	m := bleve.NewKeywordFieldMapping()
	m.Analyzer = keyword.Name
	m.IncludeTermVectors = false
	m.IncludeInAll = false
	return m
}

func storedOnly() *mapping.FieldMapping {
	m := bleve.NewTextFieldMapping()
	m.Index = false
	m.IncludeTermVectors = false
	m.IncludeInAll = false
	m.DocValues = false
	return m
}

// analysedField keeps term vectors: phrases need positions and highlights
// need byte offsets. The text itself is stored once, in fText.
func analysedField(analyzer string) *mapping.FieldMapping {
	m := bleve.NewTextFieldMapping()
	m.Analyzer = analyzer
	m.Store = false
	m.IncludeInAll = false
	m.DocValues = false
	return m
}

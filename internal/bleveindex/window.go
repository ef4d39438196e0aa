package bleveindex

import (
	"bytes"
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// windowType is the analyzer type of the window fields: a group's
// analyzer that tokenizes the cue and the next cue apart, skipping the
// padding between them (see window), and then filters the two token
// streams as one. Its tokens are the group analyzer's tokens of the whole
// window, byte offsets and positions included (TestWindowAnalyzer), but
// it does not step through up to 500 bytes of spaces per cue: that was a
// fifth of the CPU of indexing. Queries analyse with the group analyzer
// itself.
const windowType = "verbatim_window"

func init() {
	// Registering is how bleve finds analyzer types, also when it opens an
	// index whose mapping names this one; the language analyzers do the
	// same.
	if err := registry.RegisterAnalyzer(windowType, newWindowAnalyzer); err != nil {
		panic(err)
	}
}

func winAnalyzer(g string) string { return "win_" + g }

// windowAnalyzer wraps the group analyzer named in its config ("group").
type windowAnalyzer struct {
	whole *analysis.DefaultAnalyzer
}

func newWindowAnalyzer(config map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
	g, _ := config["group"].(string)
	var a analysis.Analyzer
	var err error
	if g == fallback {
		// The fallback is a custom analyzer of the mapping, which bleve
		// may build after this one: build its like here.
		a, err = fallbackAnalyzer(cache)
	} else {
		a, err = cache.AnalyzerNamed(g)
	}
	if err != nil {
		return nil, fmt.Errorf("bleveindex: window analyzer of %q: %w", g, err)
	}
	da, ok := a.(*analysis.DefaultAnalyzer)
	if !ok || len(da.CharFilters) > 0 {
		return nil, fmt.Errorf("bleveindex: window analyzer of %q: a %T with char filters cannot be split", g, a)
	}
	return windowAnalyzer{da}, nil
}

// Analyze tokenizes a window as cue, padding, next cue: the cue's tokens
// and then the next cue's, moved to where they are in the window. Any
// other input (no padding, or a cue of boundary bytes or more) goes to the
// group analyzer whole.
func (w windowAnalyzer) Analyze(input []byte) analysis.TokenStream {
	if len(input) <= boundary || input[boundary-1] != ' ' {
		return w.whole.Analyze(input)
	}
	cue := bytes.TrimRight(input[:boundary], " ")
	tokens := w.whole.Tokenizer.Tokenize(cue)
	shift := len(tokens)
	for _, t := range w.whole.Tokenizer.Tokenize(input[boundary:]) {
		t.Start += boundary
		t.End += boundary
		t.Position += shift
		tokens = append(tokens, t)
	}
	for _, f := range w.whole.TokenFilters {
		tokens = f.Filter(tokens)
	}
	return tokens
}

func fallbackAnalyzer(cache *registry.Cache) (analysis.Analyzer, error) {
	tz, err := cache.TokenizerNamed(fallbackTokenizer)
	if err != nil {
		return nil, err
	}
	tf, err := cache.TokenFilterNamed(fallbackFilter)
	if err != nil {
		return nil, err
	}
	return &analysis.DefaultAnalyzer{Tokenizer: tz, TokenFilters: []analysis.TokenFilter{tf}}, nil
}

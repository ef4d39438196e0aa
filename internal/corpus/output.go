package corpus

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// WriteSRT writes each track of r as dir/<id>.<lang>.srt.
func WriteSRT(dir string, r Recording) error {
	for _, tr := range r.Tracks {
		p := filepath.Join(dir, r.ID+"."+tr.Lang+".srt")
		f, err := os.Create(p)
		if err != nil {
			return fmt.Errorf("corpus: write %s: %w", p, err)
		}
		w := bufio.NewWriter(f)
		for i, c := range tr.Cues {
			fmt.Fprintf(w, "%d\n%s --> %s\n%s\n\n", i+1, srtTime(c.StartMS), srtTime(c.EndMS), c.Text)
		}
		err = w.Flush()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("corpus: write %s: %w", p, err)
		}
	}
	return nil
}

func srtTime(ms int64) string {
	return fmt.Sprintf("%02d:%02d:%02d,%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}

// Query is one benchmark query, in the archive's query syntax.
type Query struct {
	Kind string // word1, word2, word3, phrase2, phrase3, typo
	Lang string
	Text string
}

// QueryKinds are the kinds Queries makes, in report order.
var QueryKinds = []string{"word1", "word2", "word3", "phrase2", "phrase3", "typo"}

// Queries draws perKind queries of each kind from the cues of sample, so
// that (typos aside) every query has at least one hit. Words are content
// words: the generated tail, not the frequent head of the vocabulary.
func (g *Generator) Queries(seed uint64, sample []Recording, perKind int) []Query {
	rng := rand.New(rand.NewPCG(seed, 7))
	head := map[string]bool{}
	for _, l := range g.cfg.Langs {
		for _, w := range languages()[l].common {
			head[strings.ToLower(w)] = true
		}
	}
	var qs []Query
	for _, kind := range QueryKinds {
		for len(qs) < perKind*(1+indexOf(QueryKinds, kind)) {
			r := sample[rng.IntN(len(sample))]
			tr := r.Tracks[rng.IntN(len(r.Tracks))]
			words := strings.Fields(strings.NewReplacer(",", "", ".", "", "?", "").Replace(tr.Cues[rng.IntN(len(tr.Cues))].Text))
			if text, ok := makeQuery(rng, kind, words, head); ok {
				qs = append(qs, Query{Kind: kind, Lang: tr.Lang, Text: text})
			}
		}
	}
	return qs
}

func makeQuery(rng *rand.Rand, kind string, words []string, head map[string]bool) (string, bool) {
	var content []string
	for _, w := range words {
		if !head[strings.ToLower(w)] && utf8.RuneCountInString(w) >= 3 {
			content = append(content, w)
		}
	}
	switch kind {
	case "word1", "word2", "word3":
		n := int(kind[4] - '0')
		if len(content) < n {
			return "", false
		}
		rng.Shuffle(len(content), func(i, j int) { content[i], content[j] = content[j], content[i] })
		return strings.Join(content[:n], " "), true
	case "phrase2", "phrase3":
		n := int(kind[6] - '0')
		if len(words) < n {
			return "", false
		}
		at := rng.IntN(len(words) - n + 1)
		return `"` + strings.Join(words[at:at+n], " ") + `"`, true
	case "typo":
		for _, w := range content {
			if r := []rune(w); len(r) >= 6 {
				k := 1 + rng.IntN(len(r)-2)
				r[k] = 'a' + rune(rng.IntN(26))
				return string(r), true
			}
		}
	}
	return "", false
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

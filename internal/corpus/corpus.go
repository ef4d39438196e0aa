// Package corpus generates a deterministic, synthetic subtitle archive for
// search benchmarks: recordings with the same cue timings in several
// languages, cues of 2–6 seconds and 5–15 words, words drawn with Zipf-like
// frequencies from a per-language vocabulary whose head is real frequent
// words and whose tail is generated from the language's syllables.
//
// The same Config always yields the same archive, recording by recording:
// recording i depends only on the seed and i, so a smaller archive is a
// prefix of a larger one.
package corpus

import (
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Config sizes the archive.
type Config struct {
	Seed      uint64
	Hours     float64  // recording-hours in total (each in every language)
	Langs     []string // default en, fr, es, de
	VocabSize int      // words per language, default 30000
	// CuesPerTrack, when positive, keeps only each recording's first
	// cues (an archive of many recordings with little text: listings at
	// scale). Recording i is still the same recording, cut short.
	CuesPerTrack int
}

// Full is the benchmark archive: 200 recording-hours in four languages,
// about 700,000 cues.
func Full() Config { return Config{Seed: 1, Hours: 200} }

// Recording is one generated recording.
type Recording struct {
	ID, Title, Event, Date string
	Tracks                 []Track
}

// Track is one language's cues; every track of a recording has the same
// timings and speakers.
type Track struct {
	Lang string
	Cues []archive.Cue
}

// Generator produces an archive. It is not safe for concurrent use.
type Generator struct {
	cfg   Config
	vocab map[string][]string
	zipf  []float64 // cumulative weights over vocabulary ranks
}

// New prepares the vocabularies.
func New(cfg Config) (*Generator, error) {
	if len(cfg.Langs) == 0 {
		cfg.Langs = []string{"en", "fr", "es", "de"}
	}
	if cfg.VocabSize <= 0 {
		cfg.VocabSize = 30000
	}
	if cfg.Hours <= 0 {
		return nil, fmt.Errorf("corpus: hours must be positive, got %v", cfg.Hours)
	}
	g := &Generator{cfg: cfg, vocab: map[string][]string{}}
	langs := languages()
	for i, l := range cfg.Langs {
		spec, ok := langs[l]
		if !ok {
			return nil, fmt.Errorf("corpus: no word list for language %q", l)
		}
		g.vocab[l] = spec.vocabulary(rand.New(rand.NewPCG(cfg.Seed, uint64(1000+i))), cfg.VocabSize)
	}
	// Zipf–Mandelbrot: weight 1/(rank+2.7); the shift flattens the very
	// top as in real speech, where "the" is frequent but not dominant.
	g.zipf = make([]float64, cfg.VocabSize)
	sum := 0.0
	for r := range g.zipf {
		sum += 1 / math.Pow(float64(r)+2.7, 1.0)
		g.zipf[r] = sum
	}
	return g, nil
}

// Vocabulary returns the language's words, most frequent first.
func (g *Generator) Vocabulary(lang string) []string { return g.vocab[lang] }

// Langs returns the languages of the archive.
func (g *Generator) Langs() []string { return g.cfg.Langs }

// Recordings yields the recordings until the configured hours are reached.
func (g *Generator) Recordings() iter.Seq[Recording] {
	return func(yield func(Recording) bool) {
		var total time.Duration
		limit := time.Duration(g.cfg.Hours * float64(time.Hour))
		// The last recording is cut to what is left; less than a minute
		// left is not worth a recording.
		for i := 0; limit-total >= time.Minute; i++ {
			r, length := g.recording(i, limit-total)
			total += length
			if !yield(r) {
				return
			}
		}
	}
}

func (r Recording) duration() time.Duration {
	if len(r.Tracks) == 0 || len(r.Tracks[0].Cues) == 0 {
		return 0
	}
	cues := r.Tracks[0].Cues
	return time.Duration(cues[len(cues)-1].EndMS) * time.Millisecond
}

var events = []string{"HRC 55", "HRC 56", "HRC 57", "HRC 58", "HRC 59", "ISTAC launch", "OSCE Alliance", "Expert panel",
	"Press briefing", "Civil society forum", "Regional consultation", "Survivor dialogue"}

// recording generates recording i, at most left long, and its length.
func (g *Generator) recording(i int, left time.Duration) (Recording, time.Duration) {
	rng := rand.New(rand.NewPCG(g.cfg.Seed, uint64(i)))
	length := min(time.Duration(30+rng.IntN(61))*time.Minute, left)
	date := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i*3+rng.IntN(3))
	r := Recording{
		ID:    fmt.Sprintf("rec-%04d", i),
		Title: fmt.Sprintf("Session %d", i),
		Event: events[rng.IntN(len(events))],
		Date:  date.Format("2006-01-02"),
	}
	speakers := make([]string, 2+rng.IntN(5))
	for k := range speakers {
		speakers[k] = fmt.Sprintf("Speaker %d-%d", i, k)
	}
	timing := cueTimes(rng, length, speakers)
	if n := g.cfg.CuesPerTrack; n > 0 && len(timing) > n {
		timing = timing[:n]
	}
	for _, lang := range g.cfg.Langs {
		tr := Track{Lang: lang, Cues: make([]archive.Cue, len(timing))}
		for k, c := range timing {
			c.Text = g.sentence(rng, lang)
			tr.Cues[k] = c
		}
		r.Tracks = append(r.Tracks, tr)
	}
	return r, length
}

// cueTimes lays out cues of 2–6 s with short gaps, and speaker turns.
func cueTimes(rng *rand.Rand, length time.Duration, speakers []string) []archive.Cue {
	var cues []archive.Cue
	speaker := 0
	for at := int64(0); ; {
		d := int64(2000 + rng.IntN(4001))
		if time.Duration(at+d)*time.Millisecond > length {
			return cues
		}
		if rng.IntN(12) == 0 {
			speaker = rng.IntN(len(speakers))
		}
		cues = append(cues, archive.Cue{StartMS: at, EndMS: at + d, Speaker: speakers[speaker]})
		at += d + int64(rng.IntN(400))
	}
}

// sentence is 5–15 words with the first capitalised, perhaps a comma,
// and closing punctuation.
func (g *Generator) sentence(rng *rand.Rand, lang string) string {
	n := 5 + rng.IntN(11)
	words := make([]string, n)
	for k := range words {
		words[k] = g.word(rng, lang)
	}
	words[0] = capitalise(words[0])
	if n > 7 && rng.IntN(2) == 0 {
		words[n/2] += ","
	}
	end := "."
	if rng.IntN(8) == 0 {
		end = "?"
	}
	return strings.Join(words, " ") + end
}

func (g *Generator) word(rng *rand.Rand, lang string) string {
	x := rng.Float64() * g.zipf[len(g.zipf)-1]
	return g.vocab[lang][sort.SearchFloat64s(g.zipf, x)]
}

// Docs turns the recording into index documents as the archive Service
// does: one per cue, Next holding the following cue's text.
func (r Recording) Docs() []archive.CueDoc {
	var docs []archive.CueDoc
	for _, tr := range r.Tracks {
		for i, c := range tr.Cues {
			d := archive.CueDoc{
				RecordingID: r.ID, Title: r.Title, Event: r.Event, Date: r.Date, Lang: tr.Lang,
				Kind: archive.KindInterpretation, Source: archive.SourceMachine, Seq: i,
				StartMS: c.StartMS, EndMS: c.EndMS, Speaker: c.Speaker, Text: c.Text,
			}
			if tr.Lang == "en" {
				d.Kind = archive.KindOriginal
			}
			if i+1 < len(tr.Cues) {
				d.Next = tr.Cues[i+1].Text
			}
			docs = append(docs, d)
		}
	}
	return docs
}

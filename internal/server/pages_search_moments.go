package server

import (
	"cmp"
	"slices"
	"strings"
)

// A moment is what one line of the search results stands for: something
// said once at one time in a recording, found in as many of its languages
// as matched. The tracks of a recording share the floor's timings, so the
// same sentence in its interpretations sits at the same time; cues one
// after the other in one language never overlap.
//
// Precisely: hits of one recording are the same moment when they are in
// different languages and their cue ranges overlap (start_a < end_b and
// start_b < end_a, a cue with no length counting as one millisecond). In
// time order, each hit joins the first moment whose span (from its
// earliest start to its latest end) it overlaps and which has no hit in
// its language yet; otherwise it starts a moment. So a moment holds at
// most one hit per language, and two sentences in a row in one language
// are two moments even where another language's cue spans both.
type momentView struct {
	Clock   string
	Speaker string    // when every language names the same speaker
	Langs   string    // "English, Français": the languages it matched in, when more than one
	Hits    []hitView // one per language, in the index's ranking
	startMS int64
	endMS   int64
}

// groupMoments gathers one recording's hits, in any order, into moments
// in time order.
func groupMoments(hits []hitView) []momentView {
	byTime := slices.Clone(hits)
	slices.SortStableFunc(byTime, func(a, b hitView) int {
		return cmp.Or(cmp.Compare(a.startMS, b.startMS), cmp.Compare(a.endMS, b.endMS))
	})
	var out []momentView
	for _, h := range byTime {
		end := max(h.endMS, h.startMS+1)
		joined := false
		for i := range out {
			m := &out[i]
			if h.startMS < m.endMS && m.startMS < end && !m.has(h.Lang) {
				m.Hits = append(m.Hits, h)
				m.endMS = max(m.endMS, end)
				joined = true
				break
			}
		}
		if !joined {
			out = append(out, momentView{Hits: []hitView{h}, startMS: h.startMS, endMS: end})
		}
	}
	for i := range out {
		out[i].finish()
	}
	return out
}

func (m *momentView) has(lang string) bool {
	return slices.ContainsFunc(m.Hits, func(h hitView) bool { return h.Lang == lang })
}

// finish orders a moment's languages by the index's ranking and says once
// what they share.
func (m *momentView) finish() {
	slices.SortStableFunc(m.Hits, func(a, b hitView) int { return cmp.Compare(a.rank, b.rank) })
	m.Clock = clock(m.startMS)
	m.Speaker = m.Hits[0].Speaker
	names := make([]string, len(m.Hits))
	for i, h := range m.Hits {
		names[i] = h.LangName
		if h.Speaker != m.Speaker {
			m.Speaker = ""
		}
	}
	if m.Speaker != "" {
		for i := range m.Hits {
			m.Hits[i].Speaker = ""
		}
	}
	if len(m.Hits) > 1 {
		m.Langs = strings.Join(names, ", ")
	}
}

// nearOnly is 1 when every hit of the moment needed a near spelling.
func (m momentView) nearOnly() int {
	for _, h := range m.Hits {
		if h.Near == "" {
			return 0
		}
	}
	return 1
}

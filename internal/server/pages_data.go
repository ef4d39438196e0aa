package server

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// pageStore is what the viewer pages need from the archive, always as an
// anonymous viewer: drafts, hidden speakers and withheld passages never
// reach a page. viewerStore adapts *archive.Service to it.
type pageStore interface {
	Page(ctx context.Context, q archive.CatalogQuery) (archive.CatalogPage, error)
	Get(ctx context.Context, id string) (archive.Recording, error)
	Track(ctx context.Context, id, lang string) (archive.Track, []archive.Cue, error)
	Search(ctx context.Context, q archive.SearchQuery) (archive.SearchResult, error)
}

// viewerStore gives the pages the archive as an anonymous viewer sees it.
type viewerStore struct{ svc *archive.Service }

func (v viewerStore) Page(ctx context.Context, q archive.CatalogQuery) (archive.CatalogPage, error) {
	return v.svc.ListPage(ctx, archive.Principal{}, q)
}

func (v viewerStore) Get(ctx context.Context, id string) (archive.Recording, error) {
	rec, _, err := v.svc.Get(ctx, archive.Principal{}, id)
	return rec, err
}

func (v viewerStore) Track(ctx context.Context, id, lang string) (archive.Track, []archive.Cue, error) {
	return v.svc.GetTrack(ctx, archive.Principal{}, id, lang)
}

func (v viewerStore) Search(ctx context.Context, q archive.SearchQuery) (archive.SearchResult, error) {
	return v.svc.Search(ctx, archive.Principal{}, q)
}

// isSample reports whether a recording is demo material that must be
// labelled as such wherever it appears.
func isSample(rec archive.Recording) bool { return rec.Sample }

// watchURL is the page of a recording at a moment (ms < 0: no moment),
// in a language, optionally carrying the search that led there.
func watchURL(id string, ms int64, lang, q string) string {
	v := url.Values{}
	if ms >= 0 {
		v.Set("t", formatSeconds(ms))
	}
	if lang != "" {
		v.Set("lang", lang)
	}
	if q != "" {
		v.Set("q", q)
	}
	u := url.URL{Path: "/watch/" + id, RawQuery: v.Encode()}
	return u.String()
}

// recordingLength is how long a recording is for a timeline: the media's
// duration, or the end of its last cue when the duration is unknown.
func recordingLength(rec archive.Recording, cues []archive.Cue) int64 {
	n := rec.DurationMS
	for _, c := range cues {
		n = max(n, c.EndMS)
	}
	return n
}

// timeline is a thin strip showing where moments fall in a recording.
type timeline struct {
	Show        bool
	DurationSec string
	Playhead    string
	Range       *span
	Marks       []mark
	Label       string
}

type span struct{ X, W string }

type mark struct {
	X, W  string
	Sec   string
	URL   string
	Label string
}

// pos maps a time to the strip's 0–1000 coordinate space.
func pos(ms, length int64) float64 {
	if length <= 0 {
		return 0
	}
	return min(1000, max(0, float64(ms)*1000/float64(length)))
}

func coord(f float64) string {
	return strings.TrimRight(strings.TrimRight(strconv.FormatFloat(f, 'f', 1, 64), "0"), ".")
}

// newMark places a clickable mark for a moment; marks are at least 6 units
// wide so a finger or a pointer can find them.
func newMark(startMS, length int64, href, label string) mark {
	x := min(pos(startMS, length), 994)
	return mark{X: coord(x), W: "6", Sec: formatSeconds(startMS), URL: href, Label: label}
}

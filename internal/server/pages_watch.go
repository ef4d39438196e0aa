package server

import (
	"cmp"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

type watchPage struct {
	pageBase
	Rec        archive.Recording
	MetaLang   string // the language of the recording's metadata
	Sample     bool
	DateText   string
	Duration   string
	MediaURL   string
	PosterURL  string
	JSONLD     template.JS // the VideoObject (pages_jsonld.go); "" without media
	Lang       string
	LangName   string
	TrackAbout string
	Tracks     []trackView
	Speakers   []archive.Speaker
	StartSec   string
	EndSec     string
	Cues       []cueView
	Window     transcriptWindow
	Timeline   timeline
	RangeText  string
	MomentURL  string
	WholeURL   string
	Matches    matchNav
	Downloads  []download
	Turns      []speakerTurns
	Segments   []segment
	// The passage tools (quote.js): the passage the page opened with, as a
	// link that keeps t and end, and the limits of a quote.
	PassageURL   string
	PassageEnds  []passageEnd
	QuoteMaxMS   int64
	QuoteMaxCues int
	// Share is what a shared link is previewed with (pages_share.go).
	Share shareTags
}

// passageEnd is one end of the passage in the passage tools.
type passageEnd struct{ Which, Label string }

// matchNav is the way through a search's matches in this recording: the
// count, the matches before and after the moment, back to the results.
type matchNav struct {
	Query      string // the query as typed, for the in-recording search box
	Text       string // "3 matches for …"
	Prev, Next string // watch URLs, "" at the ends
	ResultsURL string
	Count      int
}

type download struct{ Label, URL string }

// trackKind is a track's kind for the player: the floor language's
// transcript is the recording's captions (what was said, as said, with
// who said it) for viewers who cannot hear it; an interpretation is
// subtitles, a translation. Players mark captions as such (CC), and a
// video with none fails WCAG 1.2.2.
func trackKind(t archive.Track) string {
	if t.Kind == archive.KindOriginal {
		return "captions"
	}
	return "subtitles"
}

type trackView struct {
	Lang    string
	Label   string
	Kind    string // the <track> kind: see trackKind
	Src     string
	URL     string
	About   string
	Current bool
}

type cueView struct {
	Index   int
	Start   string
	End     string
	Clock   string
	Speaker string
	Turn    bool // the speaker changes here: the name shows
	Text    any  // string, or template.HTML with the matches marked
	URL     string
	Current bool
	InRange bool
	Match   bool
}

// watchParams are the watch page's query: a moment, an optional end, a
// subtitle language and the search that led here.
type watchParams struct {
	startMS, endMS int64 // -1 when absent
	lang, q        string
}

// A malformed t or end is ignored rather than refused: a shared link with
// a typo should still open the recording.
func readWatchParams(c echo.Context) watchParams { return parseWatchParams(c.QueryParams()) }

// parseWatchParams reads a watch URL's query (the page's, or one that
// oEmbed is asked about).
func parseWatchParams(q url.Values) watchParams {
	wp := watchParams{startMS: -1, endMS: -1, lang: q.Get("lang"), q: strings.TrimSpace(q.Get("q"))}
	if ms, err := parseMoment(q.Get("t")); err == nil {
		wp.startMS = ms
	}
	if ms, err := parseMoment(q.Get("end")); err == nil && ms > max(wp.startMS, 0) {
		wp.endMS = ms
	}
	return wp
}

// watch serves GET /watch/:id.
func (p *pages) watch(c echo.Context) error {
	if p.err != nil {
		return p.err
	}
	ctx := c.Request().Context()
	id := c.Param("id")
	rec, err := p.store.Get(ctx, id)
	if err != nil {
		return p.renderError(c, err)
	}
	wp := readWatchParams(c)
	base := p.base(c, "watch", rec.Title)
	lang := chooseTrack(rec.Tracks, wp.lang, base.UI.Lang())
	var track archive.Track
	var cues []archive.Cue
	if lang != "" {
		track, cues, err = p.store.Track(ctx, id, lang)
		if err != nil {
			return p.renderError(c, err)
		}
	}
	var hits []archive.Hit
	if wp.q != "" && lang != "" {
		var refused bool
		if hits, refused = p.matchesIn(c, id, lang, wp.q); refused {
			wp.q = "" // every cue links with q: never a query the archive refuses
		}
	}
	if wp.startMS < 0 && len(hits) > 0 {
		wp.startMS = hits[0].StartMS // a search within the recording opens at its first match
	}
	base.Query = wp.q
	base.Canonical = p.abs(c.Request(), "/watch/"+rec.ID)
	base.Description = watchDescription(base, rec)
	data := buildWatch(base, rec, track, lang, cues, wp, hits)
	data.Share = watchShare(base, rec, wp, lang, p.origin(c.Request()))
	data.JSONLD = watchJSONLD(p.origin(c.Request()), rec, base.Description, cues)
	return p.render(c, http.StatusOK, "watch", data)
}

// watchDescription is the recording's description as viewers see it
// (names and redactions already applied by the archive), else a sentence
// made of its event, date, place and subtitle languages.
func watchDescription(base pageBase, rec archive.Recording) string {
	if d := metaText(rec.Description, maxMetaDescription); d != "" {
		return d
	}
	date := ""
	if rec.Date != "" {
		date = dateText(base.UI, rec.Date)
	}
	var langs []string
	for _, t := range rec.Tracks {
		langs = append(langs, langName(t.Lang))
	}
	about := cmp.Or(joinNonEmpty(" · ", rec.Event, date, rec.Place), rec.Title)
	if len(langs) == 0 {
		return metaText(about, maxMetaDescription)
	}
	return metaText(base.T("watch.description", about, strings.Join(langs, ", ")), maxMetaDescription)
}

// matchesIn finds the other moments of a search in this recording and
// language, and reports whether the archive refused the query (too long,
// too many words). The page works without them, so a search failure only
// logs.
func (p *pages) matchesIn(c echo.Context, id, lang, q string) (hits []archive.Hit, refused bool) {
	res, err := p.store.Search(c.Request().Context(), archive.SearchQuery{
		Text: q, RecordingID: id, Langs: []string{lang}, Page: 1, PerPage: 100,
	})
	if err != nil {
		if !errors.Is(err, archive.ErrInvalid) {
			p.log.Warn("watch: matches unavailable", "recording", id, "err", err)
		}
		return nil, errors.Is(err, archive.ErrInvalid)
	}
	// The query asked for this recording and language; keep only those in
	// case an index answers more broadly.
	hits = res.Hits[:0:0]
	for _, h := range res.Hits {
		if h.RecordingID == id && sameLang(h.Lang, lang) {
			hits = append(hits, h)
		}
	}
	slices.SortFunc(hits, func(a, b archive.Hit) int { return cmp.Compare(a.StartMS, b.StartMS) })
	return hits, false
}

// chooseTrack picks the subtitle language: the one asked for, else the
// interface language, else the floor language, else the first track.
func chooseTrack(tracks []archive.Track, asked, ui string) string {
	for _, want := range []string{asked, ui} {
		for _, t := range tracks {
			if want != "" && sameLang(t.Lang, want) {
				return t.Lang
			}
		}
	}
	for _, t := range tracks {
		if t.Kind == archive.KindOriginal {
			return t.Lang
		}
	}
	if len(tracks) > 0 {
		return tracks[0].Lang
	}
	return ""
}

func buildWatch(base pageBase, rec archive.Recording, track archive.Track, lang string, cues []archive.Cue, wp watchParams, hits []archive.Hit) watchPage {
	d := watchPage{
		pageBase: base, Rec: rec, Sample: isSample(rec), Lang: lang, Speakers: rec.Speakers,
		DateText: dateText(base.UI, rec.Date), Duration: durationText(base.UI, rec.DurationMS),
		StartSec: formatSeconds(max(wp.startMS, 0)),
		WholeURL: watchURL(rec.ID, -1, lang, ""),
	}
	if rec.Date == "" {
		d.DateText = ""
	}
	d.MetaLang = rec.MetaLang()
	if rec.Media != nil {
		d.MediaURL = "/media/" + rec.ID
		d.PosterURL = posterURL(rec.ID, archive.PosterVersion(rec.Poster))
	}
	if lang != "" {
		d.LangName = langName(lang)
		d.TrackAbout = trackAbout(base, track)
	}
	d.MomentURL = watchURL(rec.ID, max(wp.startMS, 0), lang, "")
	for _, t := range rec.Tracks {
		d.Tracks = append(d.Tracks, trackView{
			Lang: t.Lang, Label: langName(t.Lang), Current: t.Lang == lang, Kind: trackKind(t),
			Src:   "/api/v1/recordings/" + rec.ID + "/tracks/" + t.Lang + ".vtt",
			URL:   switchURL(rec.ID, t.Lang, wp),
			About: trackAbout(base, t),
		})
	}
	length := recordingLength(rec, cues)
	d.Cues, d.Window = cueViews(rec.ID, lang, cues, wp, hits)
	texts := make(map[int]string, len(d.Cues))
	for i := range d.Cues {
		texts[d.Window.From+i] = shownText(base, cues[d.Window.From+i])
	}
	marks := cueMarks(wp.q, cues, texts, hits)
	for i := range d.Cues {
		if m, ok := marks[d.Window.From+i]; ok {
			d.Cues[i].Text, d.Cues[i].Match = m, true
		} else {
			d.Cues[i].Text = texts[d.Window.From+i]
		}
	}
	if lang != "" {
		for _, f := range [][2]string{{"vtt", "WebVTT"}, {"srt", "SubRip"}, {"ttml", "TTML"}, {"txt", base.T("watch.download.txt")}} {
			d.Downloads = append(d.Downloads, download{Label: f[1] + " (." + f[0] + ")", URL: "/api/v1/recordings/" + rec.ID + "/tracks/" + lang + "." + f[0]})
		}
	}
	d.Turns = turnsOf(rec.ID, lang, cues)
	d.Segments = segmentsOf(cues, length)
	d.Timeline = timeline{Show: length > 0, DurationSec: formatSeconds(length), Playhead: coord(pos(max(wp.startMS, 0), length))}
	if wp.endMS > 0 {
		d.EndSec = formatSeconds(wp.endMS)
		start := max(wp.startMS, 0)
		d.RangeText = base.T("watch.range", clock(start), clock(wp.endMS))
		x := pos(start, length)
		d.Timeline.Range = &span{X: coord(x), W: coord(max(2, pos(wp.endMS, length)-x))}
		d.PassageURL = watchURL(rec.ID, start, lang, "") + "&end=" + formatSeconds(wp.endMS)
	}
	d.PassageEnds = []passageEnd{{"start", base.T("passage.start")}, {"end", base.T("passage.end")}}
	d.QuoteMaxMS, d.QuoteMaxCues = archive.MaxQuoteDuration.Milliseconds(), archive.MaxQuoteCues
	for _, h := range hits {
		label := base.T("watch.mark", clock(h.StartMS))
		d.Timeline.Marks = append(d.Timeline.Marks, newMark(h.StartMS, length, watchURL(rec.ID, h.StartMS, lang, wp.q), label))
	}
	// The strip repeats the video's own progress bar unless it has a range
	// or matches to show.
	d.Timeline.Show = length > 0 && (d.Timeline.Range != nil || len(d.Timeline.Marks) > 0)
	d.Matches = matchesNav(base, rec.ID, lang, wp, hits)
	return d
}

// switchURL is the same moment in another language.
func switchURL(id, lang string, wp watchParams) string {
	u := watchURL(id, wp.startMS, lang, wp.q)
	if wp.endMS > 0 {
		u += "&end=" + formatSeconds(wp.endMS)
	}
	return u
}

func trackAbout(base pageBase, t archive.Track) string {
	var parts []string
	if k := kindText(base, t.Kind); k != "" {
		parts = append(parts, k)
	}
	if t.Source != "" {
		parts = append(parts, base.T("source."+string(t.Source)))
	}
	return strings.Join(parts, " · ")
}

// cueViews lays out the window of the transcript around t
// (pages_window.go): each cue links to its moment; the cue playing at t
// is current, cues inside [t, end) are the quoted range and cues where a
// search hit starts are matches.
func cueViews(id, lang string, cues []archive.Cue, wp watchParams, hits []archive.Hit) ([]cueView, transcriptWindow) {
	starts := make([]int64, 0, len(hits))
	for _, h := range hits {
		starts = append(starts, h.StartMS)
	}
	current := -1
	if wp.startMS >= 0 {
		current = cueAt(cues, wp.startMS)
	}
	w := windowAround(id, lang, wp.q, cues, current)
	out := make([]cueView, 0, w.To-w.From)
	for i := w.From; i < w.To; i++ {
		c := cues[i]
		out = append(out, cueView{
			Index: i + 1, Start: formatSeconds(c.StartMS), End: formatSeconds(c.EndMS),
			Clock: clock(c.StartMS), Speaker: c.Speaker, Text: c.Text,
			Turn:    c.Speaker != "" && (i == w.From || cues[i-1].Speaker != c.Speaker),
			URL:     watchURL(id, c.StartMS, lang, wp.q),
			Current: i == current,
			InRange: wp.endMS > 0 && c.StartMS < wp.endMS && c.EndMS > max(wp.startMS, 0),
			Match:   slices.Contains(starts, c.StartMS),
		})
	}
	return out, w
}

// cueAt is the cue being spoken at ms or, in a pause, the next one: the
// first cue that has not ended yet (cues are in start order). -1 after the
// last cue. app.js follows the same rule during playback.
func cueAt(cues []archive.Cue, ms int64) int {
	for i, c := range cues {
		if c.EndMS > ms {
			return i
		}
	}
	return -1
}

// matchesNav places the moment among the search's matches (in time
// order): the previous is the last one starting before the moment, the
// next the first one after it.
func matchesNav(base pageBase, id, lang string, wp watchParams, hits []archive.Hit) matchNav {
	m := matchNav{Query: wp.q}
	if wp.q == "" {
		return m
	}
	m.ResultsURL = "/search?" + url.Values{"q": {wp.q}}.Encode()
	m.Count = len(hits)
	// The query's own quotes would double the caption's.
	m.Text = base.N("watch.matches", len(hits), strings.Trim(wp.q, `"' `))
	at := max(wp.startMS, 0)
	for _, h := range hits {
		switch {
		case h.StartMS < at:
			m.Prev = watchURL(id, h.StartMS, lang, wp.q)
		case h.StartMS > at && m.Next == "":
			m.Next = watchURL(id, h.StartMS, lang, wp.q)
		}
	}
	return m
}

// speakerTurns is one speaker's turns in the track: where each starts.
type speakerTurns struct {
	Name  string
	Turns []turn
	More  int // turns left out of the list
}

type turn struct{ Clock, URL, Sec string }

// maxTurns bounds each speaker's list: a six-hour track of short
// exchanges stays a short page.
const maxTurns = 30

// turnsOf lists the speakers in order of first appearance, each with the
// moments their turns start (a turn: consecutive cues of one speaker).
func turnsOf(id, lang string, cues []archive.Cue) []speakerTurns {
	var out []speakerTurns
	at := map[string]int{}
	prev := ""
	for _, c := range cues {
		if c.Speaker == "" || c.Speaker == prev {
			prev = c.Speaker
			continue
		}
		prev = c.Speaker
		k, ok := at[c.Speaker]
		if !ok {
			k = len(out)
			at[c.Speaker] = k
			out = append(out, speakerTurns{Name: c.Speaker})
		}
		if len(out[k].Turns) == maxTurns {
			out[k].More++
			continue
		}
		out[k].Turns = append(out[k].Turns, turn{Clock: clock(c.StartMS), URL: watchURL(id, c.StartMS, lang, ""), Sec: formatSeconds(c.StartMS)})
	}
	return out
}

// segment is a speaker's turn drawn on the strip under the video.
type segment struct {
	X, W, Sec, Name string
	Shade           int // one of speakerShades, per speaker
}

const (
	speakerShades = 4
	maxSegments   = 500
)

// segmentsOf draws the turns on a 0–1000 strip, scaled to the
// recording's length; a track of more than maxSegments turns is not drawn
// (the list of turns still gives them).
func segmentsOf(cues []archive.Cue, length int64) []segment {
	if length <= 0 {
		return nil
	}
	var out []segment
	shade := map[string]int{}
	for i := 0; i < len(cues); {
		j := i
		for j+1 < len(cues) && cues[j+1].Speaker == cues[i].Speaker {
			j++
		}
		if name := cues[i].Speaker; name != "" {
			if _, ok := shade[name]; !ok {
				shade[name] = len(shade) % speakerShades
			}
			x := pos(cues[i].StartMS, length)
			out = append(out, segment{X: coord(x), W: coord(max(1, pos(cues[j].EndMS, length)-x)), Sec: formatSeconds(cues[i].StartMS), Name: name, Shade: shade[name]})
			if len(out) > maxSegments {
				return nil
			}
		}
		i = j + 1
	}
	return out
}

package server

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// searchPerPage is how many moments one results page shows.
const searchPerPage = 20

type searchPage struct {
	pageBase
	Lang        string
	Speaker     string
	Event       string
	Unavailable bool
	Invalid     bool
	InvalidText string // what is too big, when the query is over a limit
	LangOptions []option
	Filters     []filter
	Facets      []facet
	Summary     string
	Spelling    *spellingNotice // a query word was corrected
	NearLater   bool            // the total counts exact matches only (the index skipped near spellings)
	Groups      []resultGroup
	None        *noResults // when nothing matched
	Pages       []pageLink
	PrevURL     string
	NextURL     string
}

type option struct {
	Value, Name string
	Selected    bool
}

type filter struct{ Label, RemoveURL, RemoveLabel string }

type facet struct {
	Title   string
	Options []facetOption
}

type facetOption struct {
	Name, Lang, URL string
	Count           int
	Selected        bool
}

type resultGroup struct {
	ID         string
	Title      string
	MetaLang   string // the language of title and event; "" unknown
	Event      string
	EventURL   string // narrows the search to this event
	EventTitle string
	Date       string
	DateText   string
	WatchURL   string
	Duration   string // "" when unknown
	Sample     bool
	Timeline   timeline
	Moments    []momentView
	hits       []hitView
}

type hitView struct {
	URL       string
	Clock     string
	Lang      string
	LangName  string
	Kind      string // original speech or interpretation: what a quote is
	Speaker   string
	Highlight any    // template.HTML once checked, else the plain text
	Near      string // "near spelling: trafficking", on a hit that needed one
	startMS   int64
	endMS     int64
	text      string
	rank      int // place in the index's ranking
}

type pageLink struct {
	N       int
	URL     string
	Label   string
	Current bool
}

// searchParams is the search page's query string.
type searchParams struct {
	q, lang, speaker, event string
	page                    int
}

func readSearchParams(c echo.Context) searchParams {
	sp := searchParams{
		q:       strings.TrimSpace(c.QueryParam("q")),
		lang:    strings.TrimSpace(c.QueryParam("lang")),
		speaker: strings.TrimSpace(c.QueryParam("speaker")),
		event:   strings.TrimSpace(c.QueryParam("event")),
		page:    1,
	}
	if n, err := strconv.Atoi(c.QueryParam("page")); err == nil && n > 1 && n <= 1000 {
		sp.page = n
	}
	return sp
}

// url is this search with some parameters changed; page resets to 1
// unless set.
func (sp searchParams) url(change func(*searchParams)) string {
	n := sp
	n.page = 1
	change(&n)
	v := url.Values{}
	for _, kv := range [][2]string{{"q", n.q}, {"lang", n.lang}, {"speaker", n.speaker}, {"event", n.event}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if n.page > 1 {
		v.Set("page", strconv.Itoa(n.page))
	}
	return (&url.URL{Path: "/search", RawQuery: v.Encode()}).String()
}

// search serves GET /search.
func (p *pages) search(c echo.Context) error {
	if p.err != nil {
		return p.err
	}
	sp := readSearchParams(c)
	var res archive.SearchResult
	var err error
	if sp.q != "" {
		q := archive.SearchQuery{Text: sp.q, Event: sp.event, Page: sp.page, PerPage: searchPerPage}
		if sp.lang != "" {
			q.Langs = []string{sp.lang}
		}
		if sp.speaker != "" {
			q.Speakers = []string{sp.speaker}
		}
		res, err = p.store.Search(c.Request().Context(), q)
	}
	var qe *archive.QueryError
	if errors.As(err, &qe) && qe.What == "characters" {
		// The page echoes the query in its title, its form and its links:
		// no more of it than the archive would search.
		sp.q = clipRunes(sp.q, qe.Max)
	}
	base := p.base(c, "search", "")
	base.Title = base.T("search.title")
	base.Query = sp.q
	if sp.q != "" {
		base.Title = sp.q + " · " + base.Title
	}
	// The bare search page is indexed; result pages are not (they are
	// endless, and the watch pages they lead to are in the sitemap), but
	// their links are followed.
	base.Description = metaText(base.T("search.description"), maxMetaDescription)
	if sp.q == "" && sp.lang == "" && sp.speaker == "" && sp.event == "" {
		base.Canonical = p.abs(c.Request(), "/search")
	} else {
		base.Robots = "noindex, follow"
	}
	data := searchPage{pageBase: base, Lang: sp.lang, Speaker: sp.speaker, Event: sp.event}
	data.Filters = searchFilters(base, sp)
	if sp.q == "" {
		data.LangOptions = langOptions(p.i18n.Langs(), nil, sp.lang)
		return p.render(c, http.StatusOK, "search", data)
	}
	switch {
	case errors.Is(err, archive.ErrUnavailable):
		p.log.Warn("search page: index unavailable", "err", err)
		data.Unavailable = true
		data.LangOptions = langOptions(p.i18n.Langs(), nil, sp.lang)
		return p.render(c, http.StatusServiceUnavailable, "search", data)
	case errors.Is(err, archive.ErrInvalid):
		// Say so next to the form the viewer can correct.
		data.Invalid = true
		data.InvalidText = queryErrorText(base, qe)
		data.LangOptions = langOptions(p.i18n.Langs(), nil, sp.lang)
		return p.render(c, http.StatusBadRequest, "search", data)
	case err != nil:
		return p.renderError(c, err)
	}
	data.LangOptions = langOptions(p.i18n.Langs(), res.Facets.Lang, sp.lang)
	data.Facets = searchFacets(base, sp, res.Facets)
	data.Groups = p.groupHits(c, base, sp, res.Hits)
	data.Spelling = newSpellingNotice(base, sp, res.Corrections)
	data.NearLater = res.NearSkipped && res.Total > 0
	switch {
	case res.Total == 0:
		data.Summary = base.T("search.none", sp.q)
		data.None = noResultsFor(sp)
	case res.TotalIsLowerBound:
		data.Summary = base.T("search.results.more", res.Total, sp.q)
	case sp.page == 1 && res.Total == len(res.Hits):
		// Every hit is on this page: count moments, a sentence found in
		// three languages once.
		data.Summary = base.N("search.results", countMoments(data.Groups), sp.q)
	default:
		// The index counts hits, one per language; moments are only
		// known on the page that shows them.
		data.Summary = base.N("search.matches", res.Total, sp.q)
	}
	data.Pages, data.PrevURL, data.NextURL = pagination(base, sp, res.Total, cmp.Or(res.PerPage, searchPerPage))
	return p.render(c, http.StatusOK, "search", data)
}

// groupHits gathers moments by recording, in the order the index ranked
// them, and draws each recording's strip of matches.
func (p *pages) groupHits(c echo.Context, base pageBase, sp searchParams, hits []archive.Hit) []resultGroup {
	q := sp.q
	var groups []resultGroup
	index := map[string]int{}
	for rank, h := range hits {
		i, ok := index[h.RecordingID]
		if !ok {
			i = len(groups)
			index[h.RecordingID] = i
			groups = append(groups, resultGroup{
				ID: h.RecordingID, Title: h.Title, Event: h.Event, Date: h.Date,
				DateText: dateText(base.UI, h.Date), WatchURL: watchURL(h.RecordingID, -1, "", ""),
			})
			if h.Event != "" && h.Event != sp.event {
				event := h.Event
				groups[i].EventURL = sp.url(func(n *searchParams) { n.event = event })
				groups[i].EventTitle = base.T("search.event.only")
			}
			if h.Date == "" {
				groups[i].DateText = ""
			}
		}
		groups[i].hits = append(groups[i].hits, hitView{
			URL: hitURL(h, q), Clock: clock(h.StartMS), Lang: h.Lang, LangName: langName(h.Lang), Kind: kindText(base, h.Kind),
			Speaker: h.Speaker, Highlight: safeHighlight(h.Highlight, h.Text), Near: nearLabel(base, h),
			startMS: h.StartMS, endMS: h.EndMS, text: h.Text, rank: rank,
		})
	}
	for i := range groups {
		g := &groups[i]
		// Groups keep the ranking; inside one recording the moments read
		// in time order, like the strip above them, one sentence in
		// several languages as one moment.
		g.Moments = groupMoments(g.hits)
		// Exact matches first, as the index ranked them: a moment found
		// only by near spellings follows every one found as spelt.
		slices.SortStableFunc(g.Moments, func(a, b momentView) int { return cmp.Compare(a.nearOnly(), b.nearOnly()) })
		rec, err := p.store.Get(c.Request().Context(), g.ID)
		if err != nil {
			continue // removed since it was indexed: the hits still show, without a strip
		}
		g.Sample = isSample(rec)
		g.MetaLang = rec.MetaLang()
		g.Duration = durationText(base.UI, rec.DurationMS)
		g.Timeline = groupTimeline(base, p.timelineLength(c.Request().Context(), rec), g.Title, g.Moments)
	}
	return groups
}

// countMoments is how many moments the groups show.
func countMoments(groups []resultGroup) int {
	n := 0
	for _, g := range groups {
		n += len(g.Moments)
	}
	return n
}

// timelineLength is what a recording's strip spans: its duration, or
// where its last cue ends when the duration is unknown (no ffprobe at
// upload). Never the last hit: a strip scaled to its own marks puts a
// lone match at the far right whatever its moment.
func (p *pages) timelineLength(ctx context.Context, rec archive.Recording) int64 {
	if rec.DurationMS > 0 || len(rec.Tracks) == 0 {
		return rec.DurationMS
	}
	_, cues, err := p.store.Track(ctx, rec.ID, rec.Tracks[0].Lang)
	if err != nil {
		return 0
	}
	var end int64
	for _, c := range cues {
		end = max(end, c.EndMS)
	}
	return end
}

// groupTimeline draws a recording's moments on a strip length ms long,
// one mark each; a hit past the end (a duration probed short) widens it.
func groupTimeline(base pageBase, length int64, title string, moments []momentView) timeline {
	for _, m := range moments {
		for _, h := range m.Hits {
			length = max(length, h.endMS)
		}
	}
	tl := timeline{Show: length > 0, Label: base.T("search.timeline", title)}
	for _, m := range moments {
		first := m.Hits[0]
		who := cmp.Or(m.Speaker, first.Speaker, first.text)
		label := base.T("search.mark", m.Clock, cmp.Or(m.Langs, first.LangName), who)
		tl.Marks = append(tl.Marks, newMark(m.startMS, length, first.URL, label))
	}
	return tl
}

// hitURL opens the watch page at the hit's second and language, carrying
// the query so the watch page can mark the other matches. The index's URL
// is used only when it points at a watch page.
func hitURL(h archive.Hit, q string) string {
	u, err := url.Parse(h.URL)
	if err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(u.Path, "/watch/") {
		return watchURL(h.RecordingID, h.StartMS, h.Lang, q)
	}
	v := u.Query()
	v.Set("q", q)
	u.RawQuery = v.Encode()
	return u.String()
}

func kindText(base pageBase, k archive.Kind) string {
	if k != archive.KindOriginal && k != archive.KindInterpretation {
		return ""
	}
	return base.T("track." + string(k))
}

// queryErrorText says which limit a query is over, in the viewer's
// language; "" for other invalid queries.
func queryErrorText(base pageBase, qe *archive.QueryError) string {
	switch {
	case qe == nil:
		return ""
	case qe.What == "characters":
		return base.T("search.toolong", qe.Got, qe.Max)
	case qe.What == "words":
		return base.T("search.toomany", qe.Got, qe.Max)
	}
	return ""
}

// clipRunes is s cut to at most n characters.
func clipRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

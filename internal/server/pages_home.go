package server

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

type homePage struct {
	pageBase
	Events     []homeEvent
	HasSamples bool
	// Filter says what the page is narrowed to ("" on the plain home);
	// AllURL leads back to every recording.
	Filter  string
	AllURL  string
	Empty   bool
	Pages   string // "Page 2 of 7", when there is more than one
	PrevURL string
	NextURL string
}

type homeEvent struct {
	Name       string
	URL        string // the event's page; "" for recordings without an event
	Recordings []homeRecording
}

type homeRecording struct {
	Title    string
	MetaLang string // the language of title, place and speaker names; "" unknown
	WatchURL string
	Date     string
	DateText string
	YearURL  string
	Place    string
	Duration string
	Poster   string // the poster frame's URL, "" for none
	Langs    []langView
	Speakers []linkView
	Sample   bool
}

type langView struct{ Tag, Name, URL string }

type linkView struct{ Text, URL string }

// homePerPage is how many recordings one page of the home (or of an
// event, a year, a language, a speaker) shows.
const homePerPage = 30

// browse is the home's query string: which recordings, which page.
type browse struct {
	event, year, lang, speaker string
	page                       int
}

func readBrowse(c echo.Context) browse {
	b := browse{
		event: c.Param("slug"), year: strings.TrimSpace(c.QueryParam("year")),
		lang: strings.TrimSpace(c.QueryParam("lang")), speaker: strings.TrimSpace(c.QueryParam("speaker")), page: 1,
	}
	if n, err := strconv.Atoi(c.QueryParam("page")); err == nil && n > 1 && n <= 10_000 {
		b.page = n
	}
	return b
}

// url is this listing at another page.
func (b browse) url(page int) string {
	path := "/"
	if b.event != "" {
		path = "/events/" + url.PathEscape(b.event)
	}
	v := url.Values{}
	for _, kv := range [][2]string{{"year", b.year}, {"lang", b.lang}, {"speaker", b.speaker}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return (&url.URL{Path: path, RawQuery: v.Encode()}).String()
}

// home serves GET / and GET /events/:slug: a page of the published
// recordings, newest first, grouped by event, narrowed by ?year=, ?lang=
// and ?speaker= when given. It reads the catalog, not the manifests.
func (p *pages) home(c echo.Context) error {
	if p.err != nil {
		return p.err
	}
	b := readBrowse(c)
	q := archive.CatalogQuery{Event: b.event, Lang: b.lang, Speaker: b.speaker, Page: b.page, PerPage: homePerPage}
	if len(b.year) == 4 && strings.Trim(b.year, "0123456789") == "" {
		q.Year = b.year
	} else {
		b.year = ""
	}
	res, err := p.store.Page(c.Request().Context(), q)
	if errors.Is(err, archive.ErrInvalid) && q.Lang != "" {
		b.lang, q.Lang = "", "" // an unreadable language narrows nothing
		res, err = p.store.Page(c.Request().Context(), q)
	}
	if err != nil {
		return p.renderError(c, err)
	}
	if b.event != "" && res.Total == 0 {
		return p.renderError(c, archive.NewError(archive.ErrNotFound, "no published recordings of this event"))
	}
	base := p.base(c, "home", "")
	base.Title = base.T("home.title")
	data := homePage{pageBase: base, Empty: res.Total == 0}
	byEvent := map[string]int{}
	for _, rec := range res.Recordings {
		i, ok := byEvent[rec.Event]
		if !ok {
			i = len(data.Events)
			byEvent[rec.Event] = i
			ev := homeEvent{Name: rec.Event, URL: "/events/" + url.PathEscape(archive.EventSlug(rec.Event))}
			if rec.Event == "" || archive.EventSlug(rec.Event) == "" {
				ev = homeEvent{Name: base.T("home.other")}
			}
			data.Events = append(data.Events, ev)
		}
		hr := homeRecordingOf(base, rec)
		data.HasSamples = data.HasSamples || hr.Sample
		data.Events[i].Recordings = append(data.Events[i].Recordings, hr)
	}
	data.Filter = b.filterText(base, res)
	if data.Filter != "" {
		data.AllURL = "/"
		data.pageBase.Title = data.Filter
	}
	canon := b
	if b.event != "" && len(res.Recordings) > 0 {
		canon.event = archive.EventSlug(res.Recordings[0].Event) // /events/HRC%2057 is /events/hrc-57
	}
	data.Canonical = p.abs(c.Request(), canon.url(b.page))
	data.Description = metaText(base.T("home.lead"), maxMetaDescription)
	if data.Filter != "" {
		data.Description = metaText(base.T("home.description.filtered", data.Filter), maxMetaDescription)
	}
	if res.Total == 0 || len(res.Recordings) == 0 {
		data.Robots = "noindex" // nothing here, or a page past the end
	}
	if last := (res.Total + homePerPage - 1) / homePerPage; last > 1 {
		data.Pages = base.T("home.page", b.page, last)
		if b.page > 1 {
			data.PrevURL = b.url(min(b.page-1, last))
		}
		if b.page < last {
			data.NextURL = b.url(b.page + 1)
		}
	}
	return p.render(c, http.StatusOK, "home", data)
}

// filterText names what the listing is narrowed to, in the viewer's
// language: the event by its name as the recordings give it.
func (b browse) filterText(base pageBase, res archive.CatalogPage) string {
	var parts []string
	if b.event != "" && len(res.Recordings) > 0 {
		parts = append(parts, res.Recordings[0].Event)
	}
	if b.year != "" {
		parts = append(parts, base.T("home.in_year", b.year))
	}
	if b.lang != "" {
		parts = append(parts, base.T("home.in_lang", langName(b.lang)))
	}
	if b.speaker != "" {
		parts = append(parts, base.T("home.with_speaker", b.speaker))
	}
	return strings.Join(parts, " · ")
}

func homeRecordingOf(base pageBase, rec archive.Summary) homeRecording {
	hr := homeRecording{
		Title:    rec.Title,
		MetaLang: rec.MetadataLang,
		WatchURL: watchURL(rec.ID, -1, "", ""),
		Date:     rec.Date,
		DateText: dateText(base.UI, rec.Date),
		Place:    rec.Place,
		Duration: durationText(base.UI, rec.DurationMS),
		Poster:   posterURL(rec.ID, rec.Poster),
		Sample:   rec.Sample,
	}
	if rec.Date == "" {
		hr.DateText = ""
	}
	if len(rec.Date) >= 4 {
		hr.YearURL = browse{year: rec.Date[:4]}.url(1)
	}
	for _, l := range rec.Languages {
		hr.Langs = append(hr.Langs, langView{Tag: l, Name: langName(l), URL: browse{lang: l}.url(1)})
	}
	for _, name := range rec.Speakers {
		hr.Speakers = append(hr.Speakers, linkView{Text: name, URL: browse{speaker: name}.url(1)})
	}
	return hr
}

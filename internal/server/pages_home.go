package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

type homePage struct {
	pageBase
	Events     []homeEvent
	HasSamples bool
}

type homeEvent struct {
	Name       string
	Recordings []homeRecording
}

type homeRecording struct {
	Title    string
	WatchURL string
	Date     string
	DateText string
	Place    string
	Duration string
	Langs    []langView
	Speakers []string
	Sample   bool
}

type langView struct{ Tag, Name string }

// home serves GET /: the published recordings, grouped by event, newest
// first.
func (p *pages) home(c echo.Context) error {
	if p.err != nil {
		return p.err
	}
	recs, err := p.store.List(c.Request().Context())
	if err != nil {
		return p.renderError(c, err)
	}
	base := p.base(c, "home", "")
	base.Title = base.T("home.title")
	data := homePage{pageBase: base}
	byEvent := map[string]int{}
	for _, rec := range recs {
		i, ok := byEvent[rec.Event]
		if !ok {
			i = len(data.Events)
			byEvent[rec.Event] = i
			name := rec.Event
			if name == "" {
				name = base.T("home.other")
			}
			data.Events = append(data.Events, homeEvent{Name: name})
		}
		hr := homeRecordingOf(base, rec)
		data.HasSamples = data.HasSamples || hr.Sample
		data.Events[i].Recordings = append(data.Events[i].Recordings, hr)
	}
	return p.render(c, http.StatusOK, "home", data)
}

func homeRecordingOf(base pageBase, rec archive.Recording) homeRecording {
	hr := homeRecording{
		Title:    rec.Title,
		WatchURL: watchURL(rec.ID, -1, "", ""),
		Date:     rec.Date,
		DateText: dateText(base.UI, rec.Date),
		Place:    rec.Place,
		Duration: durationText(base.UI, rec.DurationMS),
		Sample:   isSample(rec),
	}
	if rec.Date == "" {
		hr.DateText = ""
	}
	for _, l := range rec.Languages {
		hr.Langs = append(hr.Langs, langView{Tag: l, Name: langName(l)})
	}
	for _, sp := range rec.Speakers {
		hr.Speakers = append(hr.Speakers, sp.Name)
	}
	return hr
}

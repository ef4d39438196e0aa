package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/card"
	"github.com/verbatim-archive/verbatim/internal/cite"
)

// The quote page, /q/<id>: the quoted words as viewers may see them now
// (archive.QuoteView re-checks consent), who said them and in which
// language, an honest label of what the words are, the clip in a player
// that stops at the quote's end, the same moment in the other languages,
// citations to copy, and the tags a shared link is previewed with.

// quoteSource is what the quote page needs from the archive: a quote as
// an anonymous viewer sees it now.
type quoteSource func(ctx context.Context, id string) (archive.QuoteView, error)

type quotePage struct {
	pageBase
	ID       string
	Withheld bool
	// PartWithheld: some quoted passage is withheld now; the player is
	// left out, as the clip and the embed are (it would carry that voice).
	PartWithheld bool
	Rec          archive.Recording
	MetaLang     string
	Sample       bool
	DateText     string
	Lang         string // the quoted track's language
	LangName     string
	Provenance   string
	Lines        []quoteLine
	Speakers     []archive.QuoteSpeaker
	RangeText    string
	Current      *quoteCurrentView
	Others       []quoteOther
	MediaURL     string // with the quote's range as a media fragment
	StartSec     string
	EndSec       string
	Tracks       []trackView
	WatchURL     string
	Clip         clipOffer
	Share        shareTags
	Cites        []citeView
	JSONLD       clipLD
}

// quoteContext is what a quote page needs besides the quote: whether
// clips are cut, the site's public origin for absolute URLs, the English
// catalog the citations are written with, and the date of access.
type quoteContext struct {
	clipping bool
	origin   string
	en       pageBase
	now      time.Time
}

// citeView is one citation style, ready to copy.
type citeView struct {
	ID, Label, Text string
}

// quoteLine is one quoted cue: the speaker at a change of turn, the words
// in the interface language's markers.
type quoteLine struct {
	Clock, Speaker, Text string
}

// quoteCurrentView is the note that the transcript changed since the
// quote was made, with what it says at that moment now.
type quoteCurrentView struct {
	Note  string
	Lines []quoteLine
}

// quoteOther is the quoted moment in another language.
type quoteOther struct {
	Lang, LangName, About string
	Lines                 []quoteLine
}

// quote serves GET /q/:id.
func (p *pages) quote(c echo.Context) error {
	if p.err != nil {
		return p.err
	}
	if p.quotes == nil {
		return p.renderError(c, archive.NewError(archive.ErrNotFound, "no quotes here"))
	}
	qv, err := p.quotes(c.Request().Context(), c.Param("id"))
	if errors.Is(err, archive.ErrNotFound) {
		return p.quoteNotFound(c)
	}
	if err != nil {
		return p.renderError(c, err)
	}
	base := p.base(c, "quote", "")
	now := time.Now
	if p.now != nil {
		now = p.now
	}
	data := buildQuote(base, qv, quoteContext{
		clipping: p.clipping, origin: p.origin(c.Request()),
		en: pageBase{UI: p.i18n.Translator("en")}, now: now(),
	})
	return p.render(c, http.StatusOK, "quote", data)
}

// quoteNotFound is the error page for a quote id that names nothing a
// viewer may see, saying so about a quote rather than a recording.
func (p *pages) quoteNotFound(c echo.Context) error {
	base := p.base(c, "error", "")
	base.Title = base.T("error.notfound.title")
	return p.render(c, http.StatusNotFound, "error", errorPage{pageBase: base, Heading: base.Title, Message: base.T("quote.notfound")})
}

// origin is the site's public scheme://host for absolute URLs: the
// configured base URL, else the request's own.
func (p *pages) origin(r *http.Request) string {
	if p.publicOrigin != nil {
		return p.publicOrigin(r)
	}
	return "http://" + r.Host
}

func buildQuote(base pageBase, qv archive.QuoteView, qc quoteContext) quotePage {
	q, rec := qv.Quote, qv.Recording
	// The moment in the recording as it is now, through any retiming of
	// the track since: where the player, the links, the citations and the
	// structured data point.
	start, end := quoteMoment(qv)
	d := quotePage{
		pageBase: base, ID: q.ID, Withheld: qv.Withheld, PartWithheld: qv.PartWithheld, Rec: rec, MetaLang: rec.MetaLang(), Sample: isSample(rec),
		DateText: dateText(base.UI, rec.Date), Lang: q.Lang, LangName: langName(q.Lang),
		Provenance: provenance(base, rec, q.Lang, q.Kind, q.Source),
		Speakers:   q.Speakers,
		StartSec:   formatSeconds(start), EndSec: formatSeconds(end),
		RangeText: base.T("watch.range", clock(start), clock(end)),
		Clip:      offerClip(base, qv, qc.clipping),
	}
	if rec.Date == "" {
		d.DateText = ""
	}
	if !qv.Withheld {
		d.Lines = quoteLines(base, q.Cues)
	}
	d.WatchURL = watchURL(rec.ID, start, q.Lang, "") + "&end=" + formatSeconds(end)
	if cur := qv.Current; cur != nil && !qv.Withheld {
		switch {
		case cur.Gone:
			d.Current = &quoteCurrentView{Note: base.T("quote.changed.gone")}
		case cur.Changed:
			d.Current = &quoteCurrentView{Note: base.T("quote.changed"), Lines: quoteLines(base, cur.Cues)}
		}
	}
	for _, o := range qv.Others {
		d.Others = append(d.Others, quoteOther{
			Lang: o.Lang, LangName: langName(o.Lang), About: trackAbout(base, archive.Track{Kind: o.Kind, Source: o.Source}),
			Lines: quoteLines(base, o.Cues),
		})
	}
	if rec.Media != nil && !qv.Withheld && !qv.PartWithheld {
		d.MediaURL = "/media/" + rec.ID + "#t=" + d.StartSec + "," + d.EndSec
		for _, t := range rec.Tracks {
			d.Tracks = append(d.Tracks, trackView{
				Lang: t.Lang, Label: langName(t.Lang), Current: t.Lang == q.Lang, Kind: trackKind(t),
				Src: "/api/v1/recordings/" + rec.ID + "/tracks/" + t.Lang + ".vtt",
			})
		}
	}
	d.Share = quoteShare(base, qv, qc.origin)
	d.Title = d.Share.Title
	d.Cites = quoteCites(base, qv, qc, qc.origin+d.WatchURL, start, end)
	d.JSONLD = quoteLD(qv, d.Share, qc.origin, start, end)
	return d
}

// quoteCites are the page's citations: in English (the styles' own
// language, see internal/cite), with the timestamped link to the moment
// and the day the page is shown as the date of access.
func quoteCites(base pageBase, qv archive.QuoteView, qc quoteContext, momentURL string, start, end int64) []citeView {
	q, rec := qv.Quote, qv.Recording
	in := cite.Quote{
		Title: rec.Title, Event: rec.Event, Date: rec.Date, Place: rec.Place,
		About: provenance(qc.en, rec, q.Lang, q.Kind, q.Source),
		Start: clock(start), End: clock(end),
		URL: momentURL, Site: "Verbatim", Accessed: qc.now,
	}
	if rec.Sample {
		// Demo material is labelled wherever it appears, a citation too.
		in.About = qc.en.T("quote.cite.sample", in.About)
	}
	if !qv.Withheld {
		in.Words = localiseMarkers(qc.en, q.Text)
	}
	for _, sp := range q.Speakers {
		anon := slices.ContainsFunc(rec.Speakers, func(s archive.Speaker) bool {
			return s.Name == sp.Name && s.Visibility == archive.VisibilityAnonymised
		})
		in.Speakers = append(in.Speakers, cite.Speaker{Name: localiseMarkers(qc.en, sp.Name), Role: sp.Role, Anonymised: anon})
	}
	c := cite.Format(in)
	return []citeView{
		{ID: "cite-plain", Label: base.T("quote.cite.plain"), Text: c.Plain},
		{ID: "cite-markdown", Label: base.T("quote.cite.markdown"), Text: c.Markdown},
		{ID: "cite-apa", Label: base.T("quote.cite.apa"), Text: c.APA},
		{ID: "cite-chicago", Label: base.T("quote.cite.chicago"), Text: c.Chicago},
	}
}

// clipLD is the page's schema.org Clip: the quoted moment, part of the
// recording's VideoObject. Offsets are seconds from the recording's start.
type clipLD struct {
	Context     string     `json:"@context"`
	Type        string     `json:"@type"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	URL         string     `json:"url"`
	InLanguage  string     `json:"inLanguage"`
	StartOffset float64    `json:"startOffset"`
	EndOffset   float64    `json:"endOffset"`
	PartOf      videoLD    `json:"partOf"`
	Actors      []personLD `json:"actor,omitempty"`
	Image       string     `json:"image"`
	DateCreated string     `json:"dateCreated"`
}

type videoLD struct {
	Type         string `json:"@type"`
	Name         string `json:"name"`
	Description  string `json:"description,omitempty"`
	URL          string `json:"url"`
	ContentURL   string `json:"contentUrl,omitempty"`
	ThumbnailURL string `json:"thumbnailUrl"`
	UploadDate   string `json:"uploadDate"`
}

type personLD struct {
	Type     string `json:"@type"`
	Name     string `json:"name"`
	JobTitle string `json:"jobTitle,omitempty"`
}

// quoteLD describes the quote for search engines: what the share tags
// say, the same withheld notice when its words are withheld.
func quoteLD(qv archive.QuoteView, share shareTags, origin string, start, end int64) clipLD {
	q, rec := qv.Quote, qv.Recording
	ld := clipLD{
		Context: "https://schema.org", Type: "Clip",
		Name: share.Title, Description: share.Description, URL: share.URL, InLanguage: q.Lang,
		StartOffset: float64(start) / 1000, EndOffset: float64(end) / 1000,
		Image: share.Image, DateCreated: q.CreatedAt.UTC().Format(time.RFC3339),
		PartOf: videoLD{
			Type: "VideoObject", Name: rec.Title, Description: rec.Description,
			URL: origin + watchURL(rec.ID, -1, "", ""), ThumbnailURL: share.Image,
			UploadDate: rec.Date,
		},
	}
	if ld.PartOf.UploadDate == "" && !rec.CreatedAt.IsZero() {
		ld.PartOf.UploadDate = rec.CreatedAt.UTC().Format(time.DateOnly)
	}
	if rec.Media != nil {
		ld.PartOf.ContentURL = origin + "/media/" + rec.ID
	}
	for _, sp := range q.Speakers {
		ld.Actors = append(ld.Actors, personLD{Type: "Person", Name: sp.Name, JobTitle: sp.Role})
	}
	return ld
}

// quoteMoment is the quoted range in the track's current timing: the
// quoted one unless the track has been retimed since.
func quoteMoment(qv archive.QuoteView) (start, end int64) {
	if cur := qv.Current; cur != nil && !cur.Gone {
		return cur.StartMS, cur.EndMS
	}
	return qv.Quote.StartMS, qv.Quote.EndMS
}

// quoteLines lays out quoted cues the way the transcript does: the
// speaker's name where the turn changes, withheld passages as the notice.
func quoteLines(base pageBase, cues []archive.QuoteCue) []quoteLine {
	out := make([]quoteLine, 0, len(cues))
	prev := ""
	for _, c := range cues {
		line := quoteLine{Clock: clock(c.StartMS), Text: quoteCueText(base, c)}
		first := c.Speaker
		if len(c.Spans) > 0 {
			first = c.Spans[0].Speaker
			if c.Spans[0].Withheld {
				first = ""
			}
		}
		if first != "" && first != prev {
			line.Speaker = localiseMarkers(base, first)
		}
		if len(c.Spans) > 0 {
			prev = c.Spans[len(c.Spans)-1].Speaker
		} else {
			prev = c.Speaker
		}
		out = append(out, line)
	}
	return out
}

// quoteCueText is a quoted cue's words for a page, as shownText writes a
// transcript cue's (withheld spans as the notice, later speakers named),
// on one line.
func quoteCueText(base pageBase, c archive.QuoteCue) string {
	cue := archive.Cue{Text: c.Text, Spans: make([]archive.Span, len(c.Spans))}
	for i, sp := range c.Spans {
		cue.Spans[i] = archive.Span{Speaker: sp.Speaker, Text: sp.Text, Withheld: sp.Withheld}
	}
	return strings.ReplaceAll(shownText(base, cue), "\n", " ")
}

// provenance says in plain words what the quoted words are: original
// speech or an interpretation (of which floor language), and who
// transcribed them (the watch page's source labels).
func provenance(base pageBase, rec archive.Recording, lang string, kind archive.Kind, source archive.Source) string {
	names := display.Tags(language.Make(base.UI.Lang()))
	name := func(tag string) string {
		if n := names.Name(language.Make(tag)); n != "" {
			return n
		}
		return tag
	}
	floor := ""
	for _, t := range rec.Tracks {
		if t.Kind == archive.KindOriginal && !sameLang(t.Lang, lang) {
			floor = t.Lang
			break
		}
	}
	var what string
	switch {
	case kind == archive.KindInterpretation && floor != "":
		what = base.T("quote.prov.interp", name(lang), name(floor))
	case kind == archive.KindInterpretation:
		what = base.T("quote.prov.interp.nofloor", name(lang))
	case kind == archive.KindOriginal:
		what = base.T("quote.prov.original", name(lang))
	default:
		what = base.T("quote.prov.lang", name(lang))
	}
	if source == "" {
		return what
	}
	return base.T("quote.prov.source", what, base.T("source."+string(source)))
}

// quoteShare is what a shared link's preview shows: the quote (or the
// withheld notice), who said it, and the card drawn from the same.
func quoteShare(base pageBase, qv archive.QuoteView, origin string) shareTags {
	cd := quoteCard(base, qv)
	title := cd.Speaker
	if title == "" {
		title = qv.Recording.Title
	} else if qv.Recording.Title != "" {
		title += " · " + qv.Recording.Title
	}
	desc := cd.Text
	if cd.Event != "" {
		desc += " — " + cd.Event
	}
	return shareTags{
		Type: "website", Title: title, Description: desc,
		URL:   origin + quotePath(qv.Quote.ID),
		Image: origin + quotePath(qv.Quote.ID) + "/card.png", ImageAlt: cd.Text, ImageType: card.ContentType,
		ImageWidth: card.Width, ImageHeight: card.Height,
		OEmbed: oembedHref(origin, origin+quotePath(qv.Quote.ID)),
	}
}

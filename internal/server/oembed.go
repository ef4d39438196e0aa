package server

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/card"
)

// oEmbed 1.0 (oembed.com): GET /oembed?url=…&format=json answers, for a
// quote's permalink (/q/<id>) or a watch URL (/watch/<id>?t=&end=&lang=)
// of this site, a "video" whose html is an iframe of the matching embed
// (/embed/<id>, /embed/watch/<id>). JSON only: any other format is 501,
// as the spec says. A URL of another site, of no quote or recording, or of
// one viewers cannot see (a draft, under embargo) is 404. It is anonymous
// and cheap: one quote or manifest read, under the expensive-request
// limiter, for a URL of bounded length.

// oembedResponse is the spec's response, with the fields of type video.
type oembedResponse struct {
	Type            string `json:"type"`
	Version         string `json:"version"`
	Title           string `json:"title,omitempty"`
	AuthorName      string `json:"author_name,omitempty"`
	ProviderName    string `json:"provider_name"`
	ProviderURL     string `json:"provider_url"`
	CacheAge        int    `json:"cache_age"`
	ThumbnailURL    string `json:"thumbnail_url,omitempty"`
	ThumbnailWidth  int    `json:"thumbnail_width,omitempty"`
	ThumbnailHeight int    `json:"thumbnail_height,omitempty"`
	HTML            string `json:"html"`
	Width           int    `json:"width"`
	Height          int    `json:"height"`
}

const (
	// maxOEmbedURL is the longest url parameter read: a watch URL with
	// every parameter is far shorter.
	maxOEmbedURL = 2048
	// The embed's default size, 16:9, and the largest asked for.
	embedWidth, embedHeight = 640, 360
	maxEmbedSide            = 4096
	// oembedCacheAge (seconds) is short: a consent change (a speaker
	// hidden) must reach consumers that cache the title soon.
	oembedCacheAge = 300
	// maxOEmbedTitle bounds the quoted words in a title, in characters.
	maxOEmbedTitle = 200
)

func (s *Server) getOEmbed(c echo.Context) error {
	if s.pg.err != nil {
		return s.pg.err // no catalogs to title a quote with
	}
	if f := c.QueryParam("format"); f != "" && !strings.EqualFold(f, "json") {
		return echo.NewHTTPError(http.StatusNotImplemented, fmt.Sprintf("oEmbed: format %q is not offered; use format=json", clipRunes(f, 20)))
	}
	raw := c.QueryParam("url")
	switch {
	case raw == "":
		return archive.NewError(archive.ErrInvalid, "oEmbed: the url parameter is required")
	case len(raw) > maxOEmbedURL:
		return archive.NewError(archive.ErrInvalid, "oEmbed: the url parameter is longer than %d bytes", maxOEmbedURL)
	}
	w, h, err := embedSize(c.QueryParam("maxwidth"), c.QueryParam("maxheight"))
	if err != nil {
		return err
	}
	r := c.Request()
	path, query, ok := s.ownPath(r, raw)
	if !ok {
		return archive.NewError(archive.ErrNotFound, "oEmbed: not a URL of this archive")
	}
	var res oembedResponse
	switch dir, id, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/"); {
	case dir == "q" && archive.ValidQuoteID(id):
		res, err = s.quoteOEmbed(c, id, w, h)
	case dir == "watch" && archive.ValidID(id):
		res, err = s.watchOEmbed(c, id, query, w, h)
	default:
		return archive.NewError(archive.ErrNotFound, "oEmbed: the archive has no embed for this URL; only quote (/q/…) and watch (/watch/…) URLs have one")
	}
	if err != nil {
		return err
	}
	res.Type, res.Version, res.ProviderName = "video", "1.0", "Verbatim"
	res.ProviderURL, res.CacheAge = s.absURL(r, "/"), oembedCacheAge
	res.Width, res.Height = w, h
	c.Response().Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(oembedCacheAge))
	return c.JSON(http.StatusOK, res)
}

// embedSize is the iframe's size: 640×360, made smaller to fit maxwidth
// and maxheight (the spec: a provider must respect them), keeping 16:9.
func embedSize(maxW, maxH string) (int, int, error) {
	w := embedWidth
	for _, p := range []struct {
		name, v string
		scale   func(int) int
	}{
		{"maxwidth", maxW, func(n int) int { return n }},
		{"maxheight", maxH, func(n int) int { return n * 16 / 9 }},
	} {
		if p.v == "" {
			continue
		}
		n, err := strconv.Atoi(p.v)
		if err != nil || n < 1 || n > maxEmbedSide {
			return 0, 0, archive.NewError(archive.ErrInvalid, "oEmbed: %s must be a whole number of pixels from 1 to %d", p.name, maxEmbedSide)
		}
		w = min(w, p.scale(n))
	}
	w = max(w, 16)
	return w, w * 9 / 16, nil
}

// iframe is the html of a video embed.
func iframe(src, title string, w, h int) string {
	return fmt.Sprintf(`<iframe src="%s" width="%d" height="%d" title="%s" frameborder="0" allow="fullscreen; picture-in-picture" allowfullscreen loading="lazy"></iframe>`,
		html.EscapeString(src), w, h, html.EscapeString(title))
}

// quoteOEmbed: the quote as viewers see it now, titled with its words (or
// the withheld notice), named speakers as the author, the card as the
// thumbnail when it fits the size asked for.
func (s *Server) quoteOEmbed(c echo.Context, id string, w, h int) (oembedResponse, error) {
	qv, err := s.svc.QuoteView(c.Request().Context(), archive.Principal{}, id)
	if err != nil {
		return oembedResponse{}, err
	}
	b := pageBase{UI: s.pg.i18n.Translator(qv.Quote.Lang)}
	title := quoteTitle(b, qv)
	r := c.Request()
	res := oembedResponse{
		Title:      title,
		AuthorName: namedSpeakers(qv),
		HTML:       iframe(s.absURL(r, "/embed/"+id), title, w, h),
	}
	res.thumbnail(c, s.absURL(r, "/q/"+id+"/card.png"), card.Width, card.Height)
	return res, nil
}

// thumbnail sets the thumbnail unless it is larger than maxwidth or
// maxheight: a card or a poster cannot be made smaller, and the spec says
// a thumbnail must respect them, so it is left out instead.
func (res *oembedResponse) thumbnail(c echo.Context, href string, w, h int) {
	if w <= 0 || h <= 0 || !fits(c.QueryParam("maxwidth"), w) || !fits(c.QueryParam("maxheight"), h) {
		return
	}
	res.ThumbnailURL, res.ThumbnailWidth, res.ThumbnailHeight = href, w, h
}

func fits(max string, n int) bool {
	m, err := strconv.Atoi(max)
	return max == "" || err == nil && m >= n
}

// quoteTitle is a quote in one line, in its marks, and its recording:
// “words…” — Title. Words all withheld since read as the notice.
func quoteTitle(b pageBase, qv archive.QuoteView) string {
	words := b.T("cue.withheld")
	if !qv.Withheld {
		open, close := quoteMarks(qv.Quote.Lang)
		words = open + metaText(localiseMarkers(b, qv.Quote.Text), maxOEmbedTitle) + close
	}
	if t := qv.Recording.Title; t != "" {
		return words + " — " + t
	}
	return words
}

// namedSpeakers are the quoted speakers who appear under their own name
// (never a pseudonym, never anyone withheld), joined; "" when there are
// none, and the author_name is then left out.
func namedSpeakers(qv archive.QuoteView) string {
	if qv.Withheld {
		return ""
	}
	var names []string
	for _, sp := range qv.Quote.Speakers {
		named := slices.ContainsFunc(qv.Recording.Speakers, func(r archive.Speaker) bool {
			return r.Name == sp.Name && r.Visibility == archive.VisibilityNamed
		})
		if named && !strings.Contains(sp.Name, "[") {
			names = append(names, sp.Name)
		}
	}
	return strings.Join(names, ", ")
}

// watchOEmbed: a recording at a moment or a passage (t, end, lang as the
// watch page reads them), titled with the recording's title and the time,
// its poster frame or title card as the thumbnail.
func (s *Server) watchOEmbed(c echo.Context, id string, q url.Values, w, h int) (oembedResponse, error) {
	rec, err := s.pg.store.Get(c.Request().Context(), id)
	if err != nil {
		return oembedResponse{}, err
	}
	wp := parseWatchParams(q)
	src := "/embed/watch/" + rec.ID
	v := url.Values{}
	title := rec.Title
	if wp.startMS >= 0 || wp.endMS > 0 {
		start := max(wp.startMS, 0)
		v.Set("t", formatSeconds(start))
		when := clock(start)
		if wp.endMS > 0 {
			v.Set("end", formatSeconds(wp.endMS))
			when += "–" + clock(wp.endMS)
		}
		title += " (" + when + ")"
	}
	if l := wp.lang; l != "" && slices.ContainsFunc(rec.Tracks, func(t archive.Track) bool { return sameLang(t.Lang, l) }) {
		v.Set("lang", chooseTrack(rec.Tracks, l, ""))
	}
	if len(v) > 0 {
		src += "?" + v.Encode()
	}
	res := oembedResponse{Title: title, HTML: iframe(s.absURL(c.Request(), src), title, w, h)}
	href, _, tw, th := recordingThumb(s.publicOrigin(c.Request()), rec)
	res.thumbnail(c, href, tw, th)
	return res, nil
}

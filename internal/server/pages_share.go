package server

import (
	"net/url"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/card"
)

// shareTags are what a shared link is previewed with: the Open Graph and
// Twitter card tags and the oEmbed discovery link (layout.html's
// "sharetags"), one shape for the quote and the watch pages. Every URL is
// absolute (on publicOrigin), as consumers require.
type shareTags struct {
	Type                    string // og:type
	Title, Description, URL string
	// Image is optional; without one the Twitter card is a summary.
	Image, ImageAlt, ImageType string
	ImageWidth, ImageHeight    int // 0: not declared
	// Video and VideoType are the recording's media, for og:video.
	Video, VideoType string
	// OEmbed is the page's oEmbed (JSON) URL, for discovery.
	OEmbed string
}

// oembedHref is the oEmbed URL of a page of this site.
func oembedHref(origin, pageURL string) string {
	return origin + "/oembed?" + url.Values{"url": {pageURL}, "format": {"json"}}.Encode()
}

// watchShare: a recording's preview — its title and the page's
// description, its thumbnail (recordingThumb), the media as og:video,
// and the oEmbed of the moment or passage the page was opened at.
func watchShare(base pageBase, rec archive.Recording, wp watchParams, lang, origin string) shareTags {
	st := shareTags{
		Type: "video.other", Title: rec.Title, Description: base.Description,
		URL: origin + watchURL(rec.ID, -1, "", ""),
	}
	st.Image, st.ImageType, st.ImageWidth, st.ImageHeight = recordingThumb(origin, rec)
	st.ImageAlt = rec.Title
	if rec.Media != nil && rec.Media.ContentType != "" {
		st.Video, st.VideoType = origin+"/media/"+rec.ID, rec.Media.ContentType
	}
	v := url.Values{}
	if wp.startMS >= 0 {
		v.Set("t", formatSeconds(wp.startMS))
	}
	if wp.endMS > 0 {
		v.Set("end", formatSeconds(wp.endMS))
	}
	if wp.lang != "" && lang != "" {
		v.Set("lang", lang)
	}
	page := "/watch/" + rec.ID
	if len(v) > 0 {
		page += "?" + v.Encode()
	}
	st.OEmbed = oembedHref(origin, origin+page)
	return st
}

// recordingThumb is a recording's picture with its type and size: the
// poster frame, or while it has none its title card (thumbnailURL).
func recordingThumb(origin string, rec archive.Recording) (href, contentType string, w, h int) {
	href = thumbnailURL(origin, rec.ID, archive.PosterVersion(rec.Poster))
	if rec.Poster != nil {
		return href, archive.PosterType, rec.Poster.Width, rec.Poster.Height
	}
	return href, card.ContentType, card.Width, card.Height
}

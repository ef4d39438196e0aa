package server

import (
	"cmp"
	"encoding/json"
	"fmt"
	"html/template"
	"strconv"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// The watch page's structured data: a schema.org VideoObject
// (https://schema.org/VideoObject) with the properties Google's video
// guidelines require (name, thumbnailUrl, uploadDate) and recommend
// (description, duration, contentUrl), its speaker turns as Clips
// (hasPart) and a SeekToAction, so that search engines can offer the
// recording's key moments and link into it at any second. Everything in
// it comes from what the page shows viewers: the archive's viewer form
// of the recording and the cues as viewers get them, so a hidden
// speaker's name or a redacted word cannot appear.

// maxClips bounds hasPart: the first turns of a long track of short
// exchanges are its key moments; all of them would weigh down the page.
const maxClips = 40

type videoObject struct {
	Context      string        `json:"@context"`
	Type         string        `json:"@type"`
	Name         string        `json:"name"`
	Description  string        `json:"description"`
	ThumbnailURL []string      `json:"thumbnailUrl"`
	UploadDate   string        `json:"uploadDate"`
	Duration     string        `json:"duration,omitempty"`
	ContentURL   string        `json:"contentUrl,omitempty"`
	URL          string        `json:"url"`
	InLanguage   string        `json:"inLanguage,omitempty"`
	HasPart      []ldClip      `json:"hasPart,omitempty"`
	Action       *seekToAction `json:"potentialAction,omitempty"`
}

type ldClip struct {
	Type        string `json:"@type"`
	Name        string `json:"name"`
	StartOffset int64  `json:"startOffset"`
	EndOffset   int64  `json:"endOffset"`
	URL         string `json:"url"`
}

type seekToAction struct {
	Type       string `json:"@type"`
	Target     string `json:"target"`
	StartInput string `json:"startOffset-input"`
}

// watchJSONLD is the VideoObject of a recording as its watch page shows
// it, with cues of the page's track; origin makes its URLs absolute.
// Recordings without media get none (there is no video to describe).
func watchJSONLD(origin string, rec archive.Recording, description string, cues []archive.Cue) template.JS {
	if rec.Media == nil {
		return ""
	}
	page := origin + "/watch/" + rec.ID
	v := videoObject{
		Context: "https://schema.org", Type: "VideoObject",
		Name:         cmp.Or(rec.Title, rec.ID),
		Description:  description,
		ThumbnailURL: []string{thumbnailURL(origin, rec.ID, archive.PosterVersion(rec.Poster))},
		UploadDate:   uploadDate(rec),
		ContentURL:   origin + "/media/" + rec.ID,
		URL:          page,
		InLanguage:   rec.MetaLang(),
		HasPart:      clipsOf(page, cues),
		Action: &seekToAction{
			Type:       "SeekToAction",
			Target:     page + "?t={seek_to_second_number}",
			StartInput: "required name=seek_to_second_number",
		},
	}
	if rec.DurationMS > 0 {
		v.Duration = isoDuration(rec.DurationMS)
	}
	b, err := json.Marshal(v) // escapes <, > and &: nothing can close the script
	if err != nil {
		return ""
	}
	return template.JS(b)
}

// uploadDate is the recording's date, else when it was created.
func uploadDate(rec archive.Recording) string {
	if d, ok := isoDate(rec.Date); ok {
		return d
	}
	if !rec.CreatedAt.IsZero() {
		return rec.CreatedAt.UTC().Format(time.RFC3339)
	}
	return rec.UpdatedAt.UTC().Format(time.RFC3339)
}

// clipsOf makes a Clip of each speaker turn (consecutive cues of one
// named speaker), at most maxClips, with whole-second offsets.
func clipsOf(page string, cues []archive.Cue) []ldClip {
	var out []ldClip
	for i := 0; i < len(cues) && len(out) < maxClips; {
		j := i
		for j+1 < len(cues) && cues[j+1].Speaker == cues[i].Speaker {
			j++
		}
		if name := cues[i].Speaker; name != "" {
			start, end := cues[i].StartMS/1000, (cues[j].EndMS+999)/1000
			out = append(out, ldClip{Type: "Clip", Name: name, StartOffset: start, EndOffset: max(end, start+1),
				URL: page + "?t=" + strconv.FormatInt(start, 10)})
		}
		i = j + 1
	}
	return out
}

// isoDuration is an ISO 8601 duration such as PT1H2M3S.
func isoDuration(ms int64) string {
	s := (ms + 500) / 1000
	h, m, sec := s/3600, s/60%60, s%60
	out := "PT"
	if h > 0 {
		out += fmt.Sprintf("%dH", h)
	}
	if m > 0 {
		out += fmt.Sprintf("%dM", m)
	}
	if sec > 0 || (h == 0 && m == 0) {
		out += fmt.Sprintf("%dS", sec)
	}
	return out
}

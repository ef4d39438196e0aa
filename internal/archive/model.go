package archive

import (
	"time"

	"github.com/verbatim-archive/verbatim/internal/media"
)

// Status of a recording. Viewers see published recordings only.
type Status string

const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
)

// Visibility says how a speaker may appear to viewers. Some speakers at
// these events are survivors of trafficking: their consent decides.
type Visibility string

const (
	VisibilityNamed      Visibility = "named"      // shown by name
	VisibilityAnonymised Visibility = "anonymised" // shown by pseudonym only
	VisibilityHidden     Visibility = "hidden"     // their words never reach viewers or search
)

// Kind says whether a track is the floor language or an interpretation.
type Kind string

const (
	KindOriginal       Kind = "original"
	KindInterpretation Kind = "interpretation"
)

// Source says how a track was transcribed.
type Source string

const (
	SourceHuman    Source = "human"
	SourceMachine  Source = "machine"
	SourceVerified Source = "verified"
)

// Recording is the manifest of one recorded event, stored at
// recordings/<id>/manifest.json. It is written last, after the objects it
// points to.
type Recording struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Event       string `json:"event"`
	Date        string `json:"date"` // YYYY-MM-DD
	Place       string `json:"place"`
	Description string `json:"description"`
	// MetadataLang is the language title, event, place, description and
	// speaker names are written in (a BCP 47 tag); pages mark them with it
	// whatever the interface language. Empty: the floor language.
	MetadataLang string `json:"metadata_lang,omitempty"`
	// Sample marks demo material (illustrative, not a record of what was
	// said): pages label it wherever it appears.
	Sample    bool     `json:"sample,omitempty"`
	Status    Status   `json:"status"`
	Languages []string `json:"languages"` // of its tracks, derived
	// Declared are the languages the editor says the recording has (the
	// floor language and the interpretations): one without a track needs
	// attention. Editors' data; viewers see Languages.
	Declared   []string  `json:"declared_languages,omitempty"`
	DurationMS int64     `json:"duration_ms"`
	Speakers   []Speaker `json:"speakers"`
	Tracks     []Track   `json:"tracks"`
	Media      *Media    `json:"media,omitempty"`
	// Poster is a frame of the video the media worker took (nil until it
	// has, or without ffmpeg).
	Poster *Poster `json:"poster,omitempty"`
	// Sensitive recordings start every new speaker label hidden.
	Sensitive bool `json:"sensitive,omitempty"`
	// EmbargoUntil (RFC 3339, UTC) keeps the whole recording from viewers
	// and search until then; it appears by itself when the time passes.
	EmbargoUntil string `json:"embargo_until,omitempty"`
	// Redactions read "[redacted]" in every output and every track.
	Redactions []Redaction `json:"redactions,omitempty"`
	Version    int64       `json:"version"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
}

// Media describes the recording's video (or audio) object.
type Media struct {
	Key         string `json:"key"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	ETag        string `json:"etag"`
	// SHA256 is the hex digest of the bytes as uploaded, computed while
	// streaming; import uses it to skip unchanged media.
	SHA256     string    `json:"sha256,omitempty"`
	UploadedAt time.Time `json:"uploaded_at,omitzero"`
	// Format is what the probe read from the file's headers (container,
	// duration, dimensions, codecs, faststart); nil for media stored
	// before the probe existed.
	Format *media.Info `json:"format,omitempty"`
}

// Speaker is a person who speaks in a recording.
type Speaker struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	Visibility Visibility `json:"visibility"`
	Pseudonym  string     `json:"pseudonym"`
	// Aliases are other spellings of the name ("Maria", "Ms Lopez"):
	// labels and mentions matching one are this speaker.
	Aliases []string `json:"aliases,omitempty"`
	// Held marks a label that appeared on a recording with speakers who
	// are not named: viewers do not see it until an editor decides (sets
	// held to false).
	Held bool `json:"held,omitempty"`
	// EmbargoUntil (RFC 3339, UTC) hides the speaker's passages until then.
	EmbargoUntil string `json:"embargo_until,omitempty"`
}

// Redaction is a word or phrase (matched as names are: case, accents,
// spacing and markup ignored), or a time span whose cues all read
// "[redacted]", in every track.
type Redaction struct {
	Text    string `json:"text,omitempty"`
	StartMS int64  `json:"start_ms,omitempty"`
	EndMS   int64  `json:"end_ms,omitempty"`
}

// Track is one subtitle track of a recording, in one language.
type Track struct {
	Lang           string    `json:"lang"`
	Kind           Kind      `json:"kind"`
	Source         Source    `json:"source"`
	FormatUploaded string    `json:"format_uploaded"`
	CueCount       int       `json:"cue_count"`
	Version        int64     `json:"version"`
	UpdatedAt      time.Time `json:"updated_at"`
	// Key is the stored objects' key without extension: Key+".vtt" is the
	// normalised WebVTT, Key+".source" the file exactly as uploaded. Each
	// version gets fresh keys, so a manifest never points at half-replaced
	// objects.
	Key string `json:"key,omitempty"`
	// Retimes are the time corrections (shift, linear) that made this
	// track's versions, oldest first, so a time quoted from an earlier
	// version can be found in this one (MapTime). At most maxRetimes.
	Retimes []Retime `json:"retimes,omitempty"`
	// SpeakerCues counts the track's cues by speaker (as speakerKey has
	// it; "" for cues without one), so a viewer's cue_count can leave out
	// hidden speakers' cues without reading the track. Editors only.
	SpeakerCues map[string]int `json:"speaker_cues,omitempty"`
}

// Cue is one timed piece of text. Text is plain (for search and
// transcripts); Styled keeps the display markup (WebVTT inline tags).
// Spans are the speakers' turns Text and Styled are made of.
type Cue struct {
	StartMS int64  `json:"start_ms"`
	EndMS   int64  `json:"end_ms"`
	Speaker string `json:"speaker"`
	Text    string `json:"text"`
	Styled  string `json:"styled,omitempty"`
	Spans   []Span `json:"spans,omitempty"`
	// Borrowed: the speaker was taken by time from another track, and any
	// of these may be speaking (subtitle.Cue.Borrowed). Editors only.
	Borrowed []string `json:"borrowed_speakers,omitempty"`
}

// Span is one speaker's turn in a cue. For viewers, a withheld span (a
// hidden speaker's words) has no speaker and reads WithheldPassage; pages
// show it in the interface language.
type Span struct {
	Speaker  string `json:"speaker"`
	Text     string `json:"text"`
	Styled   string `json:"styled,omitempty"`
	Withheld bool   `json:"withheld,omitempty"`
}

// MetaLang is the language the recording's title, event, place,
// description and speaker names are in: as the editor set it, else the
// floor language (its original track's), else "" (unknown).
func (r Recording) MetaLang() string {
	if r.MetadataLang != "" {
		return r.MetadataLang
	}
	for _, t := range r.Tracks {
		if t.Kind == KindOriginal {
			return t.Lang
		}
	}
	return ""
}

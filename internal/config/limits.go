package config

import (
	"fmt"
	"runtime"
	"time"
)

// Limits are the budgets that bound what one request (above all an anonymous
// one) may cost the server. Every budget lives here, with a safe default, its
// VERBATIM_* variable and its check, and is handed to the packages that
// enforce it through their Options: no package reads it from anywhere else.
// The README's "Budgets" section documents each one and what a client gets
// when it is exceeded.
type Limits struct {
	// MaxQueryChars is the longest search query accepted, in characters
	// (VERBATIM_MAX_QUERY_CHARS); longer queries answer 400.
	MaxQueryChars int
	// MaxQueryTerms is the most words a search query may have
	// (VERBATIM_MAX_QUERY_TERMS); more answer 400.
	MaxQueryTerms int
	// MaxConcurrentSearch is how many expensive requests (search API,
	// search page, watch page with ?q=, page renders) run at once
	// (VERBATIM_MAX_CONCURRENT_SEARCH).
	MaxConcurrentSearch int
	// SearchWait is how long an expensive request waits for one of those
	// slots before it answers 503 with Retry-After (VERBATIM_SEARCH_WAIT).
	SearchWait time.Duration
	// ClipJobs is how many ffmpeg processes cut quote clips at once
	// (VERBATIM_CLIP_JOBS); 0 turns clips off. A request for a clip not yet
	// cut waits for a slot while it lasts, then answers 503 busy.
	ClipJobs int
	// ClipTimeout bounds one clip cut (VERBATIM_CLIP_TIMEOUT); a cut that
	// takes longer is killed and nothing of it is kept.
	ClipTimeout time.Duration
	// MediaTimeout bounds one ffmpeg run of the media worker, a poster
	// frame or a faststart remux of a whole upload (VERBATIM_MEDIA_TIMEOUT).
	MediaTimeout time.Duration

	// The budgets of one recording, checked before anything is written
	// (internal/archive explains each default).
	//
	// MaxCues is the most cues a track may have (VERBATIM_MAX_CUES); a
	// larger track answers 413 naming its count.
	MaxCues int
	// MaxSpeakers is the most speakers a recording may have
	// (VERBATIM_MAX_SPEAKERS); more answer 413.
	MaxSpeakers int
	// MaxSpeakerName is the longest speaker name, pseudonym or role, in
	// characters (VERBATIM_MAX_SPEAKER_NAME); longer answer 400.
	MaxSpeakerName int
	// MaxManifest is the largest manifest a write may produce, in bytes
	// (VERBATIM_MAX_MANIFEST), at most the 16 MiB readers accept; a write
	// over it answers 413 and changes nothing.
	MaxManifest int64
	// CueCache is how many bytes of parsed tracks a server keeps in memory
	// (VERBATIM_CUE_CACHE), so a watch page or a page of JSON cues does not
	// parse the whole track again; 0 keeps none.
	CueCache int64
	// BodyIdleTimeout is how long any read of a request body may wait for
	// the next bytes (VERBATIM_BODY_IDLE_TIMEOUT): a stalled or trickling
	// body is cut, a large upload at a steady rate runs as long as it takes.
	BodyIdleTimeout time.Duration
	// SmallBodyTimeout bounds the whole read of a JSON body or a subtitle
	// file (VERBATIM_SMALL_BODY_TIMEOUT); media uploads have no overall
	// bound, only the idle one.
	SmallBodyTimeout time.Duration
	// MaxConcurrentUploads is how many media and track uploads run at once
	// (VERBATIM_MAX_CONCURRENT_UPLOADS); one more answers 503 with
	// Retry-After at once rather than queueing.
	MaxConcurrentUploads int
	// MaxPerPage is the largest per_page a listing accepts
	// (VERBATIM_MAX_PER_PAGE); more answer 400 naming the parameter.
	MaxPerPage int
	// CatalogFresh is how often a server reads the catalog's change log in
	// the background (VERBATIM_CATALOG_FRESH): the bound, plus one such
	// read, within which a change made through one server is listed by
	// another.
	CatalogFresh time.Duration
	// QuotesPerHour is how many quotes one client address may ask for
	// without an account in an hour (VERBATIM_QUOTES_PER_HOUR); more
	// answer 429 with Retry-After.
	QuotesPerHour int
}

// Budget defaults.
const (
	DefaultMaxQueryChars = 512
	DefaultMaxQueryTerms = 32
	DefaultSearchWait    = 2 * time.Second
	DefaultClipJobs      = 2
	DefaultClipTimeout   = 2 * time.Minute
	// DefaultMediaTimeout: a remux of a few gigabytes reads and writes
	// each byte once.
	DefaultMediaTimeout = time.Hour
	// DefaultMaxCues: a six-hour event at one cue a second.
	DefaultMaxCues        = 20000
	DefaultMaxSpeakers    = 200
	DefaultMaxSpeakerName = 200
	DefaultMaxManifest    = 1 << 20 // 1 MiB
	DefaultCueCache       = 64 << 20
	// maxManifestRead is what readers accept (archive.MaxManifestRead).
	maxManifestRead = 16 << 20

	DefaultBodyIdleTimeout      = 20 * time.Second
	DefaultSmallBodyTimeout     = 60 * time.Second
	DefaultMaxConcurrentUploads = 8
	DefaultMaxPerPage           = 100
	DefaultCatalogFresh         = 2 * time.Second
	DefaultQuotesPerHour        = 30
	// maxQueryCharsCeiling and maxQueryTermsCeiling keep an operator from
	// configuring a budget that no longer bounds anything.
	maxQueryCharsCeiling = 16 << 10
	maxQueryTermsCeiling = 1024
)

// DefaultMaxConcurrentSearch is two expensive requests per CPU the Go
// runtime may use: enough to keep every core busy while one request waits on
// I/O, few enough that a burst of costly queries cannot pile up in memory.
func DefaultMaxConcurrentSearch() int { return 2 * runtime.GOMAXPROCS(0) }

// DefaultLimits returns every budget at its default.
func DefaultLimits() Limits {
	return Limits{
		MaxQueryChars:       DefaultMaxQueryChars,
		MaxQueryTerms:       DefaultMaxQueryTerms,
		MaxConcurrentSearch: DefaultMaxConcurrentSearch(),
		SearchWait:          DefaultSearchWait,
		ClipJobs:            DefaultClipJobs,
		ClipTimeout:         DefaultClipTimeout,
		MediaTimeout:        DefaultMediaTimeout,
		MaxCues:             DefaultMaxCues,
		MaxSpeakers:         DefaultMaxSpeakers,
		MaxSpeakerName:      DefaultMaxSpeakerName,
		MaxManifest:         DefaultMaxManifest,
		CueCache:            DefaultCueCache,

		BodyIdleTimeout:      DefaultBodyIdleTimeout,
		SmallBodyTimeout:     DefaultSmallBodyTimeout,
		MaxConcurrentUploads: DefaultMaxConcurrentUploads,
		MaxPerPage:           DefaultMaxPerPage,
		CatalogFresh:         DefaultCatalogFresh,
		QuotesPerHour:        DefaultQuotesPerHour,
	}
}

// read overrides the defaults in l from the environment.
func (l *Limits) read(r *envReader) {
	r.integer("VERBATIM_MAX_QUERY_CHARS", &l.MaxQueryChars)
	r.integer("VERBATIM_MAX_QUERY_TERMS", &l.MaxQueryTerms)
	r.integer("VERBATIM_MAX_CONCURRENT_SEARCH", &l.MaxConcurrentSearch)
	r.duration("VERBATIM_SEARCH_WAIT", &l.SearchWait)
	r.integer("VERBATIM_CLIP_JOBS", &l.ClipJobs)
	r.duration("VERBATIM_CLIP_TIMEOUT", &l.ClipTimeout)
	r.duration("VERBATIM_MEDIA_TIMEOUT", &l.MediaTimeout)
	r.integer("VERBATIM_MAX_CUES", &l.MaxCues)
	r.integer("VERBATIM_MAX_SPEAKERS", &l.MaxSpeakers)
	r.integer("VERBATIM_MAX_SPEAKER_NAME", &l.MaxSpeakerName)
	r.size("VERBATIM_MAX_MANIFEST", &l.MaxManifest)
	r.size("VERBATIM_CUE_CACHE", &l.CueCache)
	r.duration("VERBATIM_BODY_IDLE_TIMEOUT", &l.BodyIdleTimeout)
	r.duration("VERBATIM_SMALL_BODY_TIMEOUT", &l.SmallBodyTimeout)
	r.integer("VERBATIM_MAX_CONCURRENT_UPLOADS", &l.MaxConcurrentUploads)
	r.integer("VERBATIM_MAX_PER_PAGE", &l.MaxPerPage)
	r.duration("VERBATIM_CATALOG_FRESH", &l.CatalogFresh)
	r.integer("VERBATIM_QUOTES_PER_HOUR", &l.QuotesPerHour)
}

// validate explains every budget that is out of range, naming its variable.
func (l Limits) validate() []error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf("config: "+format, a...)) }
	between := func(name string, v, lo, hi int) {
		if v < lo || v > hi {
			add("%s must be between %d and %d, got %d", name, lo, hi, v)
		}
	}
	between("VERBATIM_MAX_QUERY_CHARS", l.MaxQueryChars, 1, maxQueryCharsCeiling)
	between("VERBATIM_MAX_QUERY_TERMS", l.MaxQueryTerms, 1, maxQueryTermsCeiling)
	if l.MaxConcurrentSearch < 1 {
		add("VERBATIM_MAX_CONCURRENT_SEARCH must be at least 1, got %d", l.MaxConcurrentSearch)
	}
	if l.SearchWait <= 0 || l.SearchWait > time.Minute {
		add("VERBATIM_SEARCH_WAIT must be more than 0s and at most 1m, got %s", l.SearchWait)
	}
	between("VERBATIM_CLIP_JOBS", l.ClipJobs, 0, 64)
	if l.ClipTimeout < time.Second || l.ClipTimeout > time.Hour {
		add("VERBATIM_CLIP_TIMEOUT must be between 1s and 1h, got %s", l.ClipTimeout)
	}
	if l.MediaTimeout < time.Second || l.MediaTimeout > 24*time.Hour {
		add("VERBATIM_MEDIA_TIMEOUT must be between 1s and 24h, got %s", l.MediaTimeout)
	}
	between("VERBATIM_MAX_CUES", l.MaxCues, 1, 10_000_000)
	between("VERBATIM_MAX_SPEAKERS", l.MaxSpeakers, 1, 100_000)
	between("VERBATIM_MAX_SPEAKER_NAME", l.MaxSpeakerName, 1, 10_000)
	if l.MaxManifest < 1 || l.MaxManifest > maxManifestRead {
		add("VERBATIM_MAX_MANIFEST must be between 1 byte and 16MiB (what readers accept), got %d", l.MaxManifest)
	}
	if l.CueCache < 0 || l.CueCache > 16<<30 {
		add("VERBATIM_CUE_CACHE must be between 0 and 16GiB, got %d", l.CueCache)
	}
	if l.BodyIdleTimeout < time.Second || l.BodyIdleTimeout > 10*time.Minute {
		add("VERBATIM_BODY_IDLE_TIMEOUT must be between 1s and 10m, got %s", l.BodyIdleTimeout)
	}
	if l.SmallBodyTimeout < time.Second || l.SmallBodyTimeout > time.Hour {
		add("VERBATIM_SMALL_BODY_TIMEOUT must be between 1s and 1h, got %s", l.SmallBodyTimeout)
	}
	between("VERBATIM_MAX_PER_PAGE", l.MaxPerPage, 1, 10_000)
	if l.CatalogFresh < 10*time.Millisecond || l.CatalogFresh > 10*time.Minute {
		add("VERBATIM_CATALOG_FRESH must be between 10ms and 10m, got %s", l.CatalogFresh)
	}
	if l.MaxConcurrentUploads < 1 {
		add("VERBATIM_MAX_CONCURRENT_UPLOADS must be at least 1, got %d", l.MaxConcurrentUploads)
	}
	between("VERBATIM_QUOTES_PER_HOUR", l.QuotesPerHour, 1, 100_000)
	return errs
}

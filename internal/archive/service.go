package archive

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Prober reads a media object's duration. internal/media provides one that
// uses ffprobe when it is installed.
type Prober interface {
	Duration(ctx context.Context, r io.Reader) (time.Duration, error)
}

// Options configure a Service. Blobs is required; without an Index, search
// answers ErrUnavailable and every write marks its recording for
// reindexing (commands that must not touch a running server's index).
type Options struct {
	Blobs  Blobs
	Index  Index
	Prober Prober // optional: media duration
	// MediaTools make poster frames and faststart remuxes (optional:
	// without them the work waits in storage for a process that has them).
	MediaTools MediaTools
	Logger     *slog.Logger // optional: discards when nil
	Now        func() time.Time
	// MaxTrack is the largest subtitle file accepted (default 16 MiB).
	MaxTrack int64
	// RetryEvery is how often Run lists pending index work and applies it
	// (default 5s).
	RetryEvery time.Duration
	// PendingGrace is how long a pending-index marker written by another
	// process must have been seen before Run removes it once applied
	// (default DefaultPendingGrace).
	PendingGrace time.Duration
	// PassTimeout bounds each of Run's background passes over storage
	// (default DefaultPassTimeout): a store that stopped answering costs a
	// pass, never the loop.
	PassTimeout time.Duration
	// Budgets on what an editor may store; zero means the default.
	MaxCues        int   // cues per track (DefaultMaxCues)
	MaxSpeakers    int   // speakers per recording (DefaultMaxSpeakers)
	MaxSpeakerName int   // characters of a speaker's name, pseudonym or role (DefaultMaxSpeakerName)
	MaxManifest    int64 // bytes of a manifest as written (DefaultMaxManifest, at most MaxManifestRead)
	// CueCache is how many bytes of parsed tracks are kept in memory,
	// and as many of viewer results (DefaultCueCache when 0; negative:
	// none).
	CueCache int64
	// UploadExpiry is how long an unfinished resumable upload is kept
	// after its last write (default DefaultUploadExpiry).
	UploadExpiry time.Duration
	// PasswordCost is the bcrypt cost of new password hashes (default
	// bcrypt.DefaultCost; tests lower it).
	PasswordCost int
	// Query bounds the length and words of a search (see QueryLimits).
	Query QueryLimits
	// CatalogFresh is how often Run's background refresh reads the
	// catalog's change log, and without Run how old the view may be before
	// a listing catches up first (DefaultCatalogFresh when 0).
	CatalogFresh time.Duration
	// QuotesEditorsOnly lets only editors create quotes; by default anyone
	// may (the server bounds how often per client address).
	QuotesEditorsOnly bool
}

// Service is every use case of the archive. It is safe for concurrent use;
// all durable state lives in Blobs, so any number of Services (processes)
// may share one store.
type Service struct {
	blobs        Blobs
	index        Index
	prober       Prober
	log          *slog.Logger
	now          func() time.Time
	maxTrack     int64
	retryEvery   time.Duration
	pwCost       int
	limits       budgets
	cues         *cueCache    // nil: no cache
	viewed       *viewerCache // nil: no cache
	uploadExpiry time.Duration
	dummy        struct {
		once sync.Once
		hash []byte
	}
	query QueryLimits

	quotesEditorsOnly bool

	pendingGrace time.Duration
	passTimeout  time.Duration
	// indexLock (one token) serialises index updates. It is a channel,
	// not a mutex, so a write waiting behind a pass gives up with its
	// own deadline.
	indexLock chan struct{}

	catalog   *catalogView
	mediaDesc mediaCache // what media requests need of manifests, by version

	mu    sync.Mutex
	marks map[string]*markState // pending-index markers this process knows, by key

	lastAudit time.Time // the time of this process's latest audit entry (auditTime)

	tools     MediaTools    // nil: no ffmpeg
	mediaWake chan struct{} // new media work (buffered, 1)
	mediaMu   sync.Mutex    // one media job at a time in this process
}

// NewService returns a Service on the given store and index.
func NewService(o Options) (*Service, error) {
	if o.Blobs == nil {
		return nil, errors.New("archive: NewService needs Blobs")
	}
	if o.Index == nil {
		o.Index = noIndex{}
	}
	s := &Service{
		blobs: o.Blobs, index: o.Index, prober: o.Prober, log: o.Logger, now: o.Now,
		maxTrack: o.MaxTrack, retryEvery: o.RetryEvery, pwCost: o.PasswordCost,
		pendingGrace: o.PendingGrace, passTimeout: o.PassTimeout, marks: map[string]*markState{},
		indexLock: make(chan struct{}, 1),
		query:     o.Query.withDefaults(), catalog: newCatalogView(o.CatalogFresh),
		quotesEditorsOnly: o.QuotesEditorsOnly,
		tools:             o.MediaTools, mediaWake: make(chan struct{}, 1),
	}
	limits, err := newBudgets(o)
	if err != nil {
		return nil, err
	}
	s.limits = limits
	switch {
	case o.CueCache == 0:
		s.cues, s.viewed = newCueCache(DefaultCueCache), newViewerCache(DefaultCueCache)
	case o.CueCache > 0:
		s.cues, s.viewed = newCueCache(o.CueCache), newViewerCache(o.CueCache)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.maxTrack <= 0 {
		s.maxTrack = 16 << 20
	}
	s.uploadExpiry = o.UploadExpiry
	if s.uploadExpiry <= 0 {
		s.uploadExpiry = DefaultUploadExpiry
	}
	if s.pwCost == 0 {
		s.pwCost = bcrypt.DefaultCost
	}
	if s.retryEvery <= 0 {
		s.retryEvery = 5 * time.Second
	}
	if s.pendingGrace <= 0 {
		s.pendingGrace = DefaultPendingGrace
	}
	if s.passTimeout <= 0 {
		s.passTimeout = DefaultPassTimeout
	}
	return s, nil
}

// fmtErr builds an *Error: "archive: op id: detail: sentinel" for the log,
// detail (or the sentinel's text) for the client.
func fmtErr(op, id string, sentinel error, detail string) error {
	where := "archive: " + op
	if id != "" {
		where += " " + id
	}
	return &Error{Kind: sentinel, Where: where, Message: detail}
}

// newRev returns a short random token that makes object keys unique per
// upload, so an upload never overwrites an object a manifest points at.
func newRev() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// noIndex stands in when no index is open: every call is ErrUnavailable.
type noIndex struct{}

var errNoIndex = fmt.Errorf("archive: no search index is open: %w", ErrUnavailable)

func (noIndex) Put(context.Context, string, []CueDoc) error { return errNoIndex }
func (noIndex) Delete(context.Context, string) error        { return errNoIndex }
func (noIndex) Ping(context.Context) error                  { return errNoIndex }
func (noIndex) Search(context.Context, SearchQuery) (SearchResult, error) {
	return SearchResult{}, errNoIndex
}

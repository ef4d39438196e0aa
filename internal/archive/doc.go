// Package archive is the centre of Verbatim: the domain types (Recording,
// Track, Cue, Speaker, Quote, accounts), the sentinel errors the HTTP layer
// maps to statuses (ErrNotFound, ErrConflict, ErrPrecondition, …), and the
// Service, through which every use case goes — the server, the commands
// and the importer call nothing else.
//
// # Two interfaces, declared here, implemented beside it
//
// Blobs is the object store and the system of record: every durable fact
// is an object in it (internal/disk on a directory, internal/s3 on any
// S3-compatible bucket; both pass internal/blobtest). Index is the search
// index, derived from storage and rebuildable from it alone by Reindex
// (internal/bleveindex embedded, internal/meili on Meilisearch; both pass
// internal/indextest). Optional abilities are found by type assertion:
// Presigner (direct media URLs), a ranged open without metadata (disk), a
// Ping. Decorators that wrap a store or an index (internal/instrument) keep
// them.
//
// # Object layout
//
//	recordings/<id>/manifest.json        metadata, speakers, tracks, status, version
//	recordings/<id>/media/<name>.<ext>   the media as uploaded, or its faststart remux (a new key each)
//	recordings/<id>/poster-<rev>.jpg     the poster frame the media worker took (a new key each)
//	recordings/<id>/tracks/<lang>.vtt    the canonical normalised WebVTT
//	recordings/<id>/tracks/<lang>.source the file exactly as the editor uploaded it
//	accounts/<name>.json                 users and password hashes
//	accounts/tokens/<sha256>.json        API token hashes -> account
//	secrets/session-key.json             the session-signing key when none is configured
//	pending/index/<id>/<stamp>           index work not yet applied (a crash or an outage)
//	pending/media/<id>/<rev>.json|.failed poster/faststart work to do, or given up (MediaWorkPrefix)
//	pending/embargo/…                    embargoes that lapse by themselves
//	catalog/entries/<id>.json            what a listing shows of a recording (derived)
//
// A manifest is written last, with a conditional write (If-Match on its
// ETag, or If-None-Match to create), after the objects it points at: a
// crash leaves at worst unreferenced objects (`verbatim check` finds them),
// and two editors never overwrite each other silently. Because every
// durable fact is in the store, any number of Services — processes, on
// several machines — may share one bucket; what a Service keeps in memory
// is a cache of what storage says or work it also recorded there.
//
// # The catalog
//
// Listings (the API's pages, the home and event pages, the decoration of
// search results) read the catalog, never a manifest: one small entry
// object per recording, catalog/entries/<id>.json, holding the editor's
// summary, the viewer's summary (nil for drafts and embargoed recordings;
// speaker names as viewers may see them, never a hidden one) and the ETag
// of the manifest it was derived from. Manifests stay the truth; the
// catalog is derived and `verbatim reindex` rebuilds it.
//
// Writes. Every manifest write (and delete) is bracketed by a pending
// marker (pending/index/…); after the manifest, the writer derives the
// entry (indexRecording → catalogRecording) and only then removes the
// marker. A crash between the manifest and the entry leaves the marker,
// and the repair loop re-derives the entry, as it does the index. Entries
// are written unconditionally, but after each write the writer Stats the
// manifest again and goes round once more if it changed: whichever of two
// processes writes the entry last, its write came after the last manifest
// write or it sees that manifest and re-derives. So the entry left last
// matches the manifest written last (S3 and the disk store are strongly
// consistent for a single key). One object per recording means no two
// recordings ever contend for the same catalog object: no shared summary
// object, no lost update.
//
// Reads. Each Service keeps a view of the catalog in memory (a few
// hundred bytes per recording). A listing refreshes it when it is older
// than Options.CatalogFresh (default 2 s): one ListObjects of
// catalog/entries/ (one request per 1,000 recordings on S3) and a read of
// the entries whose ETag changed, at most 16 at a time. A page is then
// filtered and sorted in memory: per request it costs no reads at all
// within the freshness window, and memory bounded by the page it returns
// plus one slice of the matches. A change made through another process is
// listed here within CatalogFresh plus one request; a change made through
// this process is listed at once. The first listing after a start reads
// every entry once (in parallel); that is the cost of a restart.
//
// # Visibility
//
// What a viewer may see is decided in one place (visibility.go), per
// speaker span: unpublished and embargoed recordings are invisible, a
// hidden speaker's words become a marked gap, an anonymised speaker appears
// under a pseudonym, names are matched whatever their spelling, redactions
// apply in every language. Every viewer-facing output — pages, JSON,
// exports, captions, quotes and the search index — is derived from that
// result, so the index never holds what viewers may not see and needs no
// filtering of its own. Editors (a Principal with an editor role) see
// everything.
package archive

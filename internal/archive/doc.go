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
//	catalog/changes/<stamp>_<id>_<etag>  the catalog's change log (empty markers)
//	catalog/snapshots/<horizon>.json     the whole catalog as of a horizon
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
// Writes also leave a change marker: after the entry is written (or
// removed) the writer puts an empty object catalog/changes/<stamp>_<id>_
// <entry ETag or "deleted">, <stamp> its wall clock in nanoseconds, so the
// log sorts by time. A marker whose write took longer than changeSettle/2
// (5 s) is written again, freshly stamped, so every marker is listable
// within changeSettle (10 s) of its stamp, given writers' clocks agree
// within 5 s. The marker comes after the entry and before the pending
// marker's removal: a crash in between is repaired like a lost entry.
//
// Reads. Each Service keeps a view of the catalog in memory (a few
// hundred bytes per recording) with a horizon: every change stamped
// before it is reflected. Catching up is one listing of the change log
// after the horizon (S3's StartAfter; the markers of about changeSettle
// plus the time since the last pass) and one read per changed entry, only
// of entries whose ETag the view lacks; markers already applied are
// skipped. Afterwards the horizon moves to the pass's start less
// changeSettle. So a refresh costs O(changes), not O(recordings).
//
// Run keeps a background refresh going, one goroutine per Service, that
// catches up every Options.CatalogFresh (default 2 s) and ends with Run's
// context; each pass has its own deadline (5 s; a load 2 min), so a store
// that stops answering holds one pass, never a pile. A listing then never
// waits for storage: it filters and pages the view in memory, and a change
// made through another process is listed within CatalogFresh plus one
// pass (a listing and the changed entries: milliseconds); through this
// process, at once. Where Run is not going (commands, tests), a listing
// that finds the view older than CatalogFresh catches up first, at the
// same O(changes) cost. While the store does not answer, listings keep
// answering from the last copy.
//
// Start. The first listing of a process waits for the view to load: from
// the newest snapshot, catalog/snapshots/<horizon>.json (one listing of
// that prefix and one GET: every entry with its ETag, as a view held them
// at that horizon), then the changes after it. Without a snapshot it lists
// every entry and reads them all, at most 16 at a time, once. A process
// whose background refresh is going writes a snapshot every minute when
// none is younger and there were changes since the newest, then compacts:
// all but the two newest snapshots go, and change markers stamped more
// than compactAge (10 min) before the newest snapshot's horizon. A view
// whose last successful pass is older than half of that (its process was
// cut off from the store) reloads from the newest snapshot instead of
// trusting the log to reach back. Every 10 minutes the background refresh
// also lists every entry and reads those whose ETag it lacks: a safety net
// for a writer whose clock is wrong, that reads no manifest and, when
// nothing was missed, no entry.
//
// Several snapshots may be written at once by several processes: each is
// a whole view at its own horizon, readers take the newest by name, and
// compaction only removes markers older than what the newest covers, so a
// late, older snapshot costs a longer replay, never a lost change.
// `verbatim reindex` re-derives every entry from its manifest, removes
// strays, reads the view anew from every entry (not from a snapshot) and
// writes it as the newest snapshot.
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

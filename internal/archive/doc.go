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
//	recordings/<id>/media/<name>.<ext>   the media as uploaded (a new key per upload)
//	recordings/<id>/tracks/<lang>.vtt    the canonical normalised WebVTT
//	recordings/<id>/tracks/<lang>.source the file exactly as the editor uploaded it
//	accounts/<name>.json                 users and password hashes
//	accounts/tokens/<sha256>.json        API token hashes -> account
//	secrets/session-key.json             the session-signing key when none is configured
//	pending/index/<id>/<stamp>           index work not yet applied (a crash or an outage)
//	pending/embargo/…                    embargoes that lapse by themselves
//
// A manifest is written last, with a conditional write (If-Match on its
// ETag, or If-None-Match to create), after the objects it points at: a
// crash leaves at worst unreferenced objects (`verbatim check` finds them),
// and two editors never overwrite each other silently. Because every
// durable fact is in the store, any number of Services — processes, on
// several machines — may share one bucket; what a Service keeps in memory
// is a cache of what storage says or work it also recorded there.
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

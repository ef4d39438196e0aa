package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AuditEntry is one change to a recording: who, when, what, before and
// after. Entries are editors' data (they name hidden speakers).
type AuditEntry struct {
	ID      string        `json:"id"` // the entry's sortable key name, a paging cursor
	At      time.Time     `json:"at"`
	Who     string        `json:"who"`
	Action  string        `json:"action"`           // one of the Audit* actions
	Target  string        `json:"target,omitempty"` // a track's language, a media file name
	Changes []AuditChange `json:"changes"`
}

// AuditChange is one field's value before and after.
type AuditChange struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// Audit actions.
const (
	AuditCreate      = "create"
	AuditMetadata    = "metadata"
	AuditTrackPut    = "track.put"
	AuditTrackShift  = "track.shift"
	AuditTrackLinear = "track.linear"
	AuditTrackDelete = "track.delete"
	AuditMedia       = "media"
	AuditMediaWork   = "media.work" // the media worker's poster frame or faststart remux
)

// AuditPage is a page of a recording's audit trail, newest first. Next is
// the cursor (before=) of the following, older page; "" on the last.
type AuditPage struct {
	Entries []AuditEntry `json:"entries"`
	Next    string       `json:"next,omitempty"`
}

// MaxAuditPage bounds one page of the audit trail.
const MaxAuditPage = 200

// AuditPrefix is where a recording's audit entries are kept: one small
// object per entry, named by time and a random suffix, so that any number
// of processes append without reading or rewriting a shared object. They
// go with the recording when it is deleted.
//
// Names are "n-" and the time counted down from the largest int64
// nanosecond (newEntryPrefix): key order is newest first, so a page of the
// trail is one bounded listing after the cursor, whatever its length.
// Entries written before that scheme are named by the time counting up
// (all digits, so they sort before "n-"); they are older than every
// "n-" entry and are listed, newest first, once those run out.
func AuditPrefix(id string) string { return recordingsPrefix + id + "/audit/" }

// audit records an entry for a change that has been stored. A failure is
// logged, not returned: the change itself is already durable.
func (s *Service) audit(ctx context.Context, who Principal, id, action, target string, changes []AuditChange) {
	if changes == nil {
		changes = []AuditChange{}
	}
	at := s.auditTime()
	name := fmt.Sprintf("%s%019d-%s", newEntryPrefix, math.MaxInt64-at.UnixNano(), newRev())
	e := AuditEntry{ID: name, At: at, Who: who.Name, Action: action, Target: target, Changes: changes}
	data, err := json.Marshal(e)
	if err == nil {
		_, err = s.blobs.Put(context.WithoutCancel(ctx), AuditPrefix(id)+name+".json", bytes.NewReader(data), int64(len(data)),
			PutOptions{ContentType: "application/json", IfNoneMatch: true})
	}
	if err != nil {
		s.log.Error("archive: audit entry not written", "recording", id, "action", action, "err", err)
	}
}

// auditTime is now, made strictly later than this process's previous
// entry, so that one editor's changes list in the order made even on a
// coarse clock. Entries of different processes order by their clocks.
func (s *Service) auditTime() time.Time {
	at := s.now().UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !at.After(s.lastAudit) {
		at = s.lastAudit.Add(time.Nanosecond)
	}
	s.lastAudit = at
	return at
}

// Audit returns up to limit entries of a recording's audit trail, newest
// first, older than the cursor before ("" for the newest). Editors only.
func (s *Service) Audit(ctx context.Context, who Principal, id string, limit int, before string) (AuditPage, error) {
	if err := requireEditor(who, "audit"); err != nil {
		return AuditPage{}, err
	}
	if err := checkID("audit", id); err != nil {
		return AuditPage{}, err
	}
	if limit <= 0 || limit > MaxAuditPage {
		return AuditPage{}, fmtErr("audit", id, ErrInvalid, fmt.Sprintf("limit must be between 1 and %d", MaxAuditPage))
	}
	if _, err := s.blobs.Stat(ctx, manifestKey(id)); err != nil {
		return AuditPage{}, manifestErr(id, err)
	}
	var names []string
	if before == "" || strings.HasPrefix(before, newEntryPrefix) {
		after := ""
		if before != "" {
			after = AuditPrefix(id) + before + ".json"
		}
		infos, err := listPage(ctx, s.blobs, AuditPrefix(id)+newEntryPrefix, after, limit+1)
		if err != nil {
			return AuditPage{}, fmt.Errorf("archive: audit %s: %w", id, err)
		}
		for _, in := range infos {
			names = append(names, strings.TrimSuffix(strings.TrimPrefix(in.Key, AuditPrefix(id)), ".json"))
		}
		before = "" // any older entries are all the legacy ones
	}
	if len(names) <= limit {
		legacy, err := s.legacyAudit(ctx, id, before, limit+1-len(names))
		if err != nil {
			return AuditPage{}, err
		}
		names = append(names, legacy...)
	}
	page := AuditPage{Entries: []AuditEntry{}}
	if len(names) > limit {
		names, page.Next = names[:limit], names[limit-1]
	}
	for _, n := range names {
		var e AuditEntry
		if err := s.getJSON(ctx, AuditPrefix(id)+n+".json", &e); err != nil {
			return AuditPage{}, err
		}
		page.Entries = append(page.Entries, e)
	}
	return page, nil
}

// newEntryPrefix starts the names of audit entries that sort newest first.
const newEntryPrefix = "n-"

// legacyAudit lists up to n names of entries written before the
// newest-first names, newest first, older than before ("": all). It reads
// their whole listing (they sort before "n-", so a listing bounded after
// them stops at the first new entry); a trail without any costs a listing
// of one key.
func (s *Service) legacyAudit(ctx context.Context, id, before string, n int) ([]string, error) {
	first, err := listPage(ctx, s.blobs, AuditPrefix(id), "", 1)
	if err != nil {
		return nil, fmt.Errorf("archive: audit %s: %w", id, err)
	}
	if len(first) == 0 || strings.HasPrefix(strings.TrimPrefix(first[0].Key, AuditPrefix(id)), newEntryPrefix) {
		return nil, nil
	}
	var names []string
	after := ""
	for {
		infos, err := listPage(ctx, s.blobs, AuditPrefix(id), after, MaxAuditPage)
		if err != nil {
			return nil, fmt.Errorf("archive: audit %s: %w", id, err)
		}
		for _, in := range infos {
			name := strings.TrimSuffix(strings.TrimPrefix(in.Key, AuditPrefix(id)), ".json")
			if strings.HasPrefix(name, newEntryPrefix) {
				infos = nil
				break
			}
			if before == "" || name < before {
				names = append(names, name)
			}
		}
		if len(infos) < MaxAuditPage {
			break
		}
		after = infos[len(infos)-1].Key
	}
	slices.Reverse(names)
	return names[:min(n, len(names))], nil
}

// recordingChanges lists what differs between two versions of a
// recording's metadata and speakers.
func recordingChanges(a, b Recording) []AuditChange {
	var out []AuditChange
	field := func(name, x, y string) {
		if x != y {
			out = append(out, AuditChange{Field: name, Before: x, After: y})
		}
	}
	field("title", a.Title, b.Title)
	field("event", a.Event, b.Event)
	field("date", a.Date, b.Date)
	field("place", a.Place, b.Place)
	field("description", a.Description, b.Description)
	field("declared_languages", strings.Join(a.Declared, ", "), strings.Join(b.Declared, ", "))
	field("status", string(a.Status), string(b.Status))
	field("sensitive", strconv.FormatBool(a.Sensitive), strconv.FormatBool(b.Sensitive))
	field("embargo_until", a.EmbargoUntil, b.EmbargoUntil)
	field("duration_ms", strconv.FormatInt(a.DurationMS, 10), strconv.FormatInt(b.DurationMS, 10))
	field("redactions", redactionsText(a.Redactions), redactionsText(b.Redactions))
	for _, sp := range b.Speakers {
		i := slices.IndexFunc(a.Speakers, func(o Speaker) bool { return o.ID == sp.ID })
		old := ""
		if i >= 0 {
			old = speakerText(a.Speakers[i])
		}
		field("speaker "+sp.ID, old, speakerText(sp))
	}
	for _, sp := range a.Speakers {
		if !slices.ContainsFunc(b.Speakers, func(o Speaker) bool { return o.ID == sp.ID }) {
			field("speaker "+sp.ID, speakerText(sp), "")
		}
	}
	return out
}

func speakerText(sp Speaker) string {
	parts := []string{sp.Name, string(sp.Visibility)}
	if sp.Role != "" {
		parts = append(parts, "role "+sp.Role)
	}
	if sp.Pseudonym != "" {
		parts = append(parts, "pseudonym "+sp.Pseudonym)
	}
	if len(sp.Aliases) > 0 {
		parts = append(parts, "aliases "+strings.Join(sp.Aliases, ", "))
	}
	if sp.Held {
		parts = append(parts, "held")
	}
	if sp.EmbargoUntil != "" {
		parts = append(parts, "embargo until "+sp.EmbargoUntil)
	}
	return strings.Join(parts, "; ")
}

func redactionsText(rs []Redaction) string {
	parts := make([]string, 0, len(rs))
	for _, r := range rs {
		if r.Text != "" {
			parts = append(parts, strconv.Quote(r.Text))
		} else {
			parts = append(parts, fmt.Sprintf("%d–%d ms", r.StartMS, r.EndMS))
		}
	}
	return strings.Join(parts, ", ")
}

// trackChanges lists what differs between two versions of a track.
func trackChanges(a, b Track) []AuditChange {
	var out []AuditChange
	field := func(name, x, y string) {
		if x != y {
			out = append(out, AuditChange{Field: name, Before: x, After: y})
		}
	}
	version := func(t Track) string {
		if t.Version == 0 {
			return ""
		}
		return strconv.FormatInt(t.Version, 10)
	}
	field("version", version(a), version(b))
	field("cue_count", strconv.Itoa(a.CueCount), strconv.Itoa(b.CueCount))
	field("kind", string(a.Kind), string(b.Kind))
	field("source", string(a.Source), string(b.Source))
	field("format_uploaded", a.FormatUploaded, b.FormatUploaded)
	return out
}

package archive

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RecordingInput is what an editor sets on create; ID may be empty to derive
// a slug from the title.
type RecordingInput struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Event       string `json:"event"`
	Date        string `json:"date"`
	Place       string `json:"place"`
	Description string `json:"description"`
	// MetadataLang: see Recording.
	MetadataLang string    `json:"metadata_lang"`
	Sample       bool      `json:"sample"`
	Status       Status    `json:"status"`
	DurationMS   int64     `json:"duration_ms"`
	Speakers     []Speaker `json:"speakers"`
	// Declared: see Recording (declared_languages).
	Declared []string `json:"declared_languages"`
	// Sensitive, EmbargoUntil and Redactions: see Recording.
	Sensitive    bool        `json:"sensitive"`
	EmbargoUntil string      `json:"embargo_until"`
	Redactions   []Redaction `json:"redactions"`
}

// Patch changes some fields of a recording; nil fields stay as they are.
// Speakers, when given, replaces the whole list.
type Patch struct {
	Title        *string    `json:"title"`
	Event        *string    `json:"event"`
	Date         *string    `json:"date"`
	Place        *string    `json:"place"`
	Description  *string    `json:"description"`
	MetadataLang *string    `json:"metadata_lang"`
	Sample       *bool      `json:"sample"`
	Status       *Status    `json:"status"`
	DurationMS   *int64     `json:"duration_ms"`
	Speakers     *[]Speaker `json:"speakers"`
	// Declared, when given, replaces the declared languages.
	Declared *[]string `json:"declared_languages"`
	// Sensitive makes every new speaker label start hidden.
	Sensitive *bool `json:"sensitive"`
	// EmbargoUntil holds the recording until an RFC 3339 time; "" lifts it.
	EmbargoUntil *string `json:"embargo_until"`
	// Redactions, when given, replaces the whole list.
	Redactions *[]Redaction `json:"redactions"`
}

// List returns the recordings who may see, newest event first: viewers get
// published recordings only, in their viewer form.
func (s *Service) List(ctx context.Context, who Principal) ([]Recording, error) {
	ids, err := s.listIDs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Recording, 0, len(ids))
	for _, id := range ids {
		rec, _, err := s.load(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue // deleted meanwhile
		}
		if errors.Is(err, errManifestTooLarge) {
			// Written before the manifest budget: listed for nobody, so one
			// recording cannot make the archive unreadable.
			s.log.Warn("archive: listing skips a recording whose manifest is over the read limit", "recording", id, "err", err)
			continue
		}
		if err != nil {
			return nil, err
		}
		if v, ok := visibleTo(who, rec, s.now()); ok {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b Recording) int {
		return cmp.Or(cmp.Compare(b.Date, a.Date), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Get returns one recording and its ETag. A draft is not found for viewers.
func (s *Service) Get(ctx context.Context, who Principal, id string) (Recording, string, error) {
	rec, etag, err := s.loadFor(ctx, who, id)
	if errors.Is(err, errManifestTooLarge) && !who.CanEdit() {
		s.log.Warn("archive: a recording's manifest is over the read limit", "recording", id, "err", err)
		return Recording{}, "", notFound("get", id, msgNoRecording, nil)
	}
	if err != nil {
		return Recording{}, "", err
	}
	v, ok := visibleTo(who, rec, s.now())
	if !ok {
		return Recording{}, "", notFound("get", id, msgNoRecording, nil)
	}
	return v, etag, nil
}

// Create stores a new recording (a draft unless in.Status says otherwise).
// A client-chosen id that exists is a conflict; a derived one gets a suffix.
func (s *Service) Create(ctx context.Context, who Principal, in RecordingInput) (Recording, string, error) {
	if err := requireEditor(who, "create"); err != nil {
		return Recording{}, "", err
	}
	now := s.now().UTC()
	rec := Recording{
		ID: in.ID, Title: strings.TrimSpace(in.Title), Event: in.Event, Date: in.Date, Place: in.Place,
		Description: in.Description, MetadataLang: in.MetadataLang, Sample: in.Sample, Status: cmp.Or(in.Status, StatusDraft), DurationMS: in.DurationMS,
		Speakers: in.Speakers, Languages: []string{}, Declared: slices.Clone(in.Declared), Tracks: []Track{},
		Sensitive: in.Sensitive, EmbargoUntil: in.EmbargoUntil, Redactions: in.Redactions,
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.normalize(&rec); err != nil {
		return Recording{}, "", err
	}
	if rec.ID != "" {
		if err := checkID("create", rec.ID); err != nil {
			return Recording{}, "", err
		}
		etag, err := s.saveNew(ctx, rec)
		if errors.Is(err, ErrPrecondition) {
			return Recording{}, "", fmtErr("create", rec.ID, ErrConflict, "a recording with this id exists")
		}
		if err == nil {
			s.audit(ctx, who, rec.ID, AuditCreate, "", recordingChanges(Recording{}, rec))
		}
		return rec, etag, err
	}
	base := Slug(rec.Title, 72)
	if base == "" {
		base = "recording"
	}
	for n := 1; n < 100; n++ {
		rec.ID = base
		if n > 1 {
			rec.ID = base + "-" + strconv.Itoa(n)
		}
		etag, err := s.saveNew(ctx, rec)
		if err == nil {
			s.audit(ctx, who, rec.ID, AuditCreate, "", recordingChanges(Recording{}, rec))
		}
		if !errors.Is(err, ErrPrecondition) {
			return rec, etag, err
		}
	}
	return Recording{}, "", fmtErr("create", base, ErrConflict, "no free id derived from the title")
}

// saveNew creates rec's manifest with a pending marker around it, so a
// crash between the manifest and its catalog entry is repaired.
func (s *Service) saveNew(ctx context.Context, rec Recording) (string, error) {
	mark, err := s.beginIndex(ctx, rec.ID)
	if err != nil {
		return "", err
	}
	etag, err := s.save(ctx, rec, "")
	if err != nil {
		s.dropMark(ctx, mark)
		return "", err
	}
	s.finishIndex(ctx, rec.ID, mark)
	return etag, nil
}

// Patch changes a recording's metadata. ifMatch is the ETag the editor read;
// when another write came first the patch fails with ErrPrecondition and
// the other write stays. An empty ifMatch is refused: lost updates are
// exactly what it prevents.
func (s *Service) Patch(ctx context.Context, who Principal, id, ifMatch string, p Patch) (Recording, string, error) {
	if err := requireEditor(who, "patch"); err != nil {
		return Recording{}, "", err
	}
	if ifMatch == "" {
		return Recording{}, "", fmtErr("patch", id, ErrPrecondition, "If-Match with the recording's ETag is required")
	}
	var before Recording
	rec, etag, err := s.change(ctx, id, ifMatch, func(r *Recording) error {
		before = *r
		before.Speakers = slices.Clone(r.Speakers)
		apply(r, p)
		return s.normalize(r)
	})
	if err != nil {
		return Recording{}, "", err
	}
	if ch := recordingChanges(before, rec); len(ch) > 0 {
		s.audit(ctx, who, id, AuditMetadata, "", ch)
	}
	return rec, etag, nil
}

func apply(r *Recording, p Patch) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&r.Title, p.Title)
	set(&r.Event, p.Event)
	set(&r.Date, p.Date)
	set(&r.Place, p.Place)
	set(&r.Description, p.Description)
	set(&r.MetadataLang, p.MetadataLang)
	if p.Sample != nil {
		r.Sample = *p.Sample
	}
	if p.Status != nil {
		r.Status = *p.Status
	}
	if p.DurationMS != nil {
		r.DurationMS = *p.DurationMS
	}
	if p.Speakers != nil {
		r.Speakers = slices.Clone(*p.Speakers)
	}
	if p.Declared != nil {
		r.Declared = slices.Clone(*p.Declared)
	}
	if p.Sensitive != nil {
		r.Sensitive = *p.Sensitive
	}
	set(&r.EmbargoUntil, p.EmbargoUntil)
	if p.Redactions != nil {
		r.Redactions = slices.Clone(*p.Redactions)
	}
}

// Delete removes the recording, every object under it, its quotes (with
// their cards and clips) and its search entries. The pending-index marker goes first, so a crash at any point
// after leaves the index removal recorded; then the manifest, so nothing
// ever points at a removed object. The manifest is not read: a recording
// whose manifest no reader accepts can still be deleted.
func (s *Service) Delete(ctx context.Context, who Principal, id string) error {
	if err := requireEditor(who, "delete"); err != nil {
		return err
	}
	if err := checkID("delete", id); err != nil {
		return err
	}
	if _, err := s.blobs.Stat(ctx, manifestKey(id)); err != nil {
		return manifestErr(id, err)
	}
	mark, err := s.beginIndex(ctx, id)
	if err != nil {
		return err
	}
	if err := s.blobs.Delete(ctx, manifestKey(id)); err != nil {
		s.dropMark(ctx, mark)
		return fmt.Errorf("archive: delete %s: %w", id, err)
	}
	s.finishIndex(ctx, id, mark)
	// The quotes first: their references are among the objects below.
	if err := s.deleteQuotesOf(ctx, id); err != nil {
		return fmt.Errorf("archive: delete %s: %w", id, err)
	}
	infos, err := s.blobs.List(ctx, recordingsPrefix+id+"/")
	if err != nil {
		return fmt.Errorf("archive: delete %s: %w", id, err)
	}
	for _, in := range infos {
		if err := s.blobs.Delete(ctx, in.Key); err != nil {
			return fmt.Errorf("archive: delete %s: %w", id, err)
		}
	}
	return nil
}

// normalize validates a recording's editable fields and fills defaults.
func (s *Service) normalize(r *Recording) error {
	r.Title = strings.TrimSpace(r.Title)
	if r.Title == "" {
		return fmtErr("recording", r.ID, ErrInvalid, "title is required")
	}
	if r.Date != "" {
		if _, err := time.Parse(time.DateOnly, r.Date); err != nil {
			return fmtErr("recording", r.ID, ErrInvalid, fmt.Sprintf("date %q is not YYYY-MM-DD", r.Date))
		}
	}
	if r.MetadataLang != "" {
		lang, err := canonicalLang(r.MetadataLang)
		if err != nil {
			return fmtErr("recording", r.ID, ErrInvalid, fmt.Sprintf("metadata_lang %q is not a BCP 47 language tag such as en or pt-BR", r.MetadataLang))
		}
		r.MetadataLang = lang
	}
	if err := normalizeDeclared(r); err != nil {
		return err
	}
	if r.Status != StatusDraft && r.Status != StatusPublished {
		return fmtErr("recording", r.ID, ErrInvalid, fmt.Sprintf("status %q is neither draft nor published", r.Status))
	}
	if r.DurationMS < 0 {
		return fmtErr("recording", r.ID, ErrInvalid, "duration_ms is negative")
	}
	var err error
	if r.EmbargoUntil, err = normalizeEmbargo(r.EmbargoUntil); err != nil {
		return fmtErr("recording", r.ID, ErrInvalid, "embargo_until: "+err.Error())
	}
	if err := normalizeRedactions(r); err != nil {
		return err
	}
	if err := normalizeSpeakers(r); err != nil {
		return err
	}
	return s.checkSpeakers(r)
}

// normalizeEmbargo checks an RFC 3339 time and stores it in UTC.
func normalizeEmbargo(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return "", fmt.Errorf("%q is not an RFC 3339 time such as 2027-01-31T09:00:00Z", s)
	}
	return t.UTC().Format(time.RFC3339), nil
}

// Limits on editorial lists, so a manifest stays small.
const (
	maxRedactions = 500
	maxAliases    = 20
	maxPhrase     = 200
)

func normalizeRedactions(r *Recording) error {
	if len(r.Redactions) > maxRedactions {
		return fmtErr("recording", r.ID, ErrInvalid, fmt.Sprintf("%d redactions; at most %d", len(r.Redactions), maxRedactions))
	}
	for i := range r.Redactions {
		rd := &r.Redactions[i]
		rd.Text = strings.TrimSpace(rd.Text)
		bad := func(why string) error {
			return fmtErr("recording", r.ID, ErrInvalid, fmt.Sprintf("redaction %d: %s", i+1, why))
		}
		switch {
		case rd.Text != "" && (rd.StartMS != 0 || rd.EndMS != 0):
			return bad("give either text or start_ms and end_ms, not both")
		case rd.Text != "" && len(rd.Text) > maxPhrase:
			return bad(fmt.Sprintf("text is longer than %d bytes", maxPhrase))
		case rd.Text != "" && foldString(rd.Text) == "":
			return bad("text has no letters or digits")
		case rd.Text == "" && (rd.StartMS < 0 || rd.EndMS <= rd.StartMS):
			return bad("needs text, or start_ms >= 0 and end_ms after start_ms")
		}
	}
	return nil
}

func normalizeSpeakers(r *Recording) error {
	seen := map[string]bool{}
	anon := 0
	for i := range r.Speakers {
		sp := &r.Speakers[i]
		sp.Name = strings.TrimSpace(sp.Name)
		if sp.ID == "" {
			sp.ID = Slug(sp.Name, 80)
		}
		if sp.ID == "" || sp.Name == "" {
			return fmtErr("recording", r.ID, ErrInvalid, fmt.Sprintf("speaker %d needs a name", i+1))
		}
		if seen[sp.ID] {
			return fmtErr("recording", r.ID, ErrInvalid, fmt.Sprintf("speaker id %q appears twice", sp.ID))
		}
		seen[sp.ID] = true
		if err := normalizeSpeaker(r.ID, sp); err != nil {
			return err
		}
		switch sp.Visibility {
		case "":
			sp.Visibility = VisibilityNamed
		case VisibilityNamed, VisibilityHidden:
		case VisibilityAnonymised:
			anon++
			if strings.TrimSpace(sp.Pseudonym) == "" {
				sp.Pseudonym = "Speaker " + string(rune('A'+(anon-1)%26))
			}
		default:
			return fmtErr("recording", r.ID, ErrInvalid, fmt.Sprintf("speaker %q: visibility %q is not named, anonymised or hidden", sp.Name, sp.Visibility))
		}
	}
	if r.Speakers == nil {
		r.Speakers = []Speaker{}
	}
	return nil
}

// normalizeSpeaker checks a speaker's aliases and embargo.
func normalizeSpeaker(id string, sp *Speaker) error {
	if len(sp.Aliases) > maxAliases {
		return fmtErr("recording", id, ErrInvalid, fmt.Sprintf("speaker %q: %d aliases; at most %d", sp.Name, len(sp.Aliases), maxAliases))
	}
	aliases := []string{}
	for _, a := range sp.Aliases {
		a = strings.TrimSpace(a)
		switch {
		case a == "":
			return fmtErr("recording", id, ErrInvalid, fmt.Sprintf("speaker %q: an alias is empty", sp.Name))
		case len(a) > maxPhrase:
			return fmtErr("recording", id, ErrInvalid, fmt.Sprintf("speaker %q: alias longer than %d bytes", sp.Name, maxPhrase))
		case foldString(a) == "":
			return fmtErr("recording", id, ErrInvalid, fmt.Sprintf("speaker %q: alias %q has no letters or digits", sp.Name, a))
		}
		aliases = append(aliases, a)
	}
	sp.Aliases = aliases
	if len(aliases) == 0 {
		sp.Aliases = nil
	}
	var err error
	if sp.EmbargoUntil, err = normalizeEmbargo(sp.EmbargoUntil); err != nil {
		return fmtErr("recording", id, ErrInvalid, fmt.Sprintf("speaker %q: embargo_until: %v", sp.Name, err))
	}
	return nil
}

// Slug turns a title or name into [a-z0-9-] of at most n characters.
func Slug(s string, n int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(foldAccents(s)) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > n {
		out = strings.TrimRight(out[:n], "-")
	}
	return out
}

// foldAccents maps common Latin letters with diacritics to ASCII, enough for
// readable slugs of European names.
func foldAccents(s string) string {
	return accentFolder.Replace(s)
}

var accentFolder = strings.NewReplacer(
	"ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "Ä", "Ae", "Ö", "Oe", "Ü", "Ue",
	"á", "a", "à", "a", "â", "a", "ã", "a", "å", "a", "é", "e", "è", "e", "ê", "e", "ë", "e",
	"í", "i", "ì", "i", "î", "i", "ï", "i", "ó", "o", "ò", "o", "ô", "o", "õ", "o", "ø", "o",
	"ú", "u", "ù", "u", "û", "u", "ñ", "n", "ç", "c", "æ", "ae", "œ", "oe",
	"Á", "A", "É", "E", "Í", "I", "Ó", "O", "Ú", "U", "Ñ", "N", "Ç", "C",
)

// maxDeclared bounds a recording's declared languages.
const maxDeclared = 50

// normalizeDeclared makes the declared languages canonical tags, each once,
// in the order given.
func normalizeDeclared(r *Recording) error {
	if len(r.Declared) > maxDeclared {
		return fmtErr("recording", r.ID, ErrInvalid, fmt.Sprintf("%d declared languages; at most %d", len(r.Declared), maxDeclared))
	}
	out := make([]string, 0, len(r.Declared))
	for _, l := range r.Declared {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		tag, err := canonicalLang(l)
		if err != nil {
			return fmtErr("recording", r.ID, ErrInvalid, fmt.Sprintf("declared language %q is not a BCP 47 language tag such as en or pt-BR", l))
		}
		if !slices.Contains(out, tag) {
			out = append(out, tag)
		}
	}
	r.Declared = out
	if len(out) == 0 {
		r.Declared = nil
	}
	return nil
}

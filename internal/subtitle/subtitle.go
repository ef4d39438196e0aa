package subtitle

import (
	"errors"
	"fmt"
	"time"
)

// Cue is one timed piece of text. Spans are its speakers' turns in order;
// Speaker, Text and Styled are what JoinSpans makes of them (a cue built
// by hand may leave Spans empty: it is then one span of Speaker).
type Cue struct {
	Start, End time.Duration
	Speaker    string
	Text       string // plain text; lines separated by "\n"
	Styled     string // WebVTT inline markup for display (b, i, u, c, lang, ruby, rt); may equal Text
	Spans      []Span
	// Borrowed is set on a cue whose speaker was not in its own file but
	// taken by time from another track (BorrowSpeakers): every speaker
	// with a turn in the reference cues it overlaps, any of whom may be
	// the one speaking. Consent must hold for all of them. WriteVTT keeps
	// it in a NOTE block before the cue, so stored tracks read it back.
	Borrowed []string
}

// Turns returns the cue's spans: Spans, or one span of the whole cue.
func (c Cue) Turns() []Span {
	if len(c.Spans) > 0 {
		return c.Spans
	}
	return []Span{{Speaker: c.Speaker, Text: c.Text, Styled: c.Styled}}
}

// Format names a subtitle file format.
type Format string

// Supported formats.
const (
	FormatSRT  Format = "srt"
	FormatVTT  Format = "vtt"
	FormatSSA  Format = "ssa"
	FormatASS  Format = "ass"
	FormatTTML Format = "ttml"
	FormatSTL  Format = "stl"
)

// Problem is a warning about one place in a file. Line 0 means the whole
// file; for EBU STL, Line is the number of the TTI block.
type Problem struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Report says what Parse found in an accepted file.
type Report struct {
	Format   Format    `json:"format"`
	Encoding string    `json:"encoding"` // the file's text encoding before conversion to UTF-8
	Speakers []string  `json:"speakers"` // every speaker named, in order of first appearance
	Warnings []Problem `json:"warnings"`
}

// Kinds of *Error, for errors.Is.
var (
	ErrNotSubtitle = errors.New("not a subtitle file")
	ErrTooLarge    = errors.New("subtitle file too large")
	ErrInvalid     = errors.New("invalid subtitle file")
)

// Error is a rejected file: where (Line, 0 for the whole file) and why.
type Error struct {
	Line   int
	Reason string
	Kind   error // ErrNotSubtitle, ErrTooLarge or ErrInvalid
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return e.Reason
}

func (e *Error) Unwrap() error { return e.Kind }

func invalid(line int, format string, args ...any) *Error {
	return &Error{Line: line, Reason: fmt.Sprintf(format, args...), Kind: ErrInvalid}
}

// DefaultMaxBytes is the size limit Parse applies when Options.MaxBytes is 0.
const DefaultMaxBytes = 10 << 20

// maxLine is the longest line a line-based format may have. astisub's
// scanner stops silently at 64 KiB and drops the rest of the file, so we
// reject such files instead.
const maxLine = 64 << 10

// Options tune Parse.
type Options struct {
	MaxBytes      int64         // 0 means DefaultMaxBytes
	MediaDuration time.Duration // 0 means unknown; cues past it are reported
	// MaxCues refuses (ErrTooLarge) a file that announces more cues, before
	// any is parsed; 0 means no limit.
	MaxCues int
}

// Parse reads a subtitle file in any supported format. The format is
// detected from the content; nameHint (a file name or extension) only
// decides SSA against ASS when the content does not, and a hint that
// contradicts the content is reported as a warning. Cues come back sorted
// by time, times rounded to the millisecond, empty cues dropped. A
// rejected file yields an *Error. Parse is safe for concurrent use.
func Parse(data []byte, nameHint string, opts Options) ([]Cue, Report, error) {
	limit := opts.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	if int64(len(data)) > limit {
		return nil, Report{}, &Error{
			Reason: fmt.Sprintf("file is %d bytes, the limit is %d", len(data), limit),
			Kind:   ErrTooLarge,
		}
	}
	var rep Report
	var raw []rawCue
	var err error
	if isSTL(data) {
		rep.Format, rep.Encoding = FormatSTL, "ebu-stl"
		if err := checkCueBudget(stlBlocks(data), opts.MaxCues); err != nil {
			return nil, Report{}, err
		}
		raw, err = readSTL(data)
	} else {
		raw, err = parseText(data, nameHint, opts.MaxCues, &rep)
	}
	if err != nil {
		return nil, Report{}, err
	}
	cues, err := finish(raw, opts, &rep)
	if err != nil {
		return nil, Report{}, err
	}
	// Empty lists, not nil, so that JSON shows [] to API clients.
	if rep.Speakers == nil {
		rep.Speakers = []string{}
	}
	if rep.Warnings == nil {
		rep.Warnings = []Problem{}
	}
	return cues, rep, nil
}

// parseText handles every text format: decode, normalise, detect, read.
func parseText(data []byte, nameHint string, maxCues int, rep *Report) ([]rawCue, error) {
	text, enc, err := decode(data)
	if err != nil {
		return nil, err
	}
	rep.Encoding = enc
	f, err := detect(text, nameHint)
	if err != nil {
		return nil, err
	}
	rep.Format = f
	if hinted := formatFromName(nameHint); hinted != "" && !sameFamily(hinted, f) {
		rep.Warnings = append(rep.Warnings, Problem{Reason: fmt.Sprintf(
			"file name says %s but the content is %s; read as %s", hinted, f, f)})
	}
	if err := checkCueBudget(cueTimings(text, f), maxCues); err != nil {
		return nil, err
	}
	if f != FormatTTML {
		if err := checkLineLengths(text); err != nil {
			return nil, err
		}
	}
	switch f {
	case FormatSRT:
		return readSRT(text)
	case FormatVTT:
		return readVTT(text, rep)
	case FormatSSA, FormatASS:
		return readSSA(text)
	case FormatTTML:
		return readTTML(text)
	}
	return nil, &Error{Reason: "unsupported format " + string(f), Kind: ErrNotSubtitle}
}

// Package subtitle reads subtitle files in the formats editors bring (SRT,
// WebVTT, SSA/ASS, TTML, EBU STL) into clean cues, and writes cues back out
// as WebVTT (the canonical stored form), SRT, TTML or a plain transcript.
// It does no I/O beyond the readers and writers it is given.
//
// Parsing is built on github.com/asticode/go-astisub, behind a hardening
// layer, because astisub alone loses data on real files:
//
//   - Size limit, byte-order marks, UTF-16 LE/BE with or without BOM, and
//     Windows-1252 / ISO-8859-1 / ISO-8859-15 text are handled before
//     astisub sees anything (it rejects non-UTF-8 lines).
//   - CRLF and lone CR become LF (astisub's scanner mis-splits a CRLF that
//     arrives across two reads).
//   - A line over 64 KiB is an error naming the line: astisub's scanner
//     stops there silently and drops the rest of the file.
//   - SRT, WebVTT and SSA timing lines are checked by our own pre-scan, so
//     errors name the line (astisub's SSA errors name none) and times are
//     parsed strictly; WebVTT cue settings are removed before astisub sees
//     them (it rejects a region it does not know).
//   - In SRT, astisub takes the line before each timing line for the cue
//     number and drops it; when cues are not separated by a blank line that
//     line is text, so we keep it.
//   - Every astisub call runs behind recover.
//
// Text is extracted by us. For SRT, SSA/ASS and STL it comes from astisub's
// line items; where astisub dropped whitespace between two tags the source
// text decides whether a space belongs there, so words are never glued.
// WebVTT cue text is read by our own tokenizer, because astisub keeps only
// the first voice of a line, only on the line where <v> appears, none whose
// name contains "/", and reads markup with HTML rules. TTML is read by our
// own walk over the XML: astisub ignores ttm:agent, glues words on
// different source lines or in sibling spans, drops nested spans, knows no
// dur attribute or nested div, and panics on a <p> without begin.
//
// Speakers come from WebVTT voice spans on every line, the SSA/ASS Name
// field, TTML ttm:agent/ttm:name, and otherwise the "NAME: text" and
// "- Name: text" prefix convention. BorrowSpeakers gives an unmarked track
// (an interpretation) the speakers of a marked one by time.
package subtitle

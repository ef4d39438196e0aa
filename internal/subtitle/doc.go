// Package subtitle reads subtitle files in the formats editors bring (SRT,
// WebVTT, SSA/ASS, TTML, EBU STL) into clean cues, and writes cues back out
// as WebVTT (the canonical stored form), SRT, TTML or a plain transcript.
// It does no I/O beyond the readers and writers it is given.
//
// Who parses what (astisub is github.com/asticode/go-astisub, behind a
// hardening layer, because alone it loses data on real files):
//
//   - Every format: size limit, byte-order marks, UTF-16 LE/BE with or
//     without BOM, Windows-1252 / ISO-8859-1 / ISO-8859-15 text, CRLF and
//     lone CR, and lines over 64 KiB (an error naming the line; astisub's
//     scanner stops there silently and drops the rest) are handled by us
//     before any reader runs. Every astisub call runs behind recover.
//   - WebVTT: ours alone. Our pre-scan reads and checks every timing line
//     (errors name the line; cue settings are reported and dropped) and our
//     own tokenizer reads cue text, voices and markup, because astisub keeps
//     only the first voice of a line, only on the line where <v> appears,
//     none whose name contains "/", and reads markup with HTML rules. An
//     astisub pass used to run as well, only for the cue times our pre-scan
//     already had; it was removed (parsing a 100k-cue file went from 1.3×
//     to 0.37× astisub's CPU time, BENCHMARKS.md).
//   - SRT: our pre-scan reads and checks the timing lines and the cue
//     boundaries; astisub splits each cue's text into line items, from
//     which we take the text. astisub takes the line before each timing
//     line for the cue number and drops it; when cues are not separated by
//     a blank line that line is text, so we keep it.
//   - SSA/ASS: our pre-scan checks the Dialogue lines' times (astisub's
//     errors name no line); astisub reads the sections, styles and events,
//     and we take the text and the Name field from its items.
//   - EBU STL (binary): astisub reads the file; we take the text from its
//     items.
//   - TTML: ours alone, a walk over the XML: astisub ignores ttm:agent,
//     glues words on different source lines or in sibling spans, drops
//     nested spans, knows no dur attribute or nested div, and panics on a
//     <p> without begin.
//
// Where astisub dropped whitespace between two tags the source text decides
// whether a space belongs there, so words are never glued.
//
// Speakers come from WebVTT voice spans on every line, the SSA/ASS Name
// field, TTML ttm:agent/ttm:name, and otherwise the "NAME: text" and
// "- Name: text" prefix convention. BorrowSpeakers gives an unmarked track
// (an interpretation) the speakers of a marked one by time.
package subtitle

// Package card draws a quote's share card: the PNG that Open Graph and
// Twitter tags point at, showing the quoted words, the speaker and the
// event. It is drawn in Go with the Go fonts (which cover the archive's
// interface languages: é, ñ, ü, ß, « », “ ”), so no browser or system font
// is needed, and the same input always gives the same bytes.
//
// The words are taken as given: the caller passes what a viewer may see
// now (the withheld notice when a quoted speaker has been hidden since).
// Render returns the laid-out lines beside the image and also writes the
// card's full text into the PNG as an iTXt "Description" chunk, so tests
// and crawlers can check what the image says without reading pixels.
package card

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The card's size: the Open Graph recommendation (1.91:1).
const (
	Width  = 1200
	Height = 630
)

// ContentType is the card's media type.
const ContentType = "image/png"

// Card is what a card shows. Every field is plain text, already in the
// form a viewer may see.
type Card struct {
	Text     string // the quoted words, or the withheld notice
	Withheld bool   // Text is a notice, not words: drawn in italics
	Speaker  string // "Name, role"; may be empty
	Event    string // "Event · 12 March 2026 · Geneva"; may be empty
	Note     string // a short provenance line ("English interpretation; human transcript"); may be empty
	Site     string // the archive's name, bottom right
}

// Line is one line of text as drawn.
type Line struct {
	Part string // "quote", "speaker", "event", "note" or "site"
	Text string
	// X, Y is the baseline origin, Width the advance, Size the font size,
	// all in pixels.
	X, Y, Width, Size int
}

// Layout is what Render drew.
type Layout struct {
	Lines []Line
	// Truncated: the quote did not fit and its last line ends in "…".
	Truncated bool
}

// Quote returns the quote's lines joined with spaces, as they read.
func (l Layout) Quote() string {
	var parts []string
	for _, ln := range l.Lines {
		if ln.Part == "quote" {
			parts = append(parts, ln.Text)
		}
	}
	return strings.Join(parts, " ")
}

// Geometry, in pixels.
const (
	margin     = 80
	textWidth  = Width - 2*margin
	quoteTop   = 96  // top of the quote block
	quoteLimit = 430 // the quote block's lowest baseline
	metaSize   = 30
	eventSize  = 26
	siteSize   = 24
	ellipsis   = "…"
)

// quoteSizes are tried largest first: a short quote reads big, a long one
// gets smaller type before it is cut.
var quoteSizes = [...]int{60, 52, 44, 38, 32}

var (
	ink    = color.RGBA{0x1b, 0x1f, 0x24, 0xff}
	muted  = color.RGBA{0x5b, 0x63, 0x6e, 0xff}
	paper  = color.RGBA{0xfa, 0xf8, 0xf3, 0xff}
	accent = color.RGBA{0x1f, 0x5f, 0x8b, 0xff}
)

// Renderer holds the parsed fonts; it is safe for concurrent use (each
// Render makes its own faces).
type Renderer struct {
	regular, bold, italic *opentype.Font
}

// NewRenderer parses the Go fonts.
func NewRenderer() (*Renderer, error) {
	var r Renderer
	for _, f := range []struct {
		dst **opentype.Font
		ttf []byte
		nm  string
	}{{&r.regular, goregular.TTF, "regular"}, {&r.bold, gobold.TTF, "bold"}, {&r.italic, goitalic.TTF, "italic"}} {
		parsed, err := opentype.Parse(f.ttf)
		if err != nil {
			return nil, fmt.Errorf("card: parse Go %s font: %w", f.nm, err)
		}
		*f.dst = parsed
	}
	return &r, nil
}

// Render draws c and returns the PNG and what it drew.
func (r *Renderer) Render(c Card) ([]byte, Layout, error) {
	if strings.TrimSpace(c.Text) == "" {
		return nil, Layout{}, errors.New("card: no text to draw")
	}
	img := image.NewRGBA(image.Rect(0, 0, Width, Height))
	draw.Draw(img, img.Bounds(), image.NewUniform(paper), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(0, 0, 16, Height), image.NewUniform(accent), image.Point{}, draw.Src)

	var lay Layout
	quoteFont := r.regular
	if c.Withheld {
		quoteFont = r.italic
	}
	lines, size, cut, err := r.fitQuote(quoteFont, c.Text)
	if err != nil {
		return nil, Layout{}, err
	}
	lay.Truncated = cut
	qf, err := face(quoteFont, size)
	if err != nil {
		return nil, Layout{}, err
	}
	lineH := size * 5 / 4
	y := quoteTop + size
	for _, ln := range lines {
		lay.Lines = append(lay.Lines, drawText(img, qf, ink, "quote", ln, margin, y, size))
		y += lineH
	}
	qf.Close()

	y = max(y-lineH+size, quoteLimit) + 56
	for _, m := range []struct {
		part, text string
		f          *opentype.Font
		size       int
		col        color.Color
	}{
		{"speaker", c.Speaker, r.bold, metaSize, ink},
		{"event", c.Event, r.regular, eventSize, muted},
		{"note", c.Note, r.italic, eventSize, muted},
	} {
		if strings.TrimSpace(m.text) == "" {
			continue
		}
		f, err := face(m.f, m.size)
		if err != nil {
			return nil, Layout{}, err
		}
		text, _ := fitLine(f, oneLine(m.text), textWidth)
		lay.Lines = append(lay.Lines, drawText(img, f, m.col, m.part, text, margin, y, m.size))
		y += m.size * 3 / 2
		f.Close()
	}
	if c.Site != "" {
		f, err := face(r.bold, siteSize)
		if err != nil {
			return nil, Layout{}, err
		}
		text, _ := fitLine(f, oneLine(c.Site), textWidth/3)
		w := font.MeasureString(f, text).Ceil()
		lay.Lines = append(lay.Lines, drawText(img, f, accent, "site", text, Width-margin-w, 56, siteSize))
		f.Close()
	}

	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.DefaultCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, Layout{}, fmt.Errorf("card: encode png: %w", err)
	}
	out, err := withText(buf.Bytes(), "Description", description(c))
	if err != nil {
		return nil, Layout{}, err
	}
	return out, lay, nil
}

// description is the card's text as one string: the full quote (never
// cut), then the speaker and the event.
func description(c Card) string {
	parts := []string{oneLine(c.Text)}
	for _, s := range []string{c.Speaker, c.Event, c.Note} {
		if s = oneLine(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

func face(f *opentype.Font, size int) (font.Face, error) {
	fc, err := opentype.NewFace(f, &opentype.FaceOptions{Size: float64(size), DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("card: font face of %dpx: %w", size, err)
	}
	return fc, nil
}

func drawText(img draw.Image, f font.Face, col color.Color, part, text string, x, y, size int) Line {
	d := font.Drawer{Dst: img, Src: image.NewUniform(col), Face: f, Dot: fixed.P(x, y)}
	d.DrawString(text)
	return Line{Part: part, Text: text, X: x, Y: y, Width: (d.Dot.X - fixed.I(x)).Ceil(), Size: size}
}

// oneLine folds every run of white space (line breaks included) into one
// space and drops control characters.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// withText inserts an iTXt chunk (UTF-8 text; tEXt is Latin-1 only) after
// the PNG's IHDR chunk.
func withText(pngData []byte, keyword, text string) ([]byte, error) {
	const sigLen, ihdrLen = 8, 8 + 13 + 4
	if len(pngData) < sigLen+ihdrLen || string(pngData[sigLen+4:sigLen+8]) != "IHDR" {
		return nil, errors.New("card: encoder output does not start with IHDR")
	}
	var body bytes.Buffer
	body.WriteString("iTXt")
	body.WriteString(keyword)
	body.Write([]byte{0, 0, 0}) // end of keyword, uncompressed, method 0
	body.WriteByte(0)           // no language tag
	body.WriteByte(0)           // no translated keyword
	body.WriteString(text)
	chunk := make([]byte, 0, body.Len()+8)
	chunk = be32(chunk, uint32(body.Len()-4))
	chunk = append(chunk, body.Bytes()...)
	chunk = be32(chunk, crc32.ChecksumIEEE(body.Bytes()))
	out := make([]byte, 0, len(pngData)+len(chunk))
	out = append(out, pngData[:sigLen+ihdrLen]...)
	out = append(out, chunk...)
	return append(out, pngData[sigLen+ihdrLen:]...), nil
}

func be32(b []byte, v uint32) []byte {
	return append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

// ReadText returns the text of a PNG's iTXt (or tEXt) chunk with keyword:
// what a card says, read back without reading pixels.
func ReadText(pngData []byte, keyword string) (string, error) {
	const sigLen = 8
	if len(pngData) < sigLen || string(pngData[:sigLen]) != "\x89PNG\r\n\x1a\n" {
		return "", errors.New("card: not a PNG")
	}
	for p := sigLen; p+12 <= len(pngData); {
		n := int(uint32(pngData[p])<<24 | uint32(pngData[p+1])<<16 | uint32(pngData[p+2])<<8 | uint32(pngData[p+3]))
		if n < 0 || p+12+n > len(pngData) {
			return "", fmt.Errorf("card: PNG chunk at byte %d runs past the end", p)
		}
		typ, body := string(pngData[p+4:p+8]), pngData[p+8:p+8+n]
		k, rest, _ := bytes.Cut(body, []byte{0})
		if string(k) == keyword {
			switch typ {
			case "tEXt":
				return string(rest), nil
			case "iTXt":
				// compression flag and method, language tag, translated keyword
				if len(rest) < 2 || rest[0] != 0 {
					return "", fmt.Errorf("card: iTXt %s is compressed or short", keyword)
				}
				parts := bytes.SplitN(rest[2:], []byte{0}, 3)
				if len(parts) != 3 {
					return "", fmt.Errorf("card: iTXt %s is malformed", keyword)
				}
				return string(parts[2]), nil
			}
		}
		p += 12 + n
	}
	return "", fmt.Errorf("card: no %s text in the PNG", keyword)
}

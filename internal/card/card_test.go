package card_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/card"
)

func renderer(t *testing.T) *card.Renderer {
	t.Helper()
	r, err := card.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var sample = card.Card{
	Text:    "« Les survivantes et les survivants doivent être entendus : personne ne connaît mieux qu'eux la traite. »",
	Speaker: "Françoise Müller, conseillère de l'ISTAC",
	Event:   "Side event · Straße der Menschenrechte · 12 March 2026 · Genève",
	Note:    "Interprétation française d'une déclaration faite en español; transcription humaine",
	Site:    "Verbatim",
}

func TestRenderIsPNGOfDeclaredSize(t *testing.T) {
	data, _, err := renderer(t).Render(sample)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != card.Width || b.Dy() != card.Height || card.Width != 1200 || card.Height != 630 {
		t.Errorf("card is %dx%d; want 1200x630 (Open Graph)", b.Dx(), b.Dy())
	}
	if err := checkChunks(data); err != nil {
		t.Error(err)
	}
	if out := os.Getenv("VERBATIM_CARD_OUT"); out != "" {
		// For looking at the card: VERBATIM_CARD_OUT=/tmp/card.png
		if err := os.WriteFile(out, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRenderTextIsTheQuotes(t *testing.T) {
	data, lay, err := renderer(t).Render(sample)
	if err != nil {
		t.Fatal(err)
	}
	if lay.Truncated {
		t.Errorf("a two-line quote was truncated: %q", lay.Quote())
	}
	if got := lay.Quote(); got != sample.Text {
		t.Errorf("laid-out quote = %q; want %q", got, sample.Text)
	}
	for _, part := range []struct{ part, want string }{{"speaker", sample.Speaker}, {"event", sample.Event}, {"note", sample.Note}, {"site", sample.Site}} {
		if got := partText(lay, part.part); got != part.want {
			t.Errorf("%s line = %q; want %q", part.part, got, part.want)
		}
	}
	desc, ok := textChunk(t, data, "Description")
	if !ok {
		t.Fatal("no Description text chunk in the PNG")
	}
	want := sample.Text + "\n" + sample.Speaker + "\n" + sample.Event + "\n" + sample.Note
	if desc != want {
		t.Errorf("Description chunk = %q; want %q", desc, want)
	}
	assertInside(t, lay)
}

func TestRenderLongQuoteIsCutWithEllipsis(t *testing.T) {
	long := strings.Repeat("Trafficking in human beings is a grave violation of human rights and an offence against dignity. ", 30)
	long += "Unbrokenwordthatgoesonandonwithoutanyspacesatalltoforceabreakbetweencharactersratherthanwords"
	c := sample
	c.Text = long
	data, lay, err := renderer(t).Render(c)
	if err != nil {
		t.Fatal(err)
	}
	if !lay.Truncated {
		t.Fatal("a 3000-character quote was not truncated")
	}
	got := lay.Quote()
	if !strings.HasSuffix(got, "…") {
		t.Errorf("cut quote %q does not end in an ellipsis", got)
	}
	if head := strings.TrimSuffix(got, "…"); !strings.HasPrefix(long, head) || len(head) < 100 {
		t.Errorf("cut quote %q is not a beginning of the quote", got)
	}
	desc, _ := textChunk(t, data, "Description")
	if !strings.HasPrefix(desc, strings.TrimSpace(long)+"\n") {
		t.Errorf("Description chunk does not hold the whole quote: %.80q…", desc)
	}
	assertInside(t, lay)
}

func TestRenderBreaksAWordWiderThanALine(t *testing.T) {
	c := card.Card{Text: strings.Repeat("ß", 200)}
	_, lay, err := renderer(t).Render(c)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(lay.Lines); n < 2 {
		t.Errorf("a 200-ß word took %d lines; want it broken over several", n)
	}
	if got := strings.ReplaceAll(lay.Quote(), " ", ""); got != c.Text {
		t.Errorf("broken word reads %q; want the word back", got)
	}
	assertInside(t, lay)
}

func TestRenderShortQuoteIsBig(t *testing.T) {
	_, short, err := renderer(t).Render(card.Card{Text: "No."})
	if err != nil {
		t.Fatal(err)
	}
	_, long, err := renderer(t).Render(card.Card{Text: strings.Repeat("word ", 120)})
	if err != nil {
		t.Fatal(err)
	}
	if short.Lines[0].Size <= long.Lines[0].Size {
		t.Errorf("short quote drawn at %dpx, long at %dpx; want the short one larger", short.Lines[0].Size, long.Lines[0].Size)
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	r := renderer(t)
	a, _, err := r.Render(sample)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := renderer(t).Render(sample)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two renders of the same card differ")
	}
	c := sample
	c.Text = "Something else entirely."
	other, _, _ := r.Render(c)
	if bytes.Equal(a, other) {
		t.Error("cards of different quotes are the same bytes")
	}
}

func TestRenderWithheldNotice(t *testing.T) {
	c := card.Card{Text: "[passage withheld at the speaker's request]", Withheld: true, Event: "Side event"}
	data, lay, err := renderer(t).Render(c)
	if err != nil {
		t.Fatal(err)
	}
	if got := lay.Quote(); got != c.Text {
		t.Errorf("withheld card reads %q; want the notice", got)
	}
	if desc, _ := textChunk(t, data, "Description"); desc != c.Text+"\nSide event" {
		t.Errorf("Description = %q", desc)
	}
	if partText(lay, "speaker") != "" {
		t.Error("withheld card without a speaker drew a speaker line")
	}
}

func TestRenderRefusesEmptyText(t *testing.T) {
	if _, _, err := renderer(t).Render(card.Card{Text: " \n "}); err == nil {
		t.Error("Render of an empty quote succeeded; want an error")
	}
}

func partText(lay card.Layout, part string) string {
	for _, ln := range lay.Lines {
		if ln.Part == part {
			return ln.Text
		}
	}
	return ""
}

// assertInside checks that every line lies within the card's margins.
func assertInside(t *testing.T, lay card.Layout) {
	t.Helper()
	prev := 0
	for _, ln := range lay.Lines {
		if ln.X < 40 || ln.X+ln.Width > card.Width-40 {
			t.Errorf("line %q spans x %d..%d; outside the card's 1200px with margins", ln.Text, ln.X, ln.X+ln.Width)
		}
		if ln.Y-ln.Size < 0 || ln.Y+ln.Size/4 > card.Height {
			t.Errorf("line %q at baseline %d (%dpx) overflows the card's %dpx height", ln.Text, ln.Y, ln.Size, card.Height)
		}
		if ln.Part != "site" && ln.Y <= prev {
			t.Errorf("line %q at baseline %d is not below the one before (%d)", ln.Text, ln.Y, prev)
		}
		if ln.Part != "site" {
			prev = ln.Y
		}
	}
}

// textChunk returns the text of the PNG's text chunk with keyword.
func textChunk(t *testing.T, data []byte, keyword string) (string, bool) {
	t.Helper()
	s, err := card.ReadText(data, keyword)
	if err != nil {
		t.Log(err)
		return "", false
	}
	return s, true
}

func checkChunks(data []byte) error {
	for p := 8; p+12 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[p:]))
		body := data[p+4 : p+8+n]
		if crc32.ChecksumIEEE(body) != binary.BigEndian.Uint32(data[p+8+n:]) {
			return &chunkError{string(body[:4])}
		}
		p += 12 + n
	}
	return nil
}

type chunkError struct{ typ string }

func (e *chunkError) Error() string { return "chunk " + e.typ + " has a bad CRC" }

func BenchmarkRender(b *testing.B) {
	r, err := card.NewRenderer()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := r.Render(sample); err != nil {
			b.Fatal(err)
		}
	}
}

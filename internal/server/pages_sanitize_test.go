package server

import (
	"html/template"
	"testing"
)

func TestSafeHighlightAccepts(t *testing.T) {
	for _, h := range []string{
		"plain text",
		"a <mark>milestone</mark> for us",
		"<mark>a</mark> and <mark>b</mark>",
		"Tom &amp; Jerry &lt;script&gt; &#39;quoted&#39; &quot;x&quot; &#x27;",
		"Das ist ein <mark>Meilenstein</mark>.",
		`it's "fine" – ünïcödé`,
		`police <mark class="near">training</mark> and <mark>traite</mark>`,
	} {
		got := safeHighlight(h, "fallback")
		if got != template.HTML(h) {
			t.Errorf("safeHighlight(%q) = %#v; want it as template.HTML", h, got)
		}
	}
}

func TestSafeHighlightRejects(t *testing.T) {
	for _, h := range []string{
		"<script>alert(1)</script>",
		"<img src=x onerror=alert(1)>",
		"<mark onclick=alert(1)>x</mark>",
		"<MARK>x</MARK>",
		"<mark>unclosed",
		"closed</mark>",
		"<mark><mark>nested</mark></mark>",
		`<mark class="near"><mark>nested</mark></mark>`,
		`<mark class="other">x</mark>`,
		`<mark class=near>x</mark>`,
		`<mark class="near" onclick="x">x</mark>`,
		"<mark>x</mark><b>bold</b>",
		"a > b",
		"fish & chips",
		"&amp",
		"&#;",
		"&#x;",
		"&#123456789;",
		"&unknown;",
		"<!-- comment -->",
		"</mark><script>",
		"x\x00y",
		"<",
	} {
		got := safeHighlight(h, "plain <text>")
		if s, ok := got.(string); !ok || s != "plain <text>" {
			t.Errorf("safeHighlight(%q) = %#v; want the plain-text fallback", h, got)
		}
	}
}

func TestSafeHighlightEmptyFallsBack(t *testing.T) {
	if got := safeHighlight("", "text"); got != "text" {
		t.Errorf(`safeHighlight("", "text") = %#v; want "text"`, got)
	}
}

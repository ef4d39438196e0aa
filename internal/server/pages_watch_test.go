package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

func TestWatchOpensAtMomentInLanguage(t *testing.T) {
	srv := pageServer(t, demoStore())
	r := get(t, srv, "/watch/hrc47-side-event?t=95&lang=de", "Accept-Language", "en")
	if r.status != http.StatusOK {
		t.Fatalf("GET watch = %d; want 200", r.status)
	}
	wantContains(t, "watch", r.body,
		`<video id="player"`, `src="/media/hrc47-side-event"`, `data-start="95"`, `data-lang="de"`,
		`<track kind="subtitles" src="/api/v1/recordings/hrc47-side-event/tracks/de.vtt" srclang="de" label="Deutsch" default>`,
		`<track kind="captions" src="/api/v1/recordings/hrc47-side-event/tracks/en.vtt" srclang="en" label="English">`, // the floor language,
		`<ol id="transcript" class="transcript" lang="de" data-api=`,
		`<li id="cue-2" class="cue current" data-start="90.4" data-end="96.1" data-speaker="Moderator" aria-current="true">`,
		`<a class="cue-time" href="/watch/hrc47-side-event?lang=de&amp;t=90.4">1:30</a>`,
		`<span class="cue-speaker">Moderator</span>`,
		`href="/watch/hrc47-side-event?lang=en&amp;t=95"`, // the language switch keeps the moment
		"interpretation · transcribed by a person",
		"Illustrative sample",
		`<a class="skip-cues" href="#about">`, `<section class="about" id="about"`,
		`<a href="/api/v1/recordings/hrc47-side-event/tracks/de.srt" download>SubRip (.srt)</a>`,
		`<a href="/api/v1/recordings/hrc47-side-event/tracks/de.txt" download>Plain text (.txt)</a>`,
		`<form class="in-search" role="search" aria-label="Search this recording" action="/watch/hrc47-side-event" method="get">`,
	)
	// The speaker shows where the turn starts, not on every line.
	if n := strings.Count(r.body, `<span class="cue-speaker">Moderator</span>`); n != 1 {
		t.Errorf("watch names the moderator on %d lines; want 1 (one turn)", n)
	}
	if n := strings.Count(r.body, "cue current"); n != 1 {
		t.Errorf("watch marks %d cues current; want 1", n)
	}
}

func TestWatchRangeAndMatches(t *testing.T) {
	store := demoStore()
	store.result = archive.SearchResult{Total: 1, Hits: []archive.Hit{{RecordingID: "hrc47-side-event", Lang: "de", StartMS: 97_000, EndMS: 101_000}}}
	srv := pageServer(t, store)
	r := get(t, srv, "/watch/hrc47-side-event?t=1m30s&end=00:01:36&lang=de&q=Meilenstein")
	wantContains(t, "watch", r.body,
		`data-start="90"`, `data-end="96"`,
		`class="cue current in-range"`,
		`class="cue match"`,
		`class="tl-range"`, `class="tl-mark"`, `data-t="97"`,
		"Passage from 1:30 to 1:36.",
		"1 match for “Meilenstein” in this language",
	)
	if len(store.queries) != 1 || store.queries[0].RecordingID != "hrc47-side-event" || store.queries[0].Text != "Meilenstein" {
		t.Errorf("watch searched %+v; want one query for Meilenstein in hrc47-side-event", store.queries)
	}
}

// The recording's metadata carries its own language on a page in
// another, on the watch page and wherever a listing shows it (home cards,
// search results): set by the editor, else the floor language.
func TestWatchMetadataLang(t *testing.T) {
	store := demoStore()
	srv := pageServer(t, store)
	r := get(t, srv, "/watch/hrc47-side-event?lang=de&ui=de")
	wantContains(t, "watch", r.body, `<html lang="de">`, `<h1 lang="en">`, `<ul class="speakers" lang="en">`)
	home := get(t, srv, "/?ui=de")
	wantContains(t, "home", home.body, `<html lang="de">`, `<a href="/watch/hrc47-side-event" lang="en">`, `<ul class="inline" lang="en">`)
	found := get(t, pageServer(t, searchStore()), "/search?q=milestone&ui=de")
	wantContains(t, "search", found.body, `<html lang="de">`, `<h2 id="g-hrc47-side-event"><a href="/watch/hrc47-side-event" lang="en">`)
	rec := store.recs[0]
	rec.MetadataLang = "fr"
	if got := rec.MetaLang(); got != "fr" {
		t.Errorf("metadataLang with metadata_lang fr = %q; want fr", got)
	}
	rec.MetadataLang, rec.Tracks = "", nil
	if got := rec.MetaLang(); got != "" {
		t.Errorf("metadataLang of a recording without tracks = %q; want \"\" (the page's language)", got)
	}
}

func TestWatchIgnoresMalformedTimes(t *testing.T) {
	srv := pageServer(t, demoStore())
	r := get(t, srv, "/watch/hrc47-side-event?t=soon&end=-4&lang=de")
	if r.status != http.StatusOK {
		t.Fatalf("GET watch with a bad t = %d; want 200", r.status)
	}
	wantContains(t, "watch", r.body, `data-start="0">`) // and no data-end on the video
	wantNotContains(t, "watch", r.body, "cue current", "tl-range")
}

func TestWatchUnknownRecordingIsAPage(t *testing.T) {
	r := get(t, pageServer(t, demoStore()), "/watch/nope", "Accept-Language", "de")
	if r.status != http.StatusNotFound {
		t.Errorf("GET /watch/nope = %d; want 404", r.status)
	}
	wantContains(t, "404 page", r.body, `<html lang="de">`, "Nicht gefunden")
}

func TestChooseTrack(t *testing.T) {
	tracks := []archive.Track{{Lang: "fr", Kind: archive.KindInterpretation}, {Lang: "en", Kind: archive.KindOriginal}, {Lang: "de"}}
	tests := []struct {
		asked, ui, want string
	}{
		{"de", "fr", "de"},
		{"DE", "fr", "de"},
		{"", "fr", "fr"},
		{"it", "es", "en"}, // neither asked nor UI language: the floor language
		{"", "en", "en"},
	}
	for _, tt := range tests {
		if got := chooseTrack(tracks, tt.asked, tt.ui); got != tt.want {
			t.Errorf("chooseTrack(%q, %q) = %q; want %q", tt.asked, tt.ui, got, tt.want)
		}
	}
	if got := chooseTrack(nil, "de", "en"); got != "" {
		t.Errorf("chooseTrack(nil) = %q; want \"\"", got)
	}
}

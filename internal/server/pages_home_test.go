package server

import (
	"net/http"
	"strings"
	"testing"
)

func TestHomeGroupsRecordingsByEvent(t *testing.T) {
	srv := pageServer(t, demoStore())
	r := get(t, srv, "/", "Accept-Language", "en")
	if r.status != http.StatusOK {
		t.Fatalf("GET / = %d; want 200", r.status)
	}
	wantContains(t, "home", r.body,
		`<html lang="en">`,
		`<h2 id="event-0"><a href="/events/hrc-47">HRC 47</a></h2>`, `<h2 id="event-1"><a href="/events/odihr">ODIHR</a></h2>`,
		`<a href="/watch/hrc47-side-event" lang="en">Side event on trafficking</a>`,
		`<a href="/watch/istac-launch" lang="en">Launch of ISTAC</a>`,
		`<time datetime="2021-06-22">June 22, 2021</time>`,
		`<a href="/?lang=de" lang="de">Deutsch</a>`, `<a href="/?year=2021">`, "8 min", "Moderator", "Geneva",
		`id="home-q" name="q"`, `action="/search"`,
		"Illustrative sample", // the demo's notice
	)
	// Only the sample recording carries the badge.
	if n := strings.Count(r.body, `class="badge badge-sample"`); n != 1 {
		t.Errorf("home shows %d sample badges; want 1", n)
	}
}

func TestHomeWithoutSamplesHasNoNotice(t *testing.T) {
	store := demoStore()
	store.recs[0].Sample = false
	r := get(t, pageServer(t, store), "/")
	wantNotContains(t, "home", r.body, `class="notice"`, "badge-sample")
}

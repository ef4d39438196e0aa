package server

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
	Href string `xml:"href,attr"`
}

type atomFeed struct {
	XMLName struct{} `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string   `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Authors []struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Links   []atomLink `xml:"link"`
	Entries []struct {
		ID        string     `xml:"id"`
		Title     string     `xml:"title"`
		Updated   string     `xml:"updated"`
		Published string     `xml:"published"`
		Summary   string     `xml:"summary"`
		Links     []atomLink `xml:"link"`
		Authors   []struct {
			Name string `xml:"name"`
		} `xml:"author"`
	} `xml:"entry"`
}

// TestFeedAtom: /feed.atom is well-formed Atom with what RFC 4287 requires
// (section numbers below), lists the published recordings only, and is
// titled in the reader's language.
func TestFeedAtom(t *testing.T) {
	srv := sitemapServer(t, 0) // the demo, a draft and an embargoed recording
	doc := body(t, srv, "/feed.atom")
	f := decodeXML[atomFeed](t, doc)
	absolute := func(what, iri string) {
		if u, err := url.Parse(iri); err != nil || !u.IsAbs() {
			t.Errorf("%s %q is not an absolute IRI (RFC 4287 §4.2.6)", what, iri)
		}
	}
	date := func(what, s string) {
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			t.Errorf("%s %q is not an RFC 3339 date-time (§3.3)", what, s)
		}
	}
	// §4.1.1: a feed has exactly one id, title and updated; an author
	// unless every entry has one; and should have a self link.
	absolute("feed id", f.ID)
	date("feed updated", f.Updated)
	if f.Title == "" || len(f.Authors) == 0 || f.Authors[0].Name == "" {
		t.Errorf("feed title %q, authors %v: want a title and an author with a name (§4.1.1, §3.2.1)", f.Title, f.Authors)
	}
	self := false
	for _, l := range f.Links {
		self = self || (l.Rel == "self" && l.Href == testPublic+"/feed.atom")
	}
	if !self {
		t.Errorf("feed links %+v; want rel=self at %s/feed.atom", f.Links, testPublic)
	}
	// §4.1.2: each entry has one id, title and updated, a summary or
	// content, and (with no content) a link rel=alternate.
	ids := map[string]bool{}
	var watch []string
	for _, e := range f.Entries {
		absolute("entry id", e.ID)
		date("entry updated", e.Updated)
		if e.Published != "" {
			date("entry published", e.Published)
		}
		if ids[e.ID] {
			t.Errorf("entry id %s twice (§4.2.6: ids are unique)", e.ID)
		}
		ids[e.ID] = true
		if e.Title == "" || e.Summary == "" {
			t.Errorf("entry %s: title %q, summary %q; want both", e.ID, e.Title, e.Summary)
		}
		alt := ""
		for _, l := range e.Links {
			if l.Rel == "alternate" && l.Type == "text/html" {
				alt = l.Href
			}
		}
		if alt != e.ID || !strings.HasPrefix(alt, testPublic+"/watch/") {
			t.Errorf("entry %s: alternate link %q; want its watch page", e.ID, alt)
		}
		watch = append(watch, strings.TrimPrefix(alt, testPublic))
	}
	if got := strings.Join(watch, " "); got != "/watch/hrc47-side-event /watch/istac-launch" && got != "/watch/istac-launch /watch/hrc47-side-event" {
		t.Errorf("feed lists %s; want the two published recordings only", got)
	}
	if strings.Contains(doc, "secret") || strings.Contains(doc, "held-one") || strings.Contains(doc, "draft-one") {
		t.Errorf("feed carries a draft or an embargoed recording:\n%s", doc)
	}
	if v := strings.Join(serveZ(srv, "/feed.atom").Header.Values("Vary"), ", "); !strings.Contains(v, "Accept-Language") {
		t.Errorf("feed Vary %q; want Accept-Language (its titles are in the reader's language)", v)
	}
	if fr := decodeXML[atomFeed](t, body(t, srv, "/feed.atom", "Accept-Language", "fr")); fr.Lang != "fr" || !strings.Contains(fr.Title, "nouveaux enregistrements") {
		t.Errorf("feed for a French reader: lang %q, title %q", fr.Lang, fr.Title)
	}
}

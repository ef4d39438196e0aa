package server

import (
	"bufio"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
)

// The sitemap tests validate with xmllint against the schemas in
// testdata/sitemap (see its README: sitemaps.org's sitemap.xsd as
// published; the index and video schemas written from sitemaps.org's
// protocol and Google's video sitemap documentation, which could not be
// fetched offline). Without xmllint (Debian libxml2-utils) they skip,
// unless VERBATIM_REQUIRE_BROWSER is set, as in CI.

func xmllint(tb testing.TB, schema, doc string) {
	tb.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("VERBATIM_REQUIRE_BROWSER") != "" {
			tb.Fatal("xmllint not on PATH (Debian libxml2-utils) and VERBATIM_REQUIRE_BROWSER is set")
		}
		tb.Skip("xmllint not on PATH (Debian libxml2-utils)")
	}
	f := filepath.Join(tb.TempDir(), "doc.xml")
	if err := os.WriteFile(f, []byte(doc), 0o644); err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command(bin, "--nonet", "--noout", "--schema", filepath.Join("testdata", "sitemap", schema), f).CombinedOutput()
	if err != nil {
		tb.Errorf("xmllint --schema %s: %v\n%s\n%.3000s", schema, err, out, doc)
	}
}

type urlset struct {
	XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []struct {
		Loc    string `xml:"loc"`
		Videos []struct {
			Thumbnail   string `xml:"thumbnail_loc"`
			Title       string `xml:"title"`
			Description string `xml:"description"`
			Content     string `xml:"content_loc"`
			Player      string `xml:"player_loc"`
			Duration    int    `xml:"duration"`
			Published   string `xml:"publication_date"`
		} `xml:"http://www.google.com/schemas/sitemap-video/1.1 video"`
	} `xml:"url"`
}

type sitemapIndex struct {
	XMLName  xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []struct {
		Loc string `xml:"loc"`
	} `xml:"sitemap"`
}

func decodeXML[T any](tb testing.TB, doc string) T {
	tb.Helper()
	var v T
	if err := xml.Unmarshal([]byte(doc), &v); err != nil {
		tb.Fatalf("decode %T: %v\n%.2000s", v, err, doc)
	}
	return v
}

// sitemapServer is the demo (two published recordings of two events, with
// media) plus a draft and an embargoed recording, with a video each.
func sitemapServer(tb testing.TB, pageSize int) *Server {
	tb.Helper()
	srv := demoHandler(tb, withPublicURL, func(o *Options) { o.SitemapPageSize = pageSize })
	ctx := context.Background()
	for _, in := range []archive.RecordingInput{
		{ID: "draft-one", Title: "Draft secret", Event: "Secret event", Date: "2030-01-01"},
		{ID: "held-one", Title: "Embargoed secret", Event: "Held event", Date: "2030-01-02", Status: archive.StatusPublished,
			EmbargoUntil: time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)},
	} {
		if _, _, err := srv.svc.Create(ctx, admin, in); err != nil {
			tb.Fatal(err)
		}
		if _, err := srv.svc.PutMedia(ctx, admin, in.ID, archive.MediaUpload{Body: strings.NewReader(string(mediatest.Video(tb))), Name: "v.mp4", ContentType: "video/mp4", Size: -1}); err != nil {
			tb.Fatal(err)
		}
	}
	return srv
}

// sitemapURLs follows /sitemap.xml (and, for an index, every file it
// lists), validating each file, and returns every URL with its video.
func sitemapURLs(tb testing.TB, srv http.Handler) (index bool, files int, urls urlset) {
	tb.Helper()
	top := body(tb, srv, "/sitemap.xml")
	if !strings.Contains(top, "<sitemapindex") {
		xmllint(tb, "all.xsd", top)
		return false, 1, decodeXML[urlset](tb, top)
	}
	xmllint(tb, "siteindex.xsd", top)
	for _, sm := range decodeXML[sitemapIndex](tb, top).Sitemaps {
		path, ok := strings.CutPrefix(sm.Loc, testPublic)
		if !ok {
			tb.Fatalf("index lists %s, not on the public URL", sm.Loc)
		}
		doc := body(tb, srv, path)
		xmllint(tb, "all.xsd", doc)
		part := decodeXML[urlset](tb, doc)
		if len(part.URLs) == 0 {
			tb.Errorf("%s lists no URL", path)
		}
		urls.URLs = append(urls.URLs, part.URLs...)
		files++
	}
	return true, files, urls
}

func locs(u urlset) []string {
	var out []string
	for _, x := range u.URLs {
		out = append(out, strings.TrimPrefix(x.Loc, testPublic))
	}
	slices.Sort(out)
	return out
}

// TestSitemapValidates: one file lists the home, both events and both
// published recordings' watch pages with their videos, valid against the
// schemas; drafts and embargoed recordings are absent. With a page of two
// URLs, /sitemap.xml is an index of valid files that list the same URLs.
func TestSitemapValidates(t *testing.T) {
	one := sitemapServer(t, 0)
	single, _, all := sitemapURLs(t, one)
	if single {
		t.Fatalf("5 URLs with the default page size gave an index")
	}
	got := locs(all)
	var watch []string
	for _, l := range got {
		if strings.HasPrefix(l, "/watch/") {
			watch = append(watch, l)
		}
	}
	if want := []string{"/watch/hrc47-side-event", "/watch/istac-launch"}; !slices.Equal(watch, want) {
		t.Errorf("sitemap watch pages %q; want %q", watch, want)
	}
	if len(got) != 5 || got[0] != "/" || !strings.HasPrefix(got[1], "/events/") || !strings.HasPrefix(got[2], "/events/") {
		t.Errorf("sitemap lists %q; want the home, two events and two watch pages", got)
	}
	for _, u := range all.URLs {
		if !strings.HasPrefix(u.Loc, testPublic+"/") {
			t.Errorf("loc %s is not on the public URL", u.Loc)
		}
		if !strings.HasPrefix(u.Loc, testPublic+"/watch/") {
			continue
		}
		if len(u.Videos) != 1 {
			t.Fatalf("%s has %d videos; want 1", u.Loc, len(u.Videos))
		}
		v := u.Videos[0]
		id := strings.TrimPrefix(u.Loc, testPublic+"/watch/")
		// Google's rules beyond the schema: the video file is not the page,
		// and every URL can be fetched.
		if v.Content != testPublic+"/media/"+id || v.Content == u.Loc {
			t.Errorf("%s: content_loc %q; want the media", u.Loc, v.Content)
		}
		if v.Title == "" || v.Description == "" || v.Duration <= 0 || v.Published == "" {
			t.Errorf("%s: video %+v lacks a title, description, duration or date", u.Loc, v)
		}
		for _, link := range []string{v.Thumbnail, v.Content} {
			if r := serveZ(one, strings.TrimPrefix(link, testPublic)); r.StatusCode != http.StatusOK {
				t.Errorf("%s: %s answers %d", u.Loc, link, r.StatusCode)
			}
		}
	}
	for _, l := range got {
		if strings.Contains(l, "draft-one") || strings.Contains(l, "held-one") || strings.Contains(l, "secret") || strings.Contains(l, "held-event") {
			t.Errorf("sitemap lists %s, which viewers may not see", l)
		}
	}

	srv := sitemapServer(t, 2)
	index, files, paged := sitemapURLs(t, srv)
	if !index || files != 3 {
		t.Fatalf("page size 2: index %v with %d files; want an index of 3 (home and events: 2, recordings: 1)", index, files)
	}
	if p := locs(paged); !slices.Equal(p, got) {
		t.Errorf("the index's files list %q; the single file %q", p, got)
	}
	for _, path := range []string{"/sitemaps/recordings-2.xml", "/sitemaps/pages-3.xml", "/sitemaps/recordings-0.xml", "/sitemaps/recordings-01.xml", "/sitemaps/other-1.xml", "/sitemaps/recordings-1", "/sitemaps/recordings-1.xml.gz"} {
		if r := serveZ(srv, path); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d; want 404", path, r.StatusCode)
		}
	}
	if r := serveZ(one, "/sitemaps/recordings-1.xml"); r.StatusCode != http.StatusNotFound {
		t.Errorf("GET /sitemaps/recordings-1.xml without an index = %d; want 404", r.StatusCode)
	}
}

// TestSitemapEntryBound: the largest entry a recording can make, times
// the default page size, stays under sitemaps.org's 50 MB per file, so a
// full page never needs cutting.
func TestSitemapEntryBound(t *testing.T) {
	worst := archive.Summary{
		ID: strings.Repeat("a", 80), Title: strings.Repeat("&", 5000), Description: strings.Repeat("&", archive.MaxSummaryDescription),
		Event: strings.Repeat("<", 5000), Date: "2024-01-01", Poster: strings.Repeat("f", 16), HasMedia: true, DurationMS: 1 << 40,
		UpdatedAt: time.Now(),
	}
	origin := "https://" + strings.Repeat("h", 253) + ":65535"
	var sb strings.Builder
	w := &xmlWriter{bw: bufioWriter(&sb)}
	writeRecordingURL(w, origin, worst)
	if err := w.flush(); err != nil {
		t.Fatal(err)
	}
	n := sb.Len()
	if total := n * DefaultSitemapPageSize; total > sitemapMaxBytes-4096 {
		t.Errorf("the largest entry is %d bytes; %d of them make %d, over %d", n, DefaultSitemapPageSize, total, sitemapMaxBytes)
	}
	if !strings.Contains(sb.String(), "<video:duration>28800</video:duration>") {
		t.Errorf("duration not capped at 8 hours:\n%s", sb.String())
	}
	t.Logf("largest entry: %d bytes; a full page at most %d", n, n*DefaultSitemapPageSize)
}

func bufioWriter(w io.Writer) *bufio.Writer { return bufio.NewWriter(w) }

package server

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// The watch page's JSON-LD is checked against
// testdata/jsonld/videoobject.schema.json, a JSON Schema written for these
// tests: the types and property names are schema.org's (VideoObject,
// Clip, SeekToAction), which properties are required and in what format
// is Google's video structured data guidelines' (its descriptions name
// the source of each rule). What a schema cannot say — clips inside the
// video, each clip's URL landing at its start, the seek target on the
// page itself — is checked below in Go, from the same guidelines.

var ldScript = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)

func videoSchema(tb testing.TB) *jsonschema.Schema {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", "jsonld", "videoobject.schema.json"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		tb.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const loc = "videoobject.schema.json"
	if err := c.AddResource(loc, doc); err != nil {
		tb.Fatal(err)
	}
	sch, err := c.Compile(loc)
	if err != nil {
		tb.Fatalf("compile the schema: %v", err)
	}
	return sch
}

func validateLD(sch *jsonschema.Schema, raw string) error {
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(raw))
	if err != nil {
		return err
	}
	return sch.Validate(v)
}

// TestWatchJSONLD: both demo watch pages carry one VideoObject that
// validates, with a Clip per speaker turn and a SeekToAction on the
// public URL; the schema refuses what Google would.
func TestWatchJSONLD(t *testing.T) {
	sch := videoSchema(t)
	srv := demoHandler(t, withPublicURL)
	for _, id := range []string{"hrc47-side-event", "istac-launch"} {
		page := body(t, srv, "/watch/"+id+"?t=95&lang=fr&ui=de")
		scripts := ldScript.FindAllStringSubmatch(page, -1)
		if len(scripts) != 1 {
			t.Fatalf("/watch/%s has %d JSON-LD scripts; want 1", id, len(scripts))
		}
		raw := scripts[0][1]
		if err := validateLD(sch, raw); err != nil {
			t.Errorf("/watch/%s: JSON-LD does not validate: %v\n%s", id, err, raw)
			continue
		}
		var v struct {
			URL      string `json:"url"`
			Duration string `json:"duration"`
			HasPart  []struct {
				Name                   string
				StartOffset, EndOffset int64
				URL                    string
			} `json:"hasPart"`
			Action struct{ Target string } `json:"potentialAction"`
		}
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			t.Fatal(err)
		}
		if want := testPublic + "/watch/" + id; v.URL != want || v.Action.Target != want+"?t={seek_to_second_number}" {
			t.Errorf("/watch/%s: url %q, seek target %q; want the canonical page", id, v.URL, v.Action.Target)
		}
		if len(v.HasPart) < 2 || len(v.HasPart) > maxClips {
			t.Errorf("/watch/%s: %d clips; want 2 to %d (one per speaker turn)", id, len(v.HasPart), maxClips)
		}
		prevEnd := int64(0)
		for _, c := range v.HasPart {
			// Google: clips do not overlap and lie inside the video; a
			// clip's url starts playback at its startOffset.
			if c.StartOffset < prevEnd || c.EndOffset <= c.StartOffset {
				t.Errorf("/watch/%s: clip %+v overlaps the one before or is empty", id, c)
			}
			prevEnd = c.EndOffset
			u, err := url.Parse(c.URL)
			if err != nil || u.Query().Get("t") != strconv.FormatInt(c.StartOffset, 10) || !strings.HasPrefix(c.URL, v.URL+"?") {
				t.Errorf("/watch/%s: clip %s at %d has url %q; want the page at ?t=%d", id, c.Name, c.StartOffset, c.URL, c.StartOffset)
			}
		}
	}

	// The schema can fail: each of these breaks one of Google's rules.
	good := watchJSONLD(testPublic, demoRecording(t, srv, "istac-launch"), "A description.", nil)
	if err := validateLD(sch, string(good)); err != nil {
		t.Fatalf("a VideoObject without clips does not validate: %v\n%s", err, good)
	}
	for name, edit := range map[string]func(m map[string]any){
		"no uploadDate":         func(m map[string]any) { delete(m, "uploadDate") },
		"no thumbnail":          func(m map[string]any) { delete(m, "thumbnailUrl") },
		"relative thumbnail":    func(m map[string]any) { m["thumbnailUrl"] = []any{"/watch/x/card.png"} },
		"bad date":              func(m map[string]any) { m["uploadDate"] = "22 June 2021" },
		"bad duration":          func(m map[string]any) { m["duration"] = "8 minutes" },
		"empty duration":        func(m map[string]any) { m["duration"] = "PT" },
		"no content or embed":   func(m map[string]any) { delete(m, "contentUrl") },
		"seek without template": func(m map[string]any) { m["potentialAction"].(map[string]any)["target"] = testPublic + "/watch/x?t=1" },
		"seek input wrong":      func(m map[string]any) { m["potentialAction"].(map[string]any)["startOffset-input"] = "name=t" },
		"clip without url": func(m map[string]any) {
			m["hasPart"] = []any{map[string]any{"@type": "Clip", "name": "A", "startOffset": 0}}
		},
	} {
		var m map[string]any
		if err := json.Unmarshal([]byte(good), &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		b, _ := json.Marshal(m)
		if err := validateLD(sch, string(b)); err == nil {
			t.Errorf("%s: the schema accepts it:\n%s", name, b)
		}
	}
}

// demoRecording is id as viewers get it from srv's archive.
func demoRecording(tb testing.TB, srv *Server, id string) archive.Recording {
	tb.Helper()
	rec, _, err := srv.svc.Get(context.Background(), archive.Principal{}, id)
	if err != nil {
		tb.Fatal(err)
	}
	return rec
}

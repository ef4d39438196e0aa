package server

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSearchAPINearSpellings: the JSON names how each hit matched, on the
// demo archive and its real embedded index.
func TestSearchAPINearSpellings(t *testing.T) {
	d := startDemo(t)
	type spelling struct{ Query, Matched string }
	type result struct {
		Total       int
		NearSkipped bool       `json:"near_skipped"`
		Corrections []spelling `json:"corrections"`
		Hits        []struct {
			Lang          string
			Match         string
			NearSpellings []spelling `json:"near_spellings"`
			Highlight     string
		}
	}
	get := func(q string) result {
		t.Helper()
		resp, err := http.Get(d.url + "/api/v1/search?" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/v1/search?%s = %d %s", q, resp.StatusCode, body)
		}
		var r result
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}

	// traite: the French cues that say it fill the first page, exactly.
	r := get("q=traite")
	if !r.NearSkipped || len(r.Hits) != 20 {
		t.Fatalf("traite page 1: %d hits, near_skipped %v; want 20 exact hits, near spellings skipped", len(r.Hits), r.NearSkipped)
	}
	for _, h := range r.Hits {
		if h.Match != "exact" || h.Lang != "fr" || len(h.NearSpellings) != 0 {
			t.Errorf("traite page 1 hit %+v; want French, exact", h)
		}
	}
	// Page 2: the last exact ones, then the near spellings, named.
	r = get("q=traite&page=2")
	near := false
	named := map[spelling]bool{}
	for _, h := range r.Hits {
		switch {
		case h.Match == "near":
			near = true
			for _, s := range h.NearSpellings {
				named[s] = true
			}
		case near:
			t.Errorf("traite page 2: exact hit after a near one: %+v", h)
		}
	}
	for _, s := range []spelling{{"traite", "training"}, {"traite", "trata"}} {
		if !named[s] {
			t.Errorf("traite page 2 near spellings %v; want %v among them", named, s)
		}
	}

	// trafficing is in no track: corrected, and said so.
	r = get("q=trafficing")
	if len(r.Corrections) == 0 || !cmp.Equal(r.Corrections[0], spelling{"trafficing", "trafficking"}) {
		t.Errorf("trafficing corrections = %v; want trafficing → trafficking first", r.Corrections)
	}
	if len(r.Hits) == 0 || r.Hits[0].Match != "near" {
		t.Errorf("trafficing hits = %+v; want near ones", r.Hits)
	}
}

package main

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// TestDemoSearchLandsOnTheMoment runs the real program on the sample
// recordings and asks what the search issue promises a viewer.
func TestDemoSearchLandsOnTheMoment(t *testing.T) {
	base := start(t, "demo", "--addr", "127.0.0.1:0", "--data", t.TempDir())
	search := func(q, lang string) archive.SearchResult {
		t.Helper()
		v := url.Values{"q": {q}}
		if lang != "" {
			v.Set("lang", lang)
		}
		resp, body := get(t, base+"/api/v1/search?"+v.Encode())
		if resp.StatusCode != 200 {
			t.Fatalf("search %q lang=%q = %d %s", q, lang, resp.StatusCode, body)
		}
		var res archive.SearchResult
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	type moment struct {
		rec, lang, speaker string
		startMS            int64
	}
	first := func(res archive.SearchResult) moment {
		if len(res.Hits) == 0 {
			return moment{}
		}
		h := res.Hits[0]
		return moment{h.RecordingID, h.Lang, h.Speaker, h.StartMS}
	}
	for _, tc := range []struct {
		q, lang string
		want    moment
	}{
		{"milestone", "", moment{"istac-launch", "en", "Per-Anders Sunesson", 45500}},
		{"Palermo Protocol", "en", moment{"istac-launch", "en", "Tobias Lorentzson", 109900}},
		{"Palermo Protocol", "de", moment{"istac-launch", "de", "Tobias Lorentzson", 109900}},
		// Spoken across cues 21 and 22: found once, at the first cue's start.
		{`"discourage the demand that fosters"`, "", moment{"istac-launch", "en", "Tobias Lorentzson", 135300}},
	} {
		res := search(tc.q, tc.lang)
		if got := first(res); got != tc.want {
			t.Errorf("search %q lang=%q first hit = %+v; want %+v", tc.q, tc.lang, got, tc.want)
		}
		if len(res.Hits) > 0 && !strings.HasPrefix(res.Hits[0].URL, "/watch/"+tc.want.rec+"?t=") {
			t.Errorf("search %q hit URL = %q; want the watch page at the moment", tc.q, res.Hits[0].URL)
		}
	}
	if res := search(`"discourage the demand that fosters"`, ""); res.Total != 1 {
		t.Errorf("cross-cue phrase total = %d; want 1 (reported on the cue where it starts only)", res.Total)
	}
	typo := search("trafficing", "en")
	// A near spelling is marked as one and named.
	if typo.Total == 0 || !strings.Contains(typo.Hits[0].Highlight, `<mark class="near">trafficking</mark>`) ||
		len(typo.Hits[0].NearSpellings) != 1 || typo.Hits[0].NearSpellings[0] != (archive.Spelling{Query: "trafficing", Matched: "trafficking"}) {
		t.Errorf("search trafficing: total %d, first %+v; want hits on trafficking marked near, trafficing → trafficking", typo.Total, typo.Hits)
	}
}

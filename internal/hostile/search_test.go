package hostile

import (
	"encoding/json"

	"net/http"
	"net/url"
	"strings"
	"testing"
)

// shortTerms is n distinct two-letter words.
func shortTerms(n int) string {
	var t []string
	for i := range n {
		t = append(t, string([]byte{byte('a' + i/26), byte('a' + i%26)}))
	}
	return strings.Join(t, " ")
}

// TestSearchQueryBudget is defect 1: query length and term count were
// unbounded and every long word built a fuzzy automaton (10 KB: 742 MB,
// four 100 KB queries: 17.5 GB and the OOM killer; an 800-character word:
// 503 "dfa contains more than 10000 states", logged as an outage). Now a
// query over the budget is a 400 that says what is too big, on the API,
// the search page and the watch page alike; a long word under the budget
// is searched (200); the watch page renders without the refused query's
// highlights; nothing is a 5xx or an ERROR log line; the server's
// peak RSS stays under 96 MiB.
func TestSearchQueryBudget(t *testing.T) {
	s := start(t)
	q := url.QueryEscape
	overBudget := []struct{ name, query string }{
		{"100 KB of words", words(100<<10, 1)},
		{"30 KB of words", words(30<<10, 2)},
		{"one 800-character word", strings.Repeat("protocol", 100)},
		{"40 short terms", shortTerms(40)},
	}
	for _, c := range overBudget {
		for _, path := range []string{"/api/v1/search?q=", "/search?q=", "/watch/hrc47-side-event?q="} {
			rep, err := s.do(req{path: path + q(c.query)})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if strings.HasPrefix(path, "/watch/") {
				// The watch page is about the recording: it renders without
				// the refused query's highlights, and never echoes it.
				if rep.status != http.StatusOK && rep.status != http.StatusBadRequest {
					t.Errorf("%s on %s = %d; want 200 without highlights or 400", c.name, path, rep.status)
				}
			} else if rep.status != http.StatusBadRequest {
				t.Errorf("%s on %s = %d %s; want 400", c.name, path, rep.status, short(string(rep.body)))
				continue
			}
			if len(c.query) > 1000 && strings.Contains(string(rep.body), c.query[len(c.query)-1000:]) {
				t.Errorf("%s on %s: the answer echoes the refused query", c.name, path)
			}
			if strings.HasPrefix(path, "/api/") {
				if msg := errorMessage(rep.body); !strings.Contains(strings.ToLower(msg), "query") {
					t.Errorf("%s: message %q does not say the query is too big", c.name, msg)
				}
			}
		}
		s.alive()
	}

	// A long word within the budget is searched exactly: no automaton.
	long := strings.Repeat("trafficking", 40)[:400]
	for _, path := range []string{"/api/v1/search?q=", "/search?q=", "/watch/hrc47-side-event?q="} {
		s.must(req{path: path + q(long)}, http.StatusOK)
	}
	// And the budget leaves ordinary searches alone.
	rep := s.must(req{path: "/api/v1/search?q=protocol"}, http.StatusOK)
	var res struct {
		Total int `json:"total"`
	}
	if err := json.Unmarshal(rep.body, &res); err != nil || res.Total == 0 {
		t.Errorf("search for protocol = %s (%v); want hits", short(string(rep.body)), err)
	}
	s.alive()
	s.noErrorLogs()
	s.checkPeak(96 * mib)
}

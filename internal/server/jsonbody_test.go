package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestJSONBodies: every JSON handler reads its body the one strict way.
func TestJSONBodies(t *testing.T) {
	ts := newTestServer(t, nil)
	big := `{"id":"big","title":"` + strings.Repeat("x", 5<<20) + `"}`
	tests := []struct {
		name, ct, body string
		chunked        bool // no Content-Length: the limit is found while reading
		status         int
		code, message  string // message: a substring
	}{
		{"plain", "application/json", `{"id":"a","title":"A"}`, false, 201, "", ""},
		{"charset", "application/json; charset=utf-8", `{"id":"b","title":"B"}`, false, 201, "", ""},
		{"type in capitals", "Application/JSON", `{"id":"c","title":"C"}`, false, 201, "", ""},
		{"charset in capitals", "application/json;charset=UTF-8", `{"id":"d","title":"D"}`, false, 201, "", ""},
		{"no type", "", `{"id":"e","title":"E"}`, false, 415, "unsupported_format", "Content-Type: application/json"},
		{"jsonp", "application/jsonp", `{"id":"e","title":"E"}`, false, 415, "unsupported_format", "application/jsonp"},
		{"json prefix", "application/json-patch+json", `{"id":"e","title":"E"}`, false, 415, "unsupported_format", "must be application/json"},
		{"form", "application/x-www-form-urlencoded", `id=e&title=E`, false, 415, "unsupported_format", "must be application/json"},
		{"text", "text/plain", `{"id":"e","title":"E"}`, false, 415, "unsupported_format", "must be application/json"},
		{"latin-1", "application/json; charset=iso-8859-1", `{"id":"e","title":"E"}`, false, 415, "unsupported_format", "UTF-8"},
		{"trailing garbage", "application/json", `{"id":"e","title":"E"} trailing`, false, 400, "invalid", "follows the value"},
		{"second value", "application/json", `{"id":"e","title":"E"}{"id":"f"}`, false, 400, "invalid", "follows the value"},
		{"duplicate key", "application/json", `{"id":"e","title":"E","title":"F"}`, false, 400, "invalid", `key "title" appears twice`},
		{"duplicate key, other case", "application/json", `{"id":"e","title":"E","Title":"F"}`, false, 400, "invalid", `"title" and "Title"`},
		{"nested duplicate", "application/json", `{"id":"e","title":"E","speakers":[{"name":"A","name":"B"}]}`, false, 400, "invalid", `key "name" appears twice`},
		{"unknown field", "application/json", `{"id":"e","title":"E","titel":"x"}`, false, 400, "invalid", `unknown field "titel"`},
		{"wrong type", "application/json", `{"id":"e","title":5}`, false, 400, "invalid", `"title"`},
		{"truncated", "application/json", `{"id":"e","title":`, false, 400, "invalid", "ends too early"},
		{"empty", "application/json", ``, false, 400, "invalid", "empty"},
		{"not JSON", "application/json", `<xml/>`, false, 400, "invalid", "invalid character"},
		{"5 MiB, with length", "application/json", big, false, 413, "too_large", "larger than 1048576 bytes"},
		{"5 MiB, chunked", "application/json", big, true, 413, "too_large", "larger than 1048576 bytes"},
	}
	for _, tt := range tests {
		var body io.Reader = strings.NewReader(tt.body)
		if tt.chunked {
			body = io.MultiReader(body) // hides the length: sent chunked
		}
		req, err := http.NewRequest("POST", ts.URL+"/api/v1/recordings", body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+ts.token)
		if tt.ct != "" {
			req.Header.Set("Content-Type", tt.ct)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if resp.StatusCode != tt.status {
			b, _ := io.ReadAll(resp.Body)
			t.Errorf("%s: status %d; want %d\n%s", tt.name, resp.StatusCode, tt.status, b)
		} else if tt.code != "" {
			e := decode[apiError](t, resp)
			if e.Error.Code != tt.code || !strings.Contains(e.Error.Message, tt.message) {
				t.Errorf("%s: error %+v; want code %s and a message with %q", tt.name, e.Error, tt.code, tt.message)
			}
		}
		resp.Body.Close()
	}
}

// TestJSONBodiesEveryHandler: the other JSON routes refuse the same bodies.
func TestJSONBodiesEveryHandler(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.published(t, "r")
	wantStatus(t, ts.do(t, "PUT", "/api/v1/recordings/r/tracks/en", ts.token, "WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n"), http.StatusCreated)
	etag := ts.do(t, "GET", "/api/v1/recordings/r", ts.token, nil).Header.Get("ETag")
	routes := []struct{ method, path, good string }{
		{"PATCH", "/api/v1/recordings/r", `{"title":"New"}`},
		{"POST", "/api/v1/recordings/r/tracks/en/shift", `{"offset_ms":100}`},
		{"POST", "/api/v1/recordings/r/tracks/en/linear", `{"points":[{"from_ms":0,"to_ms":0},{"from_ms":1000,"to_ms":1000}]}`},
	}
	for _, r := range routes {
		for _, bad := range []struct {
			ct, body string
			status   int
		}{
			{"", r.good, 415},
			{"application/jsonp", r.good, 415},
			{"application/json", r.good + "x", 400},
			{"application/json", r.good[:len(r.good)-1] + `,"` + strings.SplitN(r.good[2:], `"`, 2)[0] + `":1}`, 400},
		} {
			h := []string{"If-Match", etag}
			if bad.ct != "" {
				h = append(h, "Content-Type", bad.ct)
			}
			resp := ts.do(t, r.method, r.path, ts.token, bad.body, h...)
			if resp.StatusCode != bad.status {
				t.Errorf("%s %s %q (%q) = %d; want %d", r.method, r.path, bad.body, bad.ct, resp.StatusCode, bad.status)
			}
		}
	}
}

package meili

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// exchange is one request the adapter must send, in order, and the answer
// the fake Meilisearch gives. body is compared as JSON; "" means no body.
type exchange struct {
	method, path string
	body         string
	status       int
	reply        string
}

// script is a fake Meilisearch on loopback that answers a fixed sequence
// of exchanges and fails the test on any other request. No real
// Meilisearch can run in unit tests; the exact requests are what these
// tests pin, each checked against the API reference cited at its use.
type script struct {
	t    *testing.T
	mu   sync.Mutex
	want []exchange
	next int
	auth string // expected Authorization header
}

func newScript(t *testing.T, auth string, want ...exchange) *httptest.Server {
	t.Helper()
	s := &script{t: t, want: want, auth: auth}
	srv := httptest.NewServer(s)
	t.Cleanup(func() {
		srv.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.next != len(s.want) {
			t.Errorf("fake meilisearch: %d of %d requests received; next missing: %s %s",
				s.next, len(s.want), s.want[s.next].method, s.want[s.next].path)
		}
	})
	return srv
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	if s.next >= len(s.want) {
		s.t.Errorf("unexpected request %s %s %s", r.Method, r.URL.RequestURI(), body)
		http.Error(w, `{"message":"unexpected"}`, http.StatusTeapot)
		return
	}
	if v, err := openAPISpec(); err != nil {
		s.t.Errorf("load the OpenAPI description: %v", err)
	} else if v != nil {
		if err := v.check(r.Method, r.URL.RequestURI(), body); err != nil {
			s.t.Errorf("request %d does not conform to Meilisearch's OpenAPI description: %v", s.next+1, err)
		}
		v.record(r.Method, r.URL.RequestURI())
	}
	ex := s.want[s.next]
	s.next++
	if got := r.Method + " " + r.URL.RequestURI(); got != ex.method+" "+ex.path {
		s.t.Errorf("request %d = %s; want %s %s", s.next, got, ex.method, ex.path)
	}
	if got := r.Header.Get("Authorization"); got != s.auth {
		s.t.Errorf("request %d Authorization = %q; want %q", s.next, got, s.auth)
	}
	if diff := jsonDiff(ex.body, string(body)); diff != "" {
		s.t.Errorf("request %d %s %s body (-want +got):\n%s", s.next, ex.method, ex.path, diff)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(ex.status)
	io.WriteString(w, ex.reply)
}

func jsonDiff(want, got string) string {
	if want == "" || got == "" {
		return cmp.Diff(want, got)
	}
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		return "bad wanted JSON: " + err.Error()
	}
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		return "sent invalid JSON: " + err.Error() + ": " + got
	}
	return cmp.Diff(w, g)
}

// enqueued is Meilisearch's 202 answer to any write: a summarised task.
// https://www.meilisearch.com/docs/reference/api/tasks#summarized-task-object
func enqueued(uid int) string {
	b, _ := json.Marshal(map[string]any{
		"taskUid": uid, "indexUid": "verbatim", "status": "enqueued", "type": "documentAdditionOrUpdate",
		"enqueuedAt": "2026-11-26T22:00:00Z",
	})
	return string(b)
}

// task is GET /tasks/{uid}'s answer.
// https://www.meilisearch.com/docs/reference/api/tasks#task-object
func task(uid int, status string, errObj map[string]string) string {
	m := map[string]any{
		"uid": uid, "indexUid": "verbatim", "status": status, "type": "documentAdditionOrUpdate",
		"enqueuedAt": "2026-11-26T22:00:00Z",
	}
	if errObj != nil {
		m["error"] = errObj
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func taskPath(uid int) string { return "/tasks/" + itoa(uid) }

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// succeeded is the pair of exchanges of a write that succeeds at once.
func write(method, path, body string, uid int) []exchange {
	return []exchange{
		{method: method, path: path, body: body, status: http.StatusAccepted, reply: enqueued(uid)},
		{method: "GET", path: taskPath(uid), status: http.StatusOK, reply: task(uid, "succeeded", nil)},
	}
}

// adapterOps are the operations of Meilisearch's API the adapter uses.
// When the OpenAPI description is given, TestMain fails the run unless
// the tests sent (and so validated) a request to each.
var adapterOps = []string{
	"GET /health", "GET /keys", "GET /indexes/{index_uid}", "POST /indexes", "PATCH /indexes/{index_uid}",
	"DELETE /indexes/{index_uid}", "GET /indexes/{index_uid}/settings", "PATCH /indexes/{index_uid}/settings",
	"POST /indexes/{index_uid}/documents", "POST /indexes/{index_uid}/documents/delete",
	"POST /indexes/{index_uid}/search", "GET /tasks", "GET /tasks/{task_id}", "POST /swap-indexes",
}

func TestMain(m *testing.M) {
	code := m.Run()
	if v, _ := openAPISpec(); v != nil && code == 0 && flag.Lookup("test.run").Value.String() == "" {
		var missing []string
		for _, op := range adapterOps {
			if _, ok := validated.Load(op); !ok {
				missing = append(missing, op)
			}
		}
		if len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "no request validated against the OpenAPI description for: %v\n", missing)
			code = 1
		} else {
			fmt.Fprintf(os.Stderr, "meili: every request of the %d operations the adapter uses was validated against the OpenAPI description\n", len(adapterOps))
		}
	}
	os.Exit(code)
}

package faulttest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestConcurrentEdits: N editors read the same version of a recording and
// PATCH it at once with its ETag. Exactly one wins; every other gets 412
// Precondition Failed; the winner's change is what remains, and nothing
// else changed.
func TestConcurrentEdits(t *testing.T) {
	s := startServer(t, t.TempDir())
	s.editor()
	s.create("edited", "draft")
	before, etag := s.get("edited")
	if etag == "" {
		t.Fatal("GET /api/v1/recordings/edited has no ETag")
	}

	const editors = 12
	statuses := make([]int, editors)
	bodies := make([]string, editors)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range editors {
		wg.Go(func() {
			body, _ := json.Marshal(map[string]string{"title": fmt.Sprintf("title by editor %d", i)})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			<-start
			resp, data, err := s.do(ctx, http.MethodPatch, "/api/v1/recordings/edited", strings.NewReader(string(body)), int64(len(body)),
				map[string]string{"If-Match": etag, "Content-Type": "application/json"})
			if err != nil {
				bodies[i] = err.Error()
				return
			}
			statuses[i], bodies[i] = resp.StatusCode, string(data)
		})
	}
	close(start)
	wg.Wait()

	winner := -1
	for i, code := range statuses {
		switch code {
		case http.StatusOK:
			if winner >= 0 {
				t.Errorf("editors %d and %d both won with the same ETag", winner, i)
			}
			winner = i
		case http.StatusPreconditionFailed:
			if !strings.Contains(bodies[i], `"error"`) {
				t.Errorf("editor %d: 412 without a JSON error: %s", i, bodies[i])
			}
		default:
			t.Errorf("editor %d: PATCH = %d %s; want 200 or 412", i, code, bodies[i])
		}
	}
	if winner < 0 {
		t.Fatalf("no editor won: statuses %v", statuses)
	}
	after, _ := s.get("edited")
	if want := fmt.Sprintf("title by editor %d", winner); after.Title != want {
		t.Errorf("after the race the title is %q; want the winner's %q", after.Title, want)
	}
	if after.Version != before.Version+1 {
		t.Errorf("after the race version = %d; want %d (one write)", after.Version, before.Version+1)
	}
}

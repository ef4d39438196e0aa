package meili

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/indextest"
)

// TestConformance runs the shared suite against a real Meilisearch, each
// subtest in a fresh index that is deleted afterwards.
func TestConformance(t *testing.T) {
	url := os.Getenv("VERBATIM_TEST_MEILI_URL")
	if url == "" {
		t.Skip("set VERBATIM_TEST_MEILI_URL (and VERBATIM_TEST_MEILI_KEY if it has a master key) to run the index suite against a real Meilisearch")
	}
	key := os.Getenv("VERBATIM_TEST_MEILI_KEY")
	var n atomic.Int64
	run := time.Now().UnixNano()
	indextest.Run(t, func(t *testing.T) archive.Index {
		t.Helper()
		ctx := context.Background()
		uid := fmt.Sprintf("verbatim_test_%d_%d", run, n.Add(1))
		x, err := Open(ctx, Config{URL: url, APIKey: key, Index: uid})
		if err != nil {
			t.Fatalf("Open(%s): %v", uid, err)
		}
		t.Cleanup(func() {
			if info, err := x.client.DeleteIndex(ctx, uid); err == nil {
				x.wait(ctx, "delete index", info)
			}
			x.Close()
		})
		return x
	})
}

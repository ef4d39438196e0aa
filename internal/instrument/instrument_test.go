package instrument_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/bleveindex"
	"github.com/verbatim-archive/verbatim/internal/disk"
	"github.com/verbatim-archive/verbatim/internal/instrument"
)

// TestDecoratorsTimeAndKeepAbilities: wrapped stores keep the optional
// interfaces the archive looks for (the disk store's ranged open; no
// presigning it lacks), and each operation lands in its histogram with
// its outcome.
func TestDecoratorsTimeAndKeepAbilities(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := instrument.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	store, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	b := m.Blobs(store)
	if _, ok := b.(interface {
		OpenRange(context.Context, string, int64, int64) (io.ReadCloser, error)
	}); !ok {
		t.Errorf("wrapped disk store lost OpenRange")
	}
	if _, ok := b.(archive.Presigner); ok {
		t.Errorf("wrapped disk store claims to presign")
	}
	ctx := context.Background()
	if _, err := b.Put(ctx, "a/b", strings.NewReader("x"), 1, archive.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Get(ctx, "a/missing", 0, -1); err == nil {
		t.Fatal("Get of a missing key succeeded")
	}
	bi, err := bleveindex.OpenMem()
	if err != nil {
		t.Fatal(err)
	}
	defer bi.Close()
	x := m.Index(bi)
	if _, err := x.Search(ctx, archive.SearchQuery{Text: "x", Page: 1, PerPage: 10}); err != nil {
		t.Fatal(err)
	}
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]uint64{}
	for _, f := range fams {
		for _, mm := range f.Metric {
			key := f.GetName()
			for _, l := range mm.Label {
				key += " " + l.GetName() + "=" + l.GetValue()
			}
			got[key] = mm.Histogram.GetSampleCount()
		}
	}
	for _, k := range []string{
		"verbatim_storage_operation_duration_seconds op=put outcome=ok",
		"verbatim_storage_operation_duration_seconds op=get outcome=not_found",
		"verbatim_index_operation_duration_seconds op=search outcome=ok",
	} {
		if got[k] != 1 {
			t.Errorf("%s: %d observations; want 1 (have %v)", k, got[k], got)
		}
	}
}

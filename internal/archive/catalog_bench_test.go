package archive_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// BenchmarkListPage measures a page of 20 of one event in the catalog at 100 and at
// 10,000 recordings on the disk store (the aim: 10,000 within 1.5× of 100),
// and reports the first page of a freshly started Service (which reads
// every entry once) as first-page-ms.
//
//	go test -run '^$' -bench BenchmarkListPage -benchtime 200x ./internal/archive
func BenchmarkListPage(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		b.Run(fmt.Sprintf("recordings=%d", n), func(b *testing.B) {
			e := newEnv(b)
			ctx := context.Background()
			for i := range n {
				e.create(b, archive.RecordingInput{ID: fmt.Sprintf("r%05d", i), Title: fmt.Sprintf("Recording %d", i),
					Event: fmt.Sprintf("Event %d", i%50), Date: fmt.Sprintf("20%02d-%02d-%02d", 10+i%15, 1+i%12, 1+i%28),
					Status: archive.StatusPublished})
			}
			fresh, err := archive.NewService(archive.Options{Blobs: e.store, PasswordCost: bcrypt.MinCost})
			if err != nil {
				b.Fatal(err)
			}
			t0 := time.Now()
			if _, err := fresh.ListPage(ctx, viewer, archive.CatalogQuery{PerPage: 20}); err != nil {
				b.Fatal(err)
			}
			first := time.Since(t0)
			b.ResetTimer()
			for b.Loop() {
				p, err := fresh.ListPage(ctx, viewer, archive.CatalogQuery{PerPage: 20, Event: "Event 7"})
				if err != nil || len(p.Recordings) == 0 {
					b.Fatalf("ListPage = %+v, %v", p, err)
				}
			}
			b.ReportMetric(float64(first)/float64(time.Millisecond), "first-page-ms")
		})
	}
}

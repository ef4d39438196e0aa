package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/bleveindex"
	"github.com/verbatim-archive/verbatim/internal/corpus"
	"github.com/verbatim-archive/verbatim/internal/disk"
	"github.com/verbatim-archive/verbatim/internal/s3"
)

// scaleCues is the cues of each synthetic recording's one (English)
// track: the scale section measures listings and the decoration of
// search results over many recordings, not the search engine over much
// text (the search section does that).
const scaleCues = 12

// scalePages are the pages the scale section times, each fetched once
// per round, the rounds run one after another by one client.
func scalePages(word string) [][2]string {
	q := url.QueryEscape(word)
	return [][2]string{
		{"home", "/"},
		{"API listing page", "/api/v1/recordings?per_page=20&page=3"},
		{"event page", "/events/" + archive.EventSlug("HRC 57")},
		{"search page", "/search?q=" + q},
		{"API search", "/api/v1/search?q=" + q},
	}
}

// scaleSection seeds a small archive (100 recordings) and a large one
// (e.cfg.scaleN, default 10,000: the small one plus the rest, as corpus
// recordings are a prefix of each other) on disk and on S3, serves each
// with the real binary and times each page at both sizes; the ratio is
// large over small (aim: ≤ 1.5×). It also times the first listing after
// a restart, which loads the catalog snapshot.
func scaleSection(ctx context.Context, e *env) ([]row, error) {
	gen, err := corpus.New(corpus.Config{Seed: 7, Hours: float64(e.cfg.scaleN) * 1.6, Langs: []string{"en"}, CuesPerTrack: scaleCues})
	if err != nil {
		return nil, err
	}
	var recs []corpus.Recording
	for r := range gen.Recordings() {
		if len(recs) == e.cfg.scaleN {
			break
		}
		recs = append(recs, r)
	}
	if len(recs) < e.cfg.scaleN {
		return nil, fmt.Errorf("corpus gave %d recordings; want %d", len(recs), e.cfg.scaleN)
	}
	word := gen.Vocabulary("en")[40] // a frequent word: full result pages
	sizes := []int{100, e.cfg.scaleN}
	var rows []row
	for _, where := range []string{"disk", "S3"} {
		var extra []string
		var open func(data string) (archive.Blobs, error)
		if where == "disk" {
			open = func(data string) (archive.Blobs, error) { return disk.Open(filepath.Join(data, "objects")) }
		} else {
			srv, err := e.versity(ctx)
			if err != nil {
				rows = append(rows, row{section: "scale (S3)", measure: "all", ours: math.NaN(), skipped: "no versitygw: " + err.Error()})
				continue
			}
			extra = e.s3Env(srv)
			open = func(string) (archive.Blobs, error) {
				return s3.Open(ctx, s3.Config{Endpoint: srv.Endpoint, Bucket: srv.Bucket, Region: srv.Region,
					AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, CreateBucket: true})
			}
		}
		name := "scale-" + strings.ToLower(where)
		data := filepath.Join(e.dir, name+"-data")
		figs := map[int]map[string]latencies{}
		first := map[int]time.Duration{}
		seeded := 0
		for _, n := range sizes {
			t0 := time.Now()
			if err := seedScale(ctx, open, data, recs[seeded:n]); err != nil {
				return rows, fmt.Errorf("seed %s to %d recordings: %w", where, n, err)
			}
			e.logf("scale: %s seeded %d→%d recordings in %s", where, seeded, n, time.Since(t0).Round(time.Millisecond))
			seeded = n
			lat, firstPage, err := e.timeScale(ctx, name, extra, word)
			if err != nil {
				return rows, fmt.Errorf("%s at %d recordings: %w", where, n, err)
			}
			figs[n], first[n] = lat, firstPage
		}
		sec := fmt.Sprintf("scale (%s)", where)
		small, large := sizes[0], sizes[1]
		for _, pg := range scalePages(word) {
			for _, p := range []float64{50, 95} {
				rows = append(rows, row{section: sec, measure: fmt.Sprintf("%s p%.0f at %d recordings", pg[0], p, large),
					ours: ms(figs[large][pg[0]].pct(p)), peer: fmt.Sprintf("%d recordings", small), peerVal: ms(figs[small][pg[0]].pct(p)), unit: "ms",
					note: "aim ≤ 1.5×"})
			}
		}
		rows = append(rows, row{section: sec, measure: fmt.Sprintf("first listing after a restart at %d recordings", large),
			ours: ms(first[large]), peer: fmt.Sprintf("%d recordings", small), peerVal: ms(first[small]), unit: "ms",
			note: "the first API listing page right after /healthz answers: the catalog snapshot and the changes since, read once"})
	}
	return rows, nil
}

// seedScale writes recs through the archive API in-process, in parallel:
// each is created published and given its track, so manifests, catalog
// entries, change markers and index documents are exactly what a server
// writes. The embedded index is the server's (data/index), written then
// closed; a snapshot of the catalog is written at the end, as a running
// server would within a minute.
func seedScale(ctx context.Context, open func(string) (archive.Blobs, error), data string, recs []corpus.Recording) error {
	blobs, err := open(data)
	if err != nil {
		return err
	}
	if c, ok := blobs.(io.Closer); ok {
		defer c.Close()
	}
	idx, err := bleveindex.Open(filepath.Join(data, "index"))
	if err != nil {
		return err
	}
	defer idx.Close()
	svc, err := archive.NewService(archive.Options{Blobs: blobs, Index: idx})
	if err != nil {
		return err
	}
	ed := archive.Principal{Name: "bench", Role: archive.RoleEditor}
	work := make(chan corpus.Recording)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range 8 {
		wg.Go(func() {
			for r := range work {
				err := seedOne(ctx, svc, ed, r)
				if err != nil {
					mu.Lock()
					first = cmpOr(first, err)
					mu.Unlock()
				}
			}
		})
	}
	for _, r := range recs {
		select {
		case work <- r:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	if first != nil {
		return first
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return svc.CompactCatalog(ctx)
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func seedOne(ctx context.Context, svc *archive.Service, ed archive.Principal, r corpus.Recording) error {
	_, _, err := svc.Create(ctx, ed, archive.RecordingInput{ID: r.ID, Title: r.Title, Event: r.Event, Date: r.Date,
		Status: archive.StatusPublished, Declared: []string{"en"}})
	if err != nil {
		return err
	}
	var vtt strings.Builder
	vtt.WriteString("WEBVTT\n\n")
	for _, c := range r.Tracks[0].Cues {
		fmt.Fprintf(&vtt, "%s --> %s\n<v %s>%s\n\n", vttTime(c.StartMS), vttTime(c.EndMS), c.Speaker, c.Text)
	}
	_, err = svc.PutTrack(ctx, ed, r.ID, archive.TrackUpload{Lang: "en", Name: "en.vtt", Data: []byte(vtt.String())})
	return err
}

func vttTime(ms int64) string {
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}

// timeScale serves the seeded data, warms each page up, then times
// e.cfg.scaleRounds rounds of every page, alternating; then restarts the
// server and times the first listing page.
func (e *env) timeScale(ctx context.Context, name string, extra []string, word string) (map[string]latencies, time.Duration, error) {
	v, err := e.startVerbatim(ctx, name, "serve", extra)
	if err != nil {
		return nil, 0, err
	}
	defer v.stop()
	pages := scalePages(word)
	get := func(path string) (time.Duration, error) { return getTimed(ctx, v.base+path) }
	for range 10 {
		for _, pg := range pages {
			if _, err := get(pg[1]); err != nil {
				return nil, 0, err
			}
		}
	}
	lat := map[string]latencies{}
	for range e.cfg.scaleRounds {
		for _, pg := range pages {
			d, err := get(pg[1])
			if err != nil {
				return nil, 0, err
			}
			lat[pg[0]] = append(lat[pg[0]], d)
		}
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
	}
	v.stop()
	v2, err := e.startVerbatim(ctx, name, "serve", extra)
	if err != nil {
		return nil, 0, err
	}
	defer v2.stop()
	first, err := getTimed(ctx, v2.base+pages[1][1])
	return lat, first, err
}

// getTimed GETs u to the end of the body and times it; any status but
// 200 is an error.
func getTimed(ctx context.Context, u string) (time.Duration, error) {
	t0 := time.Now()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return time.Since(t0), nil
}

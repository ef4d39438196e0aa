package main

import (
	"context"
	"errors"
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
// (e.cfg.scaleN, default 10,000; corpus recordings are a prefix of each
// other, so the small one is the large one's first hundred) on disk and on
// S3 (a bucket each), serves both at once with the real binary and times
// each page on the two alternately, round after round, so that load from
// elsewhere on the machine falls on both alike; the ratio is large over
// small (aim: ≤ 1.5×). Then both are restarted and the first listing page
// of each is timed: the catalog snapshot and the changes since, read once.
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
	small, large := 100, e.cfg.scaleN
	var rows []row
	for _, where := range []string{"disk", "S3"} {
		sec := fmt.Sprintf("scale (%s)", where)
		envs := map[int][]string{}
		open := map[int]func(data string) (archive.Blobs, error){}
		for _, n := range []int{small, large} {
			if where == "disk" {
				open[n] = func(data string) (archive.Blobs, error) { return disk.Open(filepath.Join(data, "objects")) }
				continue
			}
			srv, err := e.versity(ctx)
			if err != nil {
				rows = append(rows, row{section: sec, measure: "all", ours: math.NaN(), skipped: "no versitygw: " + err.Error()})
				break
			}
			bucket := fmt.Sprintf("%s-%d", srv.Bucket, n)
			envs[n] = append(e.s3Env(srv), "VERBATIM_S3_BUCKET="+bucket) // the last value of a key wins
			open[n] = func(string) (archive.Blobs, error) {
				return s3.Open(ctx, s3.Config{Endpoint: srv.Endpoint, Bucket: bucket, Region: srv.Region,
					AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, CreateBucket: true})
			}
		}
		if len(open) < 2 {
			continue
		}
		name := func(n int) string { return fmt.Sprintf("scale-%s-%d", strings.ToLower(where), n) }
		for _, n := range []int{small, large} {
			t0 := time.Now()
			if err := seedScale(ctx, open[n], filepath.Join(e.dir, name(n)+"-data"), recs[:n]); err != nil {
				return rows, fmt.Errorf("seed %d recordings on %s: %w", n, where, err)
			}
			e.logf("scale: %s seeded %d recordings in %s (%.0f recordings/s)", where, n, time.Since(t0).Round(time.Millisecond), float64(n)/time.Since(t0).Seconds())
		}
		lat, first, err := e.timeScale(ctx, []string{name(small), name(large)}, [][]string{envs[small], envs[large]}, word)
		if err != nil {
			return rows, fmt.Errorf("scale on %s: %w", where, err)
		}
		for _, pg := range scalePages(word) {
			for _, p := range []float64{50, 95} {
				rows = append(rows, row{section: sec, measure: fmt.Sprintf("%s p%.0f at %d recordings", pg[0], p, large),
					ours: ms(lat[1][pg[0]].pct(p)), peer: fmt.Sprintf("%d recordings", small), peerVal: ms(lat[0][pg[0]].pct(p)), unit: "ms"})
			}
		}
		rows = append(rows, row{section: sec, measure: fmt.Sprintf("first listing after a restart at %d recordings", large),
			ours: ms(first[1]), peer: fmt.Sprintf("%d recordings", small), peerVal: ms(first[0]), unit: "ms",
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

// seedOne creates r and puts its track, each tried up to three times:
// versitygw's directory-backed store now and then refuses a write under a
// prefix whose empty directory a concurrent delete is removing ("Existing
// Object is a directory"). A create that already happened is a conflict,
// which is done.
func seedOne(ctx context.Context, svc *archive.Service, ed archive.Principal, r corpus.Recording) error {
	retry := func(f func() error) error {
		var err error
		for range 3 {
			if err = f(); err == nil || ctx.Err() != nil {
				return err
			}
		}
		return err
	}
	err := retry(func() error {
		_, _, err := svc.Create(ctx, ed, archive.RecordingInput{ID: r.ID, Title: r.Title, Event: r.Event, Date: r.Date,
			Status: archive.StatusPublished, Declared: []string{"en"}})
		if errors.Is(err, archive.ErrConflict) {
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	var vtt strings.Builder
	vtt.WriteString("WEBVTT\n\n")
	for _, c := range r.Tracks[0].Cues {
		fmt.Fprintf(&vtt, "%s --> %s\n<v %s>%s\n\n", vttTime(c.StartMS), vttTime(c.EndMS), c.Speaker, c.Text)
	}
	return retry(func() error {
		_, err := svc.PutTrack(ctx, ed, r.ID, archive.TrackUpload{Lang: "en", Name: "en.vtt", Data: []byte(vtt.String())})
		return err
	})
}

func vttTime(ms int64) string {
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}

// timeScale serves each seeded data directory (names[i], with envs[i]),
// warms each page up, then times e.cfg.scaleRounds rounds of every page on
// every server, alternating which goes first; then restarts the servers
// and times the first listing page of each.
func (e *env) timeScale(ctx context.Context, names []string, envs [][]string, word string) ([]map[string]latencies, []time.Duration, error) {
	var vs []*verbatim
	for i, name := range names {
		v, err := e.startVerbatim(ctx, name, "serve", envs[i])
		if err != nil {
			return nil, nil, err
		}
		defer v.stop()
		vs = append(vs, v)
	}
	pages := scalePages(word)
	for range 10 {
		for _, pg := range pages {
			for _, v := range vs {
				if _, err := getTimed(ctx, v.base+pg[1]); err != nil {
					return nil, nil, err
				}
			}
		}
	}
	lat := make([]map[string]latencies, len(vs))
	for i := range lat {
		lat[i] = map[string]latencies{}
	}
	for round := range e.cfg.scaleRounds {
		for _, pg := range pages {
			for k := range vs {
				i := (k + round) % len(vs) // each server goes first in turn
				d, err := getTimed(ctx, vs[i].base+pg[1])
				if err != nil {
					return nil, nil, err
				}
				lat[i][pg[0]] = append(lat[i][pg[0]], d)
			}
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
	}
	first := make([]time.Duration, len(vs))
	for i, v := range vs {
		v.stop()
		again, err := e.startVerbatim(ctx, names[i], "serve", envs[i])
		if err != nil {
			return nil, nil, err
		}
		first[i], err = getTimed(ctx, again.base+pages[1][1])
		again.stop()
		if err != nil {
			return nil, nil, err
		}
	}
	return lat, first, nil
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

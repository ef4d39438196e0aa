// Package search benchmarks the embedded search index against SQLite FTS5
// (python3's sqlite3) and ripgrep over the same generated archive, in one
// run, and reports ratios. See README.md and RESULTS.md beside this file.
package search

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/bleveindex"
	"github.com/verbatim-archive/verbatim/internal/corpus"
)

// env reads the benchmark's knobs.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// BenchmarkCompare runs once whatever b.N is (use -benchtime 1x):
//
//	VERBATIM_BENCH_SCALE=0.1 go test -run '^$' -bench Compare -benchtime 1x -timeout 3h ./bench/search/
//
// VERBATIM_BENCH_SCALE (default 0.1) scales the 200 recording-hours of
// corpus.Full; VERBATIM_BENCH_QUERIES (default 200) is the number of
// queries per kind; VERBATIM_BENCH_OUT names a file for the markdown
// report; VERBATIM_BENCH_DIR keeps the work files there instead of a
// temporary directory.
func BenchmarkCompare(b *testing.B) {
	scale, err := strconv.ParseFloat(env("VERBATIM_BENCH_SCALE", "0.1"), 64)
	if err != nil || scale <= 0 {
		b.Fatalf("VERBATIM_BENCH_SCALE: want a positive number, got %q", os.Getenv("VERBATIM_BENCH_SCALE"))
	}
	perKind, err := strconv.Atoi(env("VERBATIM_BENCH_QUERIES", "200"))
	if err != nil || perKind <= 0 {
		b.Fatalf("VERBATIM_BENCH_QUERIES: want a positive integer")
	}
	for _, tool := range []string{"python3", "rg"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Skipf("%s not installed: %v", tool, err)
		}
	}
	dir := env("VERBATIM_BENCH_DIR", b.TempDir())
	cfg := corpus.Full()
	cfg.Hours *= scale
	r := &run{b: b, dir: dir, cfg: cfg, perKind: perKind}
	for b.Loop() {
		r.all()
	}
}

// run holds one comparison's work and figures.
type run struct {
	b       *testing.B
	dir     string
	cfg     corpus.Config
	perKind int

	gen     *corpus.Generator
	cues    int
	queries []corpus.Query
	index   indexFigures // bleve
	fts     indexFigures
	srtSize int64
	lat     map[string][]float64 // engine → wall time (ms) per query, in query order
	cpu     map[string][]float64 // engine → CPU time (ms) per query
	hits    map[string][]int
	load    [2]string // /proc/loadavg before and after
}

type indexFigures struct {
	seconds, cpu float64
	bytes        int64
}

func (r *run) all() {
	r.lat, r.cpu, r.hits = map[string][]float64{}, map[string][]float64{}, map[string][]int{}
	r.load[0] = loadavg()
	r.generate()
	r.indexBleve()
	r.indexFTS()
	r.searchBleve()
	r.searchFTS()
	r.searchRg()
	r.load[1] = loadavg()
	report := r.report()
	if out := os.Getenv("VERBATIM_BENCH_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(report), 0o644); err != nil {
			r.b.Fatal(err)
		}
	}
	r.b.Log("\n" + report)
	r.metrics()
}

// generate writes the SRT files and the cues (JSON lines, for the FTS5
// peer), and draws the queries from every tenth recording.
func (r *run) generate() {
	b := r.b
	g, err := corpus.New(r.cfg)
	if err != nil {
		b.Fatal(err)
	}
	r.gen = g
	srt := filepath.Join(r.dir, "srt")
	if err := os.MkdirAll(srt, 0o755); err != nil {
		b.Fatal(err)
	}
	f, err := os.Create(filepath.Join(r.dir, "cues.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	var sample []corpus.Recording
	i := 0
	for rec := range g.Recordings() {
		if err := corpus.WriteSRT(srt, rec); err != nil {
			b.Fatal(err)
		}
		for _, d := range rec.Docs() {
			if err := enc.Encode(d); err != nil {
				b.Fatal(err)
			}
			r.cues++
		}
		if i%10 == 0 {
			sample = append(sample, rec)
		}
		i++
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	r.srtSize = dirSize(b, srt)
	r.queries = g.Queries(2, sample, r.perKind)
	qf, _ := json.Marshal(r.queries)
	if err := os.WriteFile(filepath.Join(r.dir, "queries.json"), qf, 0o644); err != nil {
		b.Fatal(err)
	}
}

// indexBleve times a rebuild, as `verbatim reindex` does it: one Put per
// recording (as the Service does) into a fresh index, merged into one
// segment before the switch, and the Close that flushes it. The documents
// are generated beforehand.
func (r *run) indexBleve() {
	b := r.b
	type recDocs struct {
		id   string
		docs []archive.CueDoc
	}
	var all []recDocs
	for rec := range r.gen.Recordings() {
		all = append(all, recDocs{rec.ID, rec.Docs()})
	}
	path := filepath.Join(r.dir, "bleve")
	os.RemoveAll(path)
	x, err := bleveindex.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	cpu0, start := cpuTime(), time.Now()
	err = x.Rebuild(context.Background(), func(ctx context.Context, fresh *bleveindex.Index) error {
		for _, rd := range all {
			if err := fresh.Put(ctx, rd.id, rd.docs); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := x.Close(); err != nil {
		b.Fatal(err)
	}
	r.index = indexFigures{seconds: time.Since(start).Seconds(), cpu: (cpuTime() - cpu0).Seconds(), bytes: dirSize(b, path)}
}

func (r *run) indexFTS() {
	db := filepath.Join(r.dir, "fts.db")
	os.Remove(db)
	var out struct {
		Seconds float64 `json:"seconds"`
		CPU     float64 `json:"cpu_seconds"`
		Rows    int     `json:"rows"`
	}
	r.python(&out, "build", db, filepath.Join(r.dir, "cues.jsonl"))
	if out.Rows != r.cues {
		r.b.Fatalf("fts5 indexed %d cues; want %d", out.Rows, r.cues)
	}
	st, err := os.Stat(db)
	if err != nil {
		r.b.Fatal(err)
	}
	r.fts = indexFigures{seconds: out.Seconds, cpu: out.CPU, bytes: st.Size()}
}

// searchBleve runs every query twice: across all languages, and filtered
// to the query's language (what a viewer reading one language does).
// The first 20 queries warm up the caches and are run again.
func (r *run) searchBleve() {
	b := r.b
	x, err := bleveindex.Open(filepath.Join(r.dir, "bleve"))
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	for _, q := range r.queries[:20] {
		x.Search(ctx, archive.SearchQuery{Text: q.Text})
	}
	for _, mode := range []string{"bleve", "bleve lang"} {
		for _, q := range r.queries {
			sq := archive.SearchQuery{Text: q.Text}
			if mode == "bleve lang" {
				sq.Langs = []string{q.Lang}
			}
			cpu0, start := cpuTime(), time.Now()
			res, err := x.Search(ctx, sq)
			if err != nil {
				b.Fatalf("Search(%q): %v", q.Text, err)
			}
			r.lat[mode] = append(r.lat[mode], ms(time.Since(start)))
			r.cpu[mode] = append(r.cpu[mode], ms(cpuTime()-cpu0))
			r.hits[mode] = append(r.hits[mode], res.Total)
		}
	}
}

func (r *run) searchFTS() {
	var out struct {
		Lat  []float64 `json:"latencies_ms"`
		CPU  []float64 `json:"cpu_ms"`
		Hits []int     `json:"hits"`
	}
	r.python(&out, "search", filepath.Join(r.dir, "fts.db"), filepath.Join(r.dir, "queries.json"))
	r.lat["fts5"], r.cpu["fts5"], r.hits["fts5"] = out.Lat, out.CPU, out.Hits
}

// searchRg greps the SRT files for each query as one fixed string, case
// insensitive: ripgrep cannot require several words in one cue, so for
// word queries it looks for the words side by side. Its figures are the
// cost of scanning everything per query, process start included.
func (r *run) searchRg() {
	srt := filepath.Join(r.dir, "srt")
	for _, q := range r.queries {
		text := strings.Join(strings.Fields(strings.ReplaceAll(q.Text, `"`, "")), " ")
		cmd := exec.Command("rg", "-i", "-F", "-c", "--no-filename", "-e", text, srt)
		start := time.Now()
		out, err := cmd.Output()
		elapsed := time.Since(start)
		if ee, ok := err.(*exec.ExitError); err != nil && !(ok && ee.ExitCode() == 1) {
			r.b.Fatalf("rg %q: %v", text, err)
		}
		n := 0
		for _, l := range strings.Fields(string(out)) {
			c, _ := strconv.Atoi(l)
			n += c
		}
		r.lat["rg"] = append(r.lat["rg"], ms(elapsed))
		r.cpu["rg"] = append(r.cpu["rg"], ms(cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime()))
		r.hits["rg"] = append(r.hits["rg"], n)
	}
}

func (r *run) python(out any, args ...string) {
	cmd := exec.Command("python3", append([]string{"fts5.py"}, args...)...)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		r.b.Fatalf("python3 fts5.py %s: %v", args[0], err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		r.b.Fatalf("python3 fts5.py %s: %v: %s", args[0], err, b)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// cpuTime is the CPU time this process has used: a query's CPU time is
// fair where wall time is not, on a machine shared with other work.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func dirSize(b *testing.B, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			n += info.Size()
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// percentile is the nearest-rank percentile p (0–100) of xs.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	k := int(float64(len(s))*p/100+0.999999) - 1
	return s[min(max(k, 0), len(s)-1)]
}

// byKind selects one engine's times (from r.lat or r.cpu) for one query
// kind ("" for all).
func (r *run) byKind(times map[string][]float64, engine, kind string) []float64 {
	var xs []float64
	for i, q := range r.queries {
		if kind == "" || q.Kind == kind {
			xs = append(xs, times[engine][i])
		}
	}
	return xs
}

var engines = []string{"bleve", "bleve lang", "fts5", "rg"}

func (r *run) report() string {
	var s strings.Builder
	host, _ := os.Hostname()
	fmt.Fprintf(&s, "Run %s on %s: %s/%s, %d CPUs (GOMAXPROCS %d), %s.\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"),
		host, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	fmt.Fprintf(&s, "Load average before / after: %s / %s.\n\n", r.load[0], r.load[1])
	fmt.Fprintf(&s, "Corpus: %.0f recording-hours × %d languages, %d cues, %.1f MB of SRT; %d queries (%d per kind).\n\n",
		r.cfg.Hours, len(r.gen.Langs()), r.cues, mb(r.srtSize), len(r.queries), r.perKind)
	s.WriteString("| indexing | seconds | CPU seconds | cues/s | cues per CPU second | size on disk (MB) |\n|---|---:|---:|---:|---:|---:|\n")
	for _, e := range []struct {
		name string
		f    indexFigures
	}{{"bleve", r.index}, {"fts5", r.fts}} {
		fmt.Fprintf(&s, "| %s | %.1f | %.1f | %.0f | %.0f | %.1f |\n", e.name, e.f.seconds, e.f.cpu,
			float64(r.cues)/e.f.seconds, float64(r.cues)/e.f.cpu, mb(e.f.bytes))
	}
	fmt.Fprintf(&s, "\nbleve / fts5: indexing time ×%.2f, indexing CPU ×%.2f, size ×%.2f; bleve size / SRT size ×%.2f.\n\n",
		r.index.seconds/r.fts.seconds, r.index.cpu/r.fts.cpu, float64(r.index.bytes)/float64(r.fts.bytes), float64(r.index.bytes)/float64(r.srtSize))
	r.latencyTable(&s, "Wall time per query in ms, p50 / p95 / p99", r.lat)
	r.latencyTable(&s, "CPU time per query in ms (whole process; rg: its threads summed), p50 / p95 / p99", r.cpu)
	s.WriteString("\nMedian hits per query (engines match differently: bleve stems, tolerates typos and\n" +
		"matches across cue boundaries; fts5 matches exact tokens; rg matches the query as one string):\n\n|")
	for _, e := range engines {
		fmt.Fprintf(&s, " %s |", e)
	}
	s.WriteString("\n|" + strings.Repeat("---:|", len(engines)) + "\n|")
	for _, e := range engines {
		h := slices.Clone(r.hits[e])
		slices.Sort(h)
		fmt.Fprintf(&s, " %d |", h[len(h)/2])
	}
	s.WriteString("\n")
	return s.String()
}

func (r *run) latencyTable(s *strings.Builder, title string, times map[string][]float64) {
	s.WriteString(title + ":\n\n| kind |")
	for _, e := range engines {
		fmt.Fprintf(s, " %s |", e)
	}
	s.WriteString(" bleve p95 ÷ fts5 | bleve p95 ÷ rg |\n|---|" + strings.Repeat("---:|", len(engines)+2) + "\n")
	for _, kind := range append(slices.Clone(corpus.QueryKinds), "") {
		name := kind
		if name == "" {
			name = "**all**"
		}
		fmt.Fprintf(s, "| %s |", name)
		for _, e := range engines {
			xs := r.byKind(times, e, kind)
			fmt.Fprintf(s, " %.1f / %.1f / %.1f |", percentile(xs, 50), percentile(xs, 95), percentile(xs, 99))
		}
		p95 := percentile(r.byKind(times, "bleve", kind), 95)
		fmt.Fprintf(s, " ×%.2f | ×%.2f |\n", p95/percentile(r.byKind(times, "fts5", kind), 95), p95/percentile(r.byKind(times, "rg", kind), 95))
	}
	s.WriteString("\n")
}

func (r *run) metrics() {
	all := func(e string, p float64) float64 { return percentile(r.byKind(r.lat, e, ""), p) }
	r.b.ReportMetric(all("bleve", 95), "bleve-p95-ms")
	r.b.ReportMetric(all("bleve lang", 95), "bleve-lang-p95-ms")
	r.b.ReportMetric(all("fts5", 95), "fts5-p95-ms")
	r.b.ReportMetric(all("rg", 95), "rg-p95-ms")
	r.b.ReportMetric(float64(r.cues)/r.index.seconds, "bleve-cues/s")
	r.b.ReportMetric(float64(r.cues)/r.fts.seconds, "fts5-cues/s")
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

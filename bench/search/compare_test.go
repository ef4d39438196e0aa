// Package search benchmarks the embedded search index against SQLite FTS5
// (python3's sqlite3) and ripgrep over the same generated archive, in one
// run, and reports ratios. See README.md and RESULTS.md beside this file.
package search

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/bleveindex"
	"github.com/verbatim-archive/verbatim/internal/corpus"
	"github.com/verbatim-archive/verbatim/internal/measure"
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
	queries []corpus.Query
	srtSize int64
	rep     Report
}

func (r *run) all() {
	r.rep = Report{Index: map[string]IndexFigures{}, WallMS: map[string][]float64{}, CPUMS: map[string][]float64{}, Hits: map[string][]int{}}
	r.rep.LoadAvg[0] = loadavg()
	r.generate()
	if r.reuse() {
		r.b.Logf("VERBATIM_BENCH_REUSE: searching the indexes already in %s (no indexing figures)", r.dir)
	} else {
		r.indexBleve()
		r.indexFTS()
	}
	r.search()
	r.rep.LoadAvg[1] = loadavg()
	r.rep.Corpus = fmt.Sprintf("Corpus: %.0f recording-hours × %d languages, %d cues, %.1f MB of SRT; %d queries (%d per kind).",
		r.cfg.Hours, len(r.gen.Langs()), r.rep.Cues, mb(r.srtSize), len(r.queries), r.perKind)
	report := r.report()
	if out := os.Getenv("VERBATIM_BENCH_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(report), 0o644); err != nil {
			r.b.Fatal(err)
		}
	}
	if out := os.Getenv("VERBATIM_BENCH_JSON"); out != "" {
		js, err := json.MarshalIndent(&r.rep, "", " ")
		if err == nil {
			err = os.WriteFile(out, js, 0o644)
		}
		if err != nil {
			r.b.Fatal(err)
		}
	}
	r.b.Log("\n" + report)
	r.metrics()
}

// reuse reports whether VERBATIM_BENCH_REUSE=1 asks to search the
// indexes a run left in VERBATIM_BENCH_DIR (same scale, so the same
// corpus) instead of building them again: for profiling the query path.
func (r *run) reuse() bool {
	if os.Getenv("VERBATIM_BENCH_REUSE") != "1" {
		return false
	}
	for _, f := range []string{"bleve", "fts.db"} {
		if _, err := os.Stat(filepath.Join(r.dir, f)); err != nil {
			r.b.Fatalf("VERBATIM_BENCH_REUSE: %v", err)
		}
	}
	return true
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
			r.rep.Cues++
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
	for _, q := range r.queries {
		r.rep.Kinds = append(r.rep.Kinds, q.Kind)
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
	r.rep.Index["bleve"] = IndexFigures{Seconds: time.Since(start).Seconds(), CPUSeconds: (cpuTime() - cpu0).Seconds(), Bytes: dirSize(b, path)}
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
	if out.Rows != r.rep.Cues {
		r.b.Fatalf("fts5 indexed %d cues; want %d", out.Rows, r.rep.Cues)
	}
	st, err := os.Stat(db)
	if err != nil {
		r.b.Fatal(err)
	}
	r.rep.Index["fts5"] = IndexFigures{Seconds: out.Seconds, CPUSeconds: out.CPU, Bytes: st.Size()}
}

// search runs every query on every engine: bleve across all languages,
// bleve filtered to the query's language (what a viewer reading one
// language does), FTS5 (a python3 process answering one query at a time
// on a pipe, timing itself) and ripgrep. The engines take turns query by
// query, the order rotating, so that load from elsewhere on the machine
// falls on all of them alike; the first 20 queries are first run once on
// every engine, untimed, to warm caches alike.
func (r *run) search() {
	b := r.b
	x, err := bleveindex.Open(filepath.Join(r.dir, "bleve"))
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	fts := r.startFTS()
	defer fts.close()
	ctx := context.Background()
	bleve := func(langs []string) func(q corpus.Query) (float64, float64, int) {
		return func(q corpus.Query) (float64, float64, int) {
			sq := archive.SearchQuery{Text: q.Text}
			if langs != nil {
				sq.Langs = []string{q.Lang}
			}
			cpu0, start := cpuTime(), time.Now()
			res, err := x.Search(ctx, sq)
			wall, cpu := ms(time.Since(start)), ms(cpuTime()-cpu0)
			if err != nil {
				b.Fatalf("Search(%q): %v", q.Text, err)
			}
			return wall, cpu, res.Total
		}
	}
	engines := map[string]func(q corpus.Query) (float64, float64, int){
		"bleve": bleve(nil), "bleve lang": bleve([]string{}), "fts5": fts.query, "rg": r.rg,
	}
	for _, q := range r.queries[:min(20, len(r.queries))] {
		for _, e := range Engines {
			engines[e](q)
		}
	}
	for _, e := range Engines {
		r.rep.WallMS[e] = make([]float64, len(r.queries))
		r.rep.CPUMS[e] = make([]float64, len(r.queries))
		r.rep.Hits[e] = make([]int, len(r.queries))
	}
	for i, q := range r.queries {
		for j := range Engines {
			e := Engines[(i+j)%len(Engines)]
			r.rep.WallMS[e][i], r.rep.CPUMS[e][i], r.rep.Hits[e][i] = engines[e](q)
		}
	}
}

// ftsPeer is `fts5.py serve`: one query per line in, one answer per line out.
type ftsPeer struct {
	b   *testing.B
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

func (r *run) startFTS() *ftsPeer {
	cmd := exec.Command("python3", "fts5.py", "serve", filepath.Join(r.dir, "fts.db"))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		r.b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		r.b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		r.b.Fatalf("python3 fts5.py serve: %v", err)
	}
	return &ftsPeer{b: r.b, cmd: cmd, in: in, out: bufio.NewScanner(out)}
}

func (p *ftsPeer) query(q corpus.Query) (float64, float64, int) {
	line, _ := json.Marshal(q)
	if _, err := p.in.Write(append(line, '\n')); err != nil {
		p.b.Fatalf("fts5.py serve: %v", err)
	}
	if !p.out.Scan() {
		p.b.Fatalf("fts5.py serve: no answer to %q: %v", q.Text, p.out.Err())
	}
	var a struct {
		MS    float64 `json:"ms"`
		CPUMS float64 `json:"cpu_ms"`
		Hits  int     `json:"hits"`
	}
	if err := json.Unmarshal(p.out.Bytes(), &a); err != nil {
		p.b.Fatalf("fts5.py serve: %v: %s", err, p.out.Bytes())
	}
	return a.MS, a.CPUMS, a.Hits
}

func (p *ftsPeer) close() {
	p.in.Close()
	if err := p.cmd.Wait(); err != nil {
		p.b.Errorf("fts5.py serve: %v", err)
	}
}

// rg greps the SRT files for a query as one fixed string, case
// insensitive: ripgrep cannot require several words in one cue, so for
// word queries it looks for the words side by side. Its figures are the
// cost of scanning everything per query, process start included.
func (r *run) rg(q corpus.Query) (float64, float64, int) {
	srt := filepath.Join(r.dir, "srt")
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
	return ms(elapsed), ms(cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()), n
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

// ms is d in milliseconds, unrounded.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

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

func (r *run) report() string {
	var s strings.Builder
	rep := &r.rep
	host, _ := os.Hostname()
	fmt.Fprintf(&s, "Run %s on %s: %s/%s, %d CPUs (GOMAXPROCS %d), %s.\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"),
		host, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	fmt.Fprintf(&s, "Load average before / after: %s / %s.\n\n", rep.LoadAvg[0], rep.LoadAvg[1])
	s.WriteString(rep.Corpus + "\n\n")
	r.headline(&s)
	if len(rep.Index) == 0 {
		s.WriteString("Indexing: not measured (indexes reused, VERBATIM_BENCH_REUSE).\n\n")
	} else {
		r.indexTable(&s)
	}
	r.latencyTable(&s, "Wall time per query in ms, p50 / p95 / p99 (ratios from the unrounded figures)", rep.WallMS)
	r.latencyTable(&s, "CPU time per query in ms (whole process; rg: its threads summed), p50 / p95 / p99", rep.CPUMS)
	s.WriteString("\nMedian hits per query (engines match differently: bleve stems, tolerates typos and\n" +
		"matches across cue boundaries; fts5 matches exact tokens; rg matches the query as one string):\n\n|")
	for _, e := range Engines {
		fmt.Fprintf(&s, " %s |", e)
	}
	s.WriteString("\n|" + strings.Repeat("---:|", len(Engines)) + "\n|")
	for _, e := range Engines {
		fmt.Fprintf(&s, " %d |", measure.Percentile(rep.Hits[e], 50))
	}
	s.WriteString("\n")
	return s.String()
}

// indexTable is each engine's indexing cost and their ratios.
func (r *run) indexTable(s *strings.Builder) {
	rep := &r.rep
	s.WriteString("| indexing | seconds | CPU seconds | cues/s | cues per CPU second | size on disk (MB) |\n|---|---:|---:|---:|---:|---:|\n")
	for _, e := range []string{"bleve", "fts5"} {
		f := rep.Index[e]
		fmt.Fprintf(s, "| %s | %.1f | %.1f | %.0f | %.0f | %.1f |\n", e, f.Seconds, f.CPUSeconds,
			float64(rep.Cues)/f.Seconds, float64(rep.Cues)/f.CPUSeconds, mb(f.Bytes))
	}
	bl, fts := rep.Index["bleve"], rep.Index["fts5"]
	fmt.Fprintf(s, "\nbleve / fts5: indexing time ×%.2f, indexing CPU ×%.2f, size ×%.2f; bleve size / SRT size ×%.2f.\n\n",
		bl.Seconds/fts.Seconds, bl.CPUSeconds/fts.CPUSeconds, float64(bl.Bytes)/float64(fts.Bytes), float64(bl.Bytes)/float64(r.srtSize))
}

func (r *run) latencyTable(s *strings.Builder, title string, times map[string][]float64) {
	s.WriteString(title + ":\n\n| kind |")
	for _, e := range Engines {
		fmt.Fprintf(s, " %s |", e)
	}
	s.WriteString(" bleve p95 ÷ fts5 | bleve p95 ÷ rg |\n|---|" + strings.Repeat("---:|", len(Engines)+2) + "\n")
	type set struct {
		name  string
		kinds []string
	}
	var sets []set
	for _, k := range corpus.QueryKinds {
		sets = append(sets, set{k, []string{k}})
	}
	sets = append(sets, set{"**exact words** (" + strings.Join(ExactKinds, ", ") + ")", ExactKinds}, set{"**all**", nil})
	for _, st := range sets {
		fmt.Fprintf(s, "| %s |", st.name)
		p95 := map[string]float64{}
		for _, e := range Engines {
			xs := r.rep.ByKinds(times, e, st.kinds)
			p95[e] = measure.Percentile(xs, 95)
			fmt.Fprintf(s, " %.2f / %.2f / %.2f |", measure.Percentile(xs, 50), p95[e], measure.Percentile(xs, 99))
		}
		fmt.Fprintf(s, " ×%.2f | ×%.2f |\n", measure.Ratio(p95["bleve"], p95["fts5"]), measure.Ratio(p95["bleve"], p95["rg"]))
	}
	s.WriteString("\n")
}

// headline is the aims' figures, first in the report: p95 over every
// query across all languages (aim ≤ 20 ms wall) and on the exact-word
// kinds against FTS5's p95 on the same queries (aim ≤ 3×).
func (r *run) headline(s *strings.Builder) {
	rep := &r.rep
	p95 := func(times map[string][]float64, e string, kinds []string) float64 {
		return measure.Percentile(rep.ByKinds(times, e, kinds), 95)
	}
	fmt.Fprintf(s, "Headline, all languages: bleve p95 over all %d queries %.2f ms wall (aim ≤ 20 ms), %.2f ms CPU.\n",
		len(rep.Kinds), p95(rep.WallMS, "bleve", nil), p95(rep.CPUMS, "bleve", nil))
	n := len(rep.ByKinds(rep.WallMS, "bleve", ExactKinds))
	bw, fw := p95(rep.WallMS, "bleve", ExactKinds), p95(rep.WallMS, "fts5", ExactKinds)
	bc, fc := p95(rep.CPUMS, "bleve", ExactKinds), p95(rep.CPUMS, "fts5", ExactKinds)
	fmt.Fprintf(s, "Exact-word queries (%d: %s): bleve p95 %.2f ms wall, FTS5 %.2f ms: ×%.2f (aim ≤ ×3); CPU %.2f / %.2f ms: ×%.2f.\n\n",
		n, strings.Join(ExactKinds, ", "), bw, fw, measure.Ratio(bw, fw), bc, fc, measure.Ratio(bc, fc))
}

func (r *run) metrics() {
	all := func(e string, p float64) float64 { return measure.Percentile(r.rep.WallMS[e], p) }
	r.b.ReportMetric(all("bleve", 95), "bleve-p95-ms")
	r.b.ReportMetric(all("bleve lang", 95), "bleve-lang-p95-ms")
	r.b.ReportMetric(all("fts5", 95), "fts5-p95-ms")
	r.b.ReportMetric(all("rg", 95), "rg-p95-ms")
	exact := func(e string) float64 { return measure.Percentile(r.rep.ByKinds(r.rep.WallMS, e, ExactKinds), 95) }
	r.b.ReportMetric(measure.Ratio(exact("bleve"), exact("fts5")), "exact-p95-x-fts5")
	if len(r.rep.Index) > 0 {
		r.b.ReportMetric(float64(r.rep.Cues)/r.rep.Index["bleve"].Seconds, "bleve-cues/s")
		r.b.ReportMetric(float64(r.rep.Cues)/r.rep.Index["fts5"].Seconds, "fts5-cues/s")
	}
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

//go:build unix

package subtitle

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asticode/go-astisub"
)

// The benchmarks compare our Parse (detection, decoding, pre-scan, astisub,
// text extraction, validation) with plain astisub on the same bytes, and
// with ffmpeg converting the same SRT to WebVTT. Results and ratios are in
// BENCHMARKS.md.

const benchCues = 100_000

var benchWords = strings.Fields("the council will advise participating states on combating trafficking in human beings and listen to survivors")

// benchFile generates a track of n cues, two lines each, with speakers.
func benchFile(f Format, n int) []byte {
	var b bytes.Buffer
	if f == FormatVTT {
		b.WriteString("WEBVTT\n\n")
	}
	sep := ","
	if f == FormatVTT {
		sep = "."
	}
	for k := range n {
		start := time.Duration(k) * 3 * time.Second
		line1 := strings.Join(benchWords[k%7:k%7+6], " ")
		line2 := strings.Join(benchWords[k%5:k%5+5], " ")
		speaker := fmt.Sprintf("Speaker %c", 'A'+k%4)
		fmt.Fprintf(&b, "%d\n%s --> %s\n", k+1, formatClock(start, sep), formatClock(start+2500*time.Millisecond, sep))
		if f == FormatVTT {
			fmt.Fprintf(&b, "<v %s>%s\n<i>%s</i></v>\n\n", speaker, line1, line2)
		} else {
			fmt.Fprintf(&b, "%s: %s\n<i>%s</i>\n\n", speaker, line1, line2)
		}
	}
	return b.Bytes()
}

type benchCase struct {
	name string
	data []byte
	ours func([]byte) (int, error)
	peer func([]byte) (int, error)
}

func benchCases() []benchCase {
	opts := Options{MaxBytes: 1 << 30}
	ours := func(hint string) func([]byte) (int, error) {
		return func(d []byte) (int, error) {
			cues, _, err := Parse(d, hint, opts)
			return len(cues), err
		}
	}
	peer := func(read func(*bytes.Reader) (*astisub.Subtitles, error)) func([]byte) (int, error) {
		return func(d []byte) (int, error) {
			s, err := read(bytes.NewReader(d))
			if err != nil {
				return 0, err
			}
			return len(s.Items), nil
		}
	}
	return []benchCase{
		{"srt", benchFile(FormatSRT, benchCues), ours("x.srt"),
			peer(func(r *bytes.Reader) (*astisub.Subtitles, error) { return astisub.ReadFromSRT(r) })},
		{"vtt", benchFile(FormatVTT, benchCues), ours("x.vtt"),
			peer(func(r *bytes.Reader) (*astisub.Subtitles, error) { return astisub.ReadFromWebVTT(r) })},
	}
}

// BenchmarkParse reports throughput of our Parse and of plain astisub.
func BenchmarkParse(b *testing.B) {
	for _, c := range benchCases() {
		for _, side := range []struct {
			name string
			read func([]byte) (int, error)
		}{{"verbatim", c.ours}, {"astisub", c.peer}} {
			b.Run(c.name+"/"+side.name, func(b *testing.B) {
				var n int
				cpu0 := cpuTime(syscall.RUSAGE_SELF)
				for b.Loop() {
					got, err := side.read(c.data)
					if err != nil || got != benchCues {
						b.Fatalf("read %d cues, error %v; want %d", got, err, benchCues)
					}
					n++
				}
				reportThroughput(b, n, len(c.data), cpuTime(syscall.RUSAGE_SELF)-cpu0)
			})
		}
	}
}

// BenchmarkParseRatio runs ours and astisub alternately in one loop — ours
// first on even iterations, astisub first on odd ones, so that neither
// always runs in the caches the other left — after one untimed warm-up run
// of each, and reports how many times more wall and CPU time ours takes.
// CPU time is the figure to trust on a busy machine.
func BenchmarkParseRatio(b *testing.B) {
	for _, c := range benchCases() {
		b.Run(c.name, func(b *testing.B) {
			var took [2]struct{ wall, cpu time.Duration } // 0: ours, 1: astisub
			run := []func([]byte) (int, error){c.ours, c.peer}
			for _, f := range run {
				if _, err := f(c.data); err != nil {
					b.Fatal(err)
				}
			}
			i := 0
			for b.Loop() {
				for j := range 2 {
					k := (i + j) % 2
					t0, c0 := time.Now(), cpuTime(syscall.RUSAGE_SELF)
					if _, err := run[k](c.data); err != nil {
						b.Fatal(err)
					}
					took[k].wall += time.Since(t0)
					took[k].cpu += cpuTime(syscall.RUSAGE_SELF) - c0
				}
				i++
			}
			ours, peer, oursCPU, peerCPU := took[0].wall, took[1].wall, took[0].cpu, took[1].cpu
			b.ReportMetric(float64(ours)/float64(peer), "wall-verbatim/astisub")
			b.ReportMetric(float64(oursCPU)/float64(peerCPU), "cpu-verbatim/astisub")
		})
	}
}

// cpuTime is the user+system CPU time of this process (RUSAGE_SELF) or of
// its finished children (RUSAGE_CHILDREN).
func cpuTime(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFFmpeg converts the same SRT to WebVTT with ffmpeg, process
// start included, when ffmpeg is installed.
func BenchmarkFFmpeg(b *testing.B) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		b.Skip("ffmpeg not installed")
	}
	dir := b.TempDir()
	data := benchFile(FormatSRT, benchCues)
	in := filepath.Join(dir, "in.srt")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(dir, "out.vtt")
	var n int
	cpu0 := cpuTime(syscall.RUSAGE_CHILDREN)
	for b.Loop() {
		cmd := exec.Command(ffmpeg, "-v", "error", "-y", "-i", in, out)
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("ffmpeg: %v: %s", err, msg)
		}
		n++
	}
	reportThroughput(b, n, len(data), cpuTime(syscall.RUSAGE_CHILDREN)-cpu0)
}

// reportThroughput reports cues/s and MB/s by wall time and by CPU time.
func reportThroughput(b *testing.B, n, size int, cpu time.Duration) {
	if secs := b.Elapsed().Seconds(); secs > 0 {
		b.ReportMetric(float64(n*benchCues)/secs, "cues/s")
		b.ReportMetric(float64(n*size)/secs/1e6, "MB/s")
	}
	if secs := cpu.Seconds(); secs > 0 {
		b.ReportMetric(float64(n*benchCues)/secs, "cues/cpu-s")
		b.ReportMetric(float64(n*size)/secs/1e6, "MB/cpu-s")
	}
}

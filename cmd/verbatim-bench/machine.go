package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// machine describes where and on what the run happened, for the results.
type machine struct {
	cpus    int
	model   string
	memory  string
	commit  string
	kernel  string
	start   time.Time
	loadBef string
	loadAft string
}

func describeMachine(repo string) machine {
	m := machine{cpus: runtime.NumCPU(), start: time.Now().UTC(), loadBef: loadavg()}
	m.model = procField("/proc/cpuinfo", "model name")
	if kb := procField("/proc/meminfo", "MemTotal"); kb != "" {
		m.memory = kb
	}
	if out, err := exec.Command("git", "-C", repo, "describe", "--always", "--dirty", "--abbrev=12").Output(); err == nil {
		m.commit = strings.TrimSpace(string(out))
	}
	if out, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = strings.TrimSpace(string(out))
	}
	return m
}

// procField returns the value of the first "key: value" line of a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func (m machine) write(w io.Writer, took time.Duration) error {
	_, err := fmt.Fprintf(w, "Run %s, took %s; commit %s; %s/%s, %s; %d CPUs (%s), memory %s, Linux %s; load average before %s, after %s.\n\n",
		m.start.Format("2006-01-02 15:04 MST"), took.Round(time.Second), m.commit, runtime.GOOS, runtime.GOARCH, runtime.Version(),
		m.cpus, m.model, m.memory, m.kernel, m.loadBef, m.loadAft)
	return err
}

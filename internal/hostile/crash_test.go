package hostile

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// crashLangs are the tracks of the recording deleted under a crash: many
// objects, so that deleting them takes a while after the manifest is gone.
var crashLangs = strings.Fields("en fr de es it pt nl sv da fi pl cs")

// TestCrashPendingIndexDelete is defect 5: a deleted recording stayed
// searchable after a crash, because a delete not yet applied to the index
// was remembered only in memory (and `check` said ok). Here the server is
// killed with SIGKILL the moment the recording's manifest disappears from
// storage, in the middle of the DELETE, before the index has been told;
// after a restart the recording's words must not be found.
func TestCrashPendingIndexDelete(t *testing.T) {
	t.Parallel() // waits on timeouts or indexing: overlaps with the others after the serial cases
	s := start(t)
	const word = "zanzibarquokka"
	s.createRecording("crashme", "published")
	for _, lang := range crashLangs {
		if rep := s.putTrack("crashme", lang, vtt("Ana: the "+word+" testimony in "+lang)); rep.status >= 300 {
			t.Fatalf("PUT track %s = %d %s", lang, rep.status, rep.body)
		}
	}
	if hits := s.hitsFor(word, "crashme"); hits == 0 {
		t.Fatalf("the recording's word %q is not found before the delete", word)
	}

	killed := s.killWhenGone(t, filepath.Join(s.data, "objects", "recordings", "crashme"), "manifest.json")
	rep, err := s.do(req{method: http.MethodDelete, path: "/api/v1/recordings/crashme", editor: true, timeout: 10 * time.Second})
	select {
	case <-killed:
	case <-time.After(10 * time.Second):
		t.Fatalf("the manifest was not deleted: DELETE = %+v, %v", rep, err)
	}
	t.Logf("SIGKILL at the manifest's deletion; the DELETE got %d, %v", rep.status, err)

	s.restart()
	// Repair may run in the background just after start: give it a moment.
	deadline := time.Now().Add(5 * time.Second)
	for s.hitsFor(word, "crashme") > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("after SIGKILL during DELETE and a restart, the deleted recording's words are still found")
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.must(req{path: "/api/v1/recordings/crashme", editor: true}, http.StatusNotFound)
	s.alive()
	s.checkPeak(96 * mib)
}

// hitsFor counts the search hits for q in recording id.
func (s *server) hitsFor(q, id string) int {
	s.t.Helper()
	rep := s.must(req{path: "/api/v1/search?q=" + q}, http.StatusOK)
	var res struct {
		Hits []struct {
			RecordingID string `json:"recording_id"`
		} `json:"hits"`
	}
	if err := json.Unmarshal(rep.body, &res); err != nil {
		s.t.Fatalf("search %q: %v: %s", q, err, rep.body)
	}
	n := 0
	for _, h := range res.Hits {
		if h.RecordingID == id {
			n++
		}
	}
	return n
}

// killWhenGone SIGKILLs the server as soon as name is deleted from (or
// renamed out of) dir, watched with inotify; the channel closes then.
func (s *server) killWhenGone(t *testing.T, dir, name string) <-chan struct{} {
	t.Helper()
	fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC | syscall.IN_NONBLOCK)
	if err != nil {
		t.Fatalf("inotify: %v", err)
	}
	if _, err := syscall.InotifyAddWatch(fd, dir, syscall.IN_DELETE|syscall.IN_MOVED_FROM); err != nil {
		syscall.Close(fd)
		t.Fatalf("inotify watch %s: %v", dir, err)
	}
	f := os.NewFile(uintptr(fd), "inotify")
	proc := s.cmd.Process
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer f.Close()
		f.SetReadDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 64<<10)
		for {
			n, err := f.Read(buf)
			if err != nil {
				return
			}
			for off := 0; off+syscall.SizeofInotifyEvent <= n; {
				ev := (*syscall.InotifyEvent)(unsafe.Pointer(&buf[off]))
				nameBytes := buf[off+syscall.SizeofInotifyEvent : off+syscall.SizeofInotifyEvent+int(ev.Len)]
				if string(bytes.TrimRight(nameBytes, "\x00")) == name {
					proc.Signal(syscall.SIGKILL)
					return
				}
				off += syscall.SizeofInotifyEvent + int(ev.Len)
			}
		}
	}()
	return done
}

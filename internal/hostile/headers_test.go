package hostile

import (
	"io"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHeadersAndModes is defect 10: JSON answers and track exports carried
// no X-Content-Type-Options: nosniff (the .srt export holds raw <script>
// from cue text), there was no HSTS behind a TLS-terminating proxy, storage
// files were 0644 (accounts included), and a client hanging up was logged
// as a 500 ERROR. Now every JSON answer and export says nosniff, HSTS is
// sent exactly when a trusted proxy says X-Forwarded-Proto: https, no
// stored file is world-readable, and a client that goes away is no ERROR.
func TestHeadersAndModes(t *testing.T) {
	s := start(t, "VERBATIM_TRUSTED_PROXIES=127.0.0.1/32")
	if rep := s.putTrack("istac-launch", "en", vtt("Ana: <script>alert(1)</script> said plainly", "Ana: second")); rep.status >= 300 {
		t.Fatalf("PUT track = %d %s", rep.status, rep.body)
	}
	for _, path := range []string{
		"/api/v1/recordings",
		"/api/v1/recordings/istac-launch",
		"/api/v1/recordings/nonexist",
		"/api/v1/search?q=protocol",
		"/api/v1/recordings/istac-launch/tracks/en",
		"/api/v1/recordings/istac-launch/tracks/en.srt",
		"/api/v1/recordings/istac-launch/tracks/en.vtt",
		"/api/v1/recordings/istac-launch/tracks/en.txt",
		"/api/v1/recordings/istac-launch/tracks/en.ttml",
		"/api/v1/recordings/istac-launch/tracks/en/source",
		"/healthz",
	} {
		rep, err := s.do(req{path: path})
		if err != nil {
			t.Fatal(err)
		}
		if got := rep.header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s (%d): X-Content-Type-Options %q; want nosniff", path, rep.status, got)
		}
		if got := rep.header.Get("Strict-Transport-Security"); got != "" {
			t.Errorf("GET %s over plain HTTP: Strict-Transport-Security %q; want none", path, got)
		}
	}
	rep := s.must(req{path: "/api/v1/recordings", header: []string{"X-Forwarded-Proto", "https"}}, http.StatusOK)
	if got := rep.header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
		t.Errorf("behind a trusted proxy over https: Strict-Transport-Security %q; want max-age=…", got)
	}
	rep = s.must(req{path: "/", header: []string{"X-Forwarded-Proto", "https"}}, http.StatusOK)
	if got := rep.header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
		t.Errorf("page behind a trusted proxy over https: Strict-Transport-Security %q; want max-age=…", got)
	}

	// A client that hangs up mid-upload or mid-stream is no server error.
	c, err := s.dialHead(http.MethodPut, "/api/v1/recordings/istac-launch/tracks/de", 1<<20, "Authorization", "Bearer "+s.token)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhalf a file")
	time.Sleep(100 * time.Millisecond)
	c.Close()
	c, err = s.dialHead(http.MethodGet, "/media/hrc47-side-event", 0)
	if err != nil {
		t.Fatal(err)
	}
	c.r.Peek(100)
	c.Close()
	time.Sleep(300 * time.Millisecond)
	s.alive()
	s.noErrorLogs()

	// No stored file is world-readable; accounts are the owner's only.
	err = filepath.WalkDir(filepath.Join(s.data, "objects"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".locks" {
				return fs.SkipDir // empty lock files, no content
			}
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(s.data, p)
		if fi.Mode().Perm()&0o007 != 0 {
			t.Errorf("%s is %v; want no access for others", rel, fi.Mode().Perm())
		}
		if strings.HasPrefix(rel, "objects/accounts/") && fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is %v; want 0600", rel, fi.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.checkPeak(64 * mib)

	// Without a trusted proxy, X-Forwarded-Proto is not believed.
	u := start(t)
	rep = u.must(req{path: "/api/v1/recordings", header: []string{"X-Forwarded-Proto", "https"}}, http.StatusOK)
	if got := rep.header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("X-Forwarded-Proto from an untrusted peer: Strict-Transport-Security %q; want none", got)
	}
}

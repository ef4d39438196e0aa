package main

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
	"github.com/verbatim-archive/verbatim/internal/testenv"
)

// editorOn creates an editor account on data and a published recording id
// through the running server, and returns the token.
func editorOn(t *testing.T, c *child, data, id string) string {
	t.Helper()
	out, err := c.run("user", "add", "ed", "--role", "editor", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(strings.SplitN(out, "\n", 2)[0])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	body := `{"id":"` + id + `","title":"Shutdown","status":"published"}`
	resp, msg, err := request(ctx, "POST", c.base+"/api/v1/recordings", token, strings.NewReader(body), int64(len(body)), "Content-Type", "application/json")
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create %s: %v %v %s", id, err, resp, msg)
	}
	return token
}

// TestSIGTERMLetsUploadFinish sends SIGTERM while a 3 MiB upload is
// trickling in at about 1.3 MB/s: the upload completes with 201 and the
// whole body, and the process then exits 0, within the grace period.
func TestSIGTERMLetsUploadFinish(t *testing.T) {
	data := t.TempDir()
	const grace = 10 * time.Second
	admin := freePort(t)
	c := serveChild(t, []string{"VERBATIM_SHUTDOWN_GRACE=" + grace.String(), "VERBATIM_METRICS_ADDR=" + admin}, "--data", data)
	token := editorOn(t, c, data, "drain")

	const size = 3 << 20
	body := &throttled{head: mediatest.Header(t, size), size: size, chunk: 64 << 10, after: 256 << 10, pace: 50 * time.Millisecond, sent: make(chan struct{})}
	type result struct {
		status int
		msg    []byte
		err    error
	}
	done := make(chan result, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		resp, msg, err := request(ctx, "PUT", c.base+"/api/v1/recordings/drain/media?name=drain.mp4", token, body, size, "Content-Type", "video/mp4")
		r := result{msg: msg, err: err}
		if resp != nil {
			r.status = resp.StatusCode
		}
		done <- r
	}()
	<-body.sent
	c.sigterm()
	term := time.Now()
	// The public listener is closed now; the admin listener stays up while
	// the upload drains and says the instance is not ready.
	readyz := 0
	for deadline := time.Now().Add(5 * time.Second); readyz != http.StatusServiceUnavailable && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get("http://" + admin + "/readyz"); err == nil {
			resp.Body.Close()
			readyz = resp.StatusCode
		}
	}
	if readyz != http.StatusServiceUnavailable {
		t.Errorf("/readyz on the metrics listener while draining = %d; want 503", readyz)
	}

	r := <-done
	if r.err != nil || r.status != http.StatusCreated {
		t.Fatalf("upload in flight at SIGTERM = %d %s, %v; want 201", r.status, r.msg, r.err)
	}
	var m struct{ Size int64 }
	json.Unmarshal(r.msg, &m)
	if m.Size != size {
		t.Errorf("stored %d bytes; want %d", m.Size, size)
	}
	code, err := c.wait(grace + 5*time.Second)
	took := time.Since(term)
	if err != nil || code != 0 {
		t.Fatalf("after SIGTERM: exit %d, %v; want 0", code, err)
	}
	if took > grace {
		t.Errorf("exit %s after SIGTERM; want within the grace of %s", took, grace)
	}
	if !strings.Contains(c.log.String(), "every request finished") {
		t.Errorf("log does not say the drain finished:\n%s", c.log)
	}
	t.Logf("/readyz while draining: %d; upload of %d bytes answered 201 after SIGTERM; process exited 0 %s after SIGTERM (grace %s)", readyz, size, took.Round(time.Millisecond), grace)
}

// TestSIGTERMCutsUploadPastGrace: an upload that stalls beyond the grace
// period is cut, the process exits 0 soon after the grace, and storage
// holds neither the media nor anything half-written (`verbatim check`
// finds no orphan, no temporary file remains, the recording has no media).
func TestSIGTERMCutsUploadPastGrace(t *testing.T) {
	data := t.TempDir()
	const grace = time.Second
	c := serveChild(t, []string{"VERBATIM_SHUTDOWN_GRACE=" + grace.String()}, "--data", data)
	token := editorOn(t, c, data, "cut")

	stop := make(chan struct{})
	defer close(stop)
	const size = 64 << 20
	body := &throttled{size: size, chunk: 256 << 10, after: 4 << 20, stall: 4 << 20, pace: time.Millisecond, sent: make(chan struct{}), stop: stop}
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		resp, msg, err := request(ctx, "PUT", c.base+"/api/v1/recordings/cut/media", token, body, size, "Content-Type", "video/mp4")
		if err == nil {
			t.Errorf("upload cut at shutdown answered %s %s; want a broken connection", resp.Status, msg)
		}
		done <- err
	}()
	<-body.sent
	time.Sleep(100 * time.Millisecond) // the server writes what it has read
	c.sigterm()
	term := time.Now()
	code, err := c.wait(grace + 10*time.Second)
	took := time.Since(term)
	if err != nil || code != 0 {
		t.Fatalf("after SIGTERM: exit %d, %v; want 0", code, err)
	}
	if took > grace+5*time.Second {
		t.Errorf("exit %s after SIGTERM; want within the grace (%s) and the cleanup bound (5s)", took, grace)
	}
	log := c.log.String()
	for _, want := range []string{"grace period over", "request cut at shutdown"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "level=ERROR") {
		t.Errorf("a cut request was logged as an error:\n%s", log)
	}

	out, err := c.run("check", "--data", data)
	if err != nil || !strings.Contains(out, "orphans: 0 ") || !strings.Contains(out, "ok:") {
		t.Errorf("verbatim check after the cut: %v\n%s", err, out)
	}
	var leftovers []string
	filepath.WalkDir(filepath.Join(data, "objects"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.Contains(d.Name(), "tmp") || strings.Contains(p, "/media/")) {
			leftovers = append(leftovers, p)
		}
		return nil
	})
	if len(leftovers) > 0 {
		t.Errorf("the cut upload left files behind: %v", leftovers)
	}
	c2 := serveChild(t, nil, "--data", data)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, msg, err := request(ctx, "GET", c2.base+"/api/v1/recordings/cut", token, nil, 0)
	if err != nil || resp.StatusCode != 200 || strings.Contains(string(msg), `"media":{`) {
		t.Errorf("recording after the cut upload: %v %s; want it without media", err, msg)
	}
	t.Logf("upload stalled past a %s grace: process exited 0 %s after SIGTERM; check: %q", grace, took.Round(time.Millisecond), strings.TrimSpace(out))
}

// TestSIGTERMCutsUploadPastGraceOnS3: the same cut on S3 (versitygw), where
// the upload is a multipart upload: after the process exits 0 there is no
// media object, no multipart upload left open in the bucket, and `verbatim
// check` finds the store consistent.
func TestSIGTERMCutsUploadPastGraceOnS3(t *testing.T) {
	gw := testenv.StartVersityGW(t)
	env := []string{"VERBATIM_S3_ENDPOINT=" + gw.Endpoint, "VERBATIM_S3_BUCKET=" + gw.Bucket, "VERBATIM_S3_REGION=" + gw.Region,
		"VERBATIM_S3_ACCESS_KEY=" + gw.AccessKey, "VERBATIM_S3_SECRET_KEY=" + gw.SecretKey, "VERBATIM_S3_PART_SIZE=5MiB",
		"VERBATIM_SHUTDOWN_GRACE=1s"}
	data := t.TempDir()
	c := serveChild(t, env, "--data", data)
	token := editorOn(t, c, data, "cut")
	client, err := gw.Client()
	if err != nil {
		t.Fatal(err)
	}

	stop := make(chan struct{})
	defer close(stop)
	const size = 64 << 20
	// 12 MiB and stall: two 5 MiB parts are uploaded, a third is open.
	body := &throttled{size: size, chunk: 256 << 10, after: 12 << 20, stall: 12 << 20, pace: time.Millisecond, sent: make(chan struct{}), stop: stop}
	go request(context.Background(), "PUT", c.base+"/api/v1/recordings/cut/media", token, body, size, "Content-Type", "video/mp4")
	<-body.sent
	open := 0
	for deadline := time.Now().Add(10 * time.Second); open == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for range client.ListIncompleteUploads(context.Background(), gw.Bucket, "", true) {
			open++
		}
	}
	if open == 0 {
		t.Fatal("no multipart upload in progress before SIGTERM")
	}
	c.sigterm()
	term := time.Now()
	if code, err := c.wait(15 * time.Second); err != nil || code != 0 {
		t.Fatalf("after SIGTERM: exit %d, %v; want 0", code, err)
	}
	took := time.Since(term)
	left := 0
	for u := range client.ListIncompleteUploads(context.Background(), gw.Bucket, "", true) {
		left++
		t.Errorf("multipart upload left open after the cut: %s (%v)", u.Key, u.Err)
	}
	var media []string
	for o := range client.ListObjects(context.Background(), gw.Bucket, minio.ListObjectsOptions{Prefix: "recordings/cut/media/", Recursive: true}) {
		media = append(media, o.Key)
	}
	if len(media) > 0 {
		t.Errorf("media objects after the cut upload: %v", media)
	}
	out, err := c.run("check", "--data", data)
	if err != nil || !strings.Contains(out, "ok:") {
		t.Errorf("verbatim check after the cut: %v\n%s", err, out)
	}
	t.Logf("S3: %d multipart upload(s) open at SIGTERM, %d after; exit 0 %s after SIGTERM (grace 1s); check: %q", open, left, took.Round(time.Millisecond), strings.TrimSpace(out))
}

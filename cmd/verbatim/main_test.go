package main

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/verbatim-archive/verbatim/internal/testenv"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/disk"
)

func testIO(env map[string]string) (Stdio, *testenv.SyncBuffer, *testenv.SyncBuffer) {
	out, errOut := &testenv.SyncBuffer{}, &testenv.SyncBuffer{}
	return Stdio{
		Stdin: strings.NewReader(""), Stdout: out, Stderr: errOut,
		Getenv: func(k string) string { return env[k] },
	}, out, errOut
}

// start runs the real program with args until the test ends and returns
// the URL it listens on.
func start(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	io, _, errOut := testIO(nil)
	urls := make(chan string, 1)
	io.Listening = func(u string) { urls <- u }
	done := make(chan error, 1)
	go func() { done <- Run(ctx, args, io) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run(%v) returned %v after shutdown", args, err)
		}
	})
	select {
	case u := <-urls:
		return strings.TrimSuffix(u, "/")
	case err := <-done:
		t.Fatalf("Run(%v) = %v before listening\n%s", args, err, errOut)
	case <-time.After(60 * time.Second):
		t.Fatalf("Run(%v) did not listen within a minute\n%s", args, errOut)
	}
	return ""
}

func get(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func TestDemoServesBothSamples(t *testing.T) {
	base := start(t, "demo", "--addr", "127.0.0.1:0", "--data", t.TempDir())
	resp, body := get(t, base+"/api/v1/recordings")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/v1/recordings = %d\n%s", resp.StatusCode, body)
	}
	var list struct {
		Recordings []struct {
			ID        string
			Languages []string
		}
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int{}
	for _, r := range list.Recordings {
		ids[r.ID] = len(r.Languages)
	}
	if len(ids) != 2 || ids["hrc47-side-event"] < 4 || ids["istac-launch"] < 3 {
		t.Errorf("demo recordings = %v; want hrc47-side-event (4 languages) and istac-launch (3+)", ids)
	}
	file, err := os.ReadFile("../../subtitles/media/istac-launch.webm")
	if err != nil {
		t.Fatal(err)
	}
	resp, body = get(t, base+"/media/istac-launch", "Range", "bytes=1000-1999")
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, file[1000:2000]) {
		t.Errorf("ranged media = %d, %d bytes; want 206 and bytes 1000-1999 of the file", resp.StatusCode, len(body))
	}
	resp, _ = get(t, base+"/media/istac-launch", "Range", "bytes=999999999-")
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("unsatisfiable range = %d; want 416", resp.StatusCode)
	}
	resp, body = get(t, base+"/api/v1/search?q=milestone")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"recording_id":"istac-launch"`) {
		t.Errorf("search milestone = %d %s; want a hit in istac-launch", resp.StatusCode, body)
	}
}

func TestUserAddWhileServing(t *testing.T) {
	data := t.TempDir()
	base := start(t, "serve", "--addr", "127.0.0.1:0", "--data", data)

	io, out, errOut := testIO(nil)
	if code := Main(context.Background(), []string{"user", "add", "maria", "--role", "editor", "--data", data}, io); code != 0 {
		t.Fatalf("user add exit %d\n%s", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "vbt_") {
		t.Fatalf("user add stdout = %q; want exactly one token line", out.String())
	}
	token := lines[0]

	post := func(tok string) int {
		req, _ := http.NewRequest("POST", base+"/api/v1/recordings", strings.NewReader(`{"id":"x","title":"X"}`))
		req.Header.Set("Content-Type", "application/json")
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(""); code != http.StatusUnauthorized {
		t.Errorf("create without token = %d; want 401", code)
	}
	if code := post(token); code != http.StatusCreated {
		t.Errorf("create with the new token = %d; want 201", code)
	}
	io, _, _ = testIO(nil)
	if code := Main(context.Background(), []string{"user", "add", "maria", "--role", "editor", "--data", data}, io); code == 0 {
		t.Errorf("adding maria twice succeeded")
	}

	io, out, errOut = testIO(nil)
	io.Stdin = strings.NewReader("correct horse battery\n")
	if code := Main(context.Background(), []string{"user", "add", "--data", data, "ana", "--role=admin", "--password-stdin"}, io); code != 0 {
		t.Fatalf("user add --password-stdin exit %d\n%s", code, errOut)
	}
	store, err := disk.Open(filepath.Join(data, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc, err := archive.NewService(archive.Options{Blobs: store})
	if err != nil {
		t.Fatal(err)
	}
	if who, err := svc.CheckPassword(context.Background(), "ana", []byte("correct horse battery")); err != nil || who.Role != archive.RoleAdmin {
		t.Errorf("CheckPassword(ana) = %+v, %v; want admin", who, err)
	}
}

func TestImportAndReindex(t *testing.T) {
	data := t.TempDir()
	for i, args := range [][]string{
		{"import", "--data", data, "../../subtitles"},
		{"import", "--data", data, "../../subtitles"},
		{"reindex", "--data", data},
	} {
		io, _, errOut := testIO(nil)
		if code := Main(context.Background(), args, io); code != 0 {
			t.Fatalf("%v exit %d\n%s", args, code, errOut)
		}
		switch i {
		case 1:
			if s := errOut.String(); strings.Contains(s, "stored") || !strings.Contains(s, "unchanged") {
				t.Errorf("second import wrote something:\n%s", s)
			}
		case 2:
			if s := errOut.String(); !strings.Contains(s, "2/2 recordings") {
				t.Errorf("reindex progress missing:\n%s", s)
			}
		}
	}
	base := start(t, "serve", "--addr", "127.0.0.1:0", "--data", data)
	if resp, body := get(t, base+"/api/v1/search?q=Palermo&lang=de"); resp.StatusCode != 200 || !strings.Contains(string(body), `"lang":"de"`) {
		t.Errorf("search after reindex = %d %s; want German hits", resp.StatusCode, body)
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "Commands:"},
		{[]string{"help"}, 0, "Commands:"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"serve", "-h"}, 0, "Usage: verbatim serve"},
		{[]string{"demo", "-h"}, 0, "temporary directory"},
		{[]string{"import", "-h"}, 0, "manifest.json"},
		{[]string{"import"}, 2, "exactly one DIR"},
		{[]string{"reindex", "-h"}, 0, "from storage alone"},
		{[]string{"user", "add", "-h"}, 0, "--password-stdin"},
		{[]string{"user", "add", "x"}, 2, "--role"},
		{[]string{"user"}, 2, "user add NAME"},
		{[]string{"version", "-h"}, 0, "Usage: verbatim version"},
		{[]string{"serve", "--bogus"}, 2, "bogus"},
	}
	for _, tt := range tests {
		io, _, errOut := testIO(nil)
		code := Main(context.Background(), tt.args, io)
		if code != tt.code || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("verbatim %v: exit %d, stderr %q; want exit %d and %q", tt.args, code, errOut, tt.code, tt.want)
		}
	}
	io, out, _ := testIO(nil)
	if code := Main(context.Background(), []string{"version"}, io); code != 0 || !strings.HasPrefix(out.String(), "verbatim ") {
		t.Errorf("version: exit %d, stdout %q", code, out)
	}
}

func TestBadConfigExplains(t *testing.T) {
	io, _, errOut := testIO(map[string]string{"VERBATIM_S3_ENDPOINT": "127.0.0.1:1"})
	if code := Main(context.Background(), []string{"serve", "--data", t.TempDir()}, io); code != 1 || !strings.Contains(errOut.String(), "VERBATIM_S3_BUCKET is empty") {
		t.Errorf("serve with endpoint and no bucket: exit %d, %q", code, errOut)
	}
}

// TestUserCommandsWhileServing: list, passwd, token and remove work on the
// data of a running server, and the server sees each change at once.
func TestUserCommandsWhileServing(t *testing.T) {
	data := t.TempDir()
	base := start(t, "serve", "--addr", "127.0.0.1:0", "--data", data)
	run := func(stdin string, args ...string) string {
		t.Helper()
		io, out, errOut := testIO(nil)
		io.Stdin = strings.NewReader(stdin)
		if code := Main(context.Background(), append(args, "--data", data), io); code != 0 {
			t.Fatalf("verbatim %v: exit %d\n%s", args, code, errOut)
		}
		return out.String()
	}
	status := func(tok string) int {
		req, _ := http.NewRequest("GET", base+"/api/v1/recordings/nothing/tracks/en/source", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	first := strings.TrimSpace(run("", "user", "add", "maria", "--role", "editor"))
	run("", "user", "add", "ana", "--role", "admin")
	if got := run("", "user", "list"); !strings.Contains(got, "maria") || !strings.Contains(got, "editor") || !strings.Contains(got, "ana") {
		t.Errorf("user list = %q; want maria (editor) and ana", got)
	}
	if strings.Contains(run("", "user", "list"), "vbt_") {
		t.Errorf("user list shows a token")
	}
	second := strings.TrimSpace(run("", "user", "token", "maria"))
	if !strings.HasPrefix(second, "vbt_") || second == first {
		t.Fatalf("user token = %q; want a new token", second)
	}
	if a, b := status(first), status(second); a != http.StatusNotFound || b != http.StatusNotFound {
		t.Errorf("both tokens: %d, %d; want 404 (authenticated, no such recording)", a, b)
	}
	third := strings.TrimSpace(run("", "user", "token", "--revoke", "maria"))
	if a, c := status(first), status(third); a != http.StatusUnauthorized || c != http.StatusNotFound {
		t.Errorf("after token --revoke: old %d, new %d; want 401, 404", a, c)
	}
	run("a new password here\n", "user", "passwd", "maria")
	if got := run("", "user", "list"); !strings.Contains(got, "yes") {
		t.Errorf("after passwd, user list = %q; want a password shown as set", got)
	}
	run("", "user", "remove", "maria")
	if c := status(third); c != http.StatusUnauthorized {
		t.Errorf("token of a removed account = %d; want 401", c)
	}
	io, _, errOut := testIO(nil)
	io.Stdin = strings.NewReader("short\n")
	if code := Main(context.Background(), []string{"user", "passwd", "ana", "--data", data}, io); code == 0 || !strings.Contains(errOut.String(), "10 to 72") {
		t.Errorf("passwd with a 5-byte password: exit %d, %q; want refusal naming the length", code, errOut)
	}
}

package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/media/mediatest"
	"github.com/verbatim-archive/verbatim/internal/testenv"
)

// TestTwoServersOnOneBucket runs two `verbatim serve` processes on one S3
// bucket (versitygw), each with a data directory of its own, as two
// replicas behind a load balancer: what is written through one is served
// by the other (manifest, track — also after it is replaced while the
// other has it cached —, media, the token of an account made through
// storage), and a conditional write made with an ETag read from
// one instance is refused by the other once the manifest moved on.
func TestTwoServersOnOneBucket(t *testing.T) {
	gw := testenv.StartVersityGW(t)
	env := []string{"VERBATIM_S3_ENDPOINT=" + gw.Endpoint, "VERBATIM_S3_BUCKET=" + gw.Bucket, "VERBATIM_S3_REGION=" + gw.Region,
		"VERBATIM_S3_ACCESS_KEY=" + gw.AccessKey, "VERBATIM_S3_SECRET_KEY=" + gw.SecretKey}
	a := serveChild(t, env, "--data", t.TempDir())
	b := serveChild(t, env, "--data", t.TempDir())
	out, err := a.run("user", "add", "ed", "--role", "editor")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(strings.SplitN(out, "\n", 2)[0])
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	must := func(c *child, method, path string, body []byte, want int, hdr ...string) (*http.Response, []byte) {
		t.Helper()
		resp, msg, err := request(ctx, method, c.base+path, token, bytes.NewReader(body), int64(len(body)), hdr...)
		if err != nil || resp.StatusCode != want {
			t.Fatalf("%s %s on %s: %v %v %s; want %d", method, path, c.base, err, resp, msg, want)
		}
		return resp, msg
	}
	must(a, "POST", "/api/v1/recordings", []byte(`{"id":"shared","title":"Shared","status":"published"}`), http.StatusCreated, "Content-Type", "application/json")
	must(a, "PUT", "/api/v1/recordings/shared/tracks/en", []byte("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nwritten through the first instance\n"), http.StatusCreated)
	media := mediatest.Sized(t, 256<<10)
	must(a, "PUT", "/api/v1/recordings/shared/media?name=m.webm", media, http.StatusCreated, "Content-Type", "video/webm")

	if _, body := must(b, "GET", "/api/v1/recordings/shared/tracks/en", nil, http.StatusOK); !strings.Contains(string(body), "written through the first instance") {
		t.Errorf("track read through the second instance: %s", body)
	}
	// B has the track's cues cached now; a new upload through A is what B
	// serves next (caches are keyed by object keys that are never reused).
	must(a, "PUT", "/api/v1/recordings/shared/tracks/en", []byte("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nreplaced through the first instance\n"), http.StatusOK)
	if _, body := must(b, "GET", "/api/v1/recordings/shared/tracks/en", nil, http.StatusOK); !strings.Contains(string(body), "replaced through the first instance") {
		t.Errorf("after a re-upload through the first instance the second serves: %s", body)
	}
	if _, body := must(b, "GET", "/media/shared", nil, http.StatusOK); !bytes.Equal(body, media) {
		t.Errorf("media through the second instance: %d bytes; want the %d uploaded through the first", len(body), len(media))
	}
	if _, body := must(b, "GET", "/watch/shared", nil, http.StatusOK); !strings.Contains(string(body), "Shared") {
		t.Errorf("watch page on the second instance lacks the title")
	}
	resp, _ := must(a, "GET", "/api/v1/recordings/shared", nil, http.StatusOK)
	etag := resp.Header.Get("ETag")
	must(b, "PATCH", "/api/v1/recordings/shared", []byte(`{"title":"Renamed on B"}`), http.StatusOK, "Content-Type", "application/json", "If-Match", etag)
	must(a, "PATCH", "/api/v1/recordings/shared", []byte(`{"title":"Stale on A"}`), http.StatusPreconditionFailed, "Content-Type", "application/json", "If-Match", etag)
	if _, body := must(a, "GET", "/api/v1/recordings/shared", nil, http.StatusOK); !strings.Contains(string(body), "Renamed on B") {
		t.Errorf("the first instance does not serve the second's write: %s", body)
	}
}

// TestSecondProcessOnEmbeddedIndexRefused: a second `verbatim serve` on
// the data directory of a running one exits 1 with a message that names
// the fix (Meilisearch for several instances); `reindex` says what to do.
func TestSecondProcessOnEmbeddedIndexRefused(t *testing.T) {
	data := t.TempDir()
	first := serveChild(t, nil, "--data", data)
	out, err := first.run("serve", "--data", data, "--addr", freePort(t))
	if err == nil || !strings.Contains(out, "held by another verbatim process") || !strings.Contains(out, "Meilisearch (VERBATIM_MEILI_URL)") {
		t.Errorf("second serve on the same embedded index: %v\n%s\nwant a refusal naming Meilisearch", err, out)
	}
	out, err = first.run("reindex", "--data", data)
	if err == nil || !strings.Contains(out, "Stop the server") {
		t.Errorf("reindex while serving: %v\n%s\nwant what to do", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if resp, _, err := request(ctx, "GET", first.base+"/readyz", "", nil, 0); err != nil || resp.StatusCode != 200 {
		t.Errorf("the first server after the refused second: %v %v; want ready", resp, err)
	}
	t.Logf("refusal: %s", strings.TrimSpace(out))
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/minio/minio-go/v7"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/testenv"
)

// catalogFresh is the freshness bound the two servers run with; README
// ("Running several instances") states the bound as CatalogFresh plus one
// background refresh.
const catalogFresh = 300 * time.Millisecond

// TestListingAcrossServersOnOneBucket: a recording created, published,
// renamed, unpublished and deleted through one server is listed correctly
// by the other within the freshness bound; `verbatim reindex` rebuilds
// exactly the catalog the writes kept, and a server started after it lists
// the same from the snapshot it wrote.
func TestListingAcrossServersOnOneBucket(t *testing.T) {
	gw := testenv.StartVersityGW(t)
	env := []string{"VERBATIM_S3_ENDPOINT=" + gw.Endpoint, "VERBATIM_S3_BUCKET=" + gw.Bucket, "VERBATIM_S3_REGION=" + gw.Region,
		"VERBATIM_S3_ACCESS_KEY=" + gw.AccessKey, "VERBATIM_S3_SECRET_KEY=" + gw.SecretKey, "VERBATIM_CATALOG_FRESH=" + catalogFresh.String()}
	a := serveChild(t, env, "--data", t.TempDir())
	b := serveChild(t, env, "--data", t.TempDir())
	out, err := a.run("user", "add", "ed", "--role", "editor")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(strings.SplitN(out, "\n", 2)[0])
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	must := func(c *child, method, path, tok string, body []byte, want int, hdr ...string) (*http.Response, []byte) {
		t.Helper()
		resp, msg, err := request(ctx, method, c.base+path, tok, bytes.NewReader(body), int64(len(body)), hdr...)
		if err != nil || resp.StatusCode != want {
			t.Fatalf("%s %s on %s: %v %v %s; want %d", method, path, c.base, err, resp, msg, want)
		}
		return resp, msg
	}
	var listedOn func(*child, string)
	// listedOnB waits for B's viewer listing to say want ("" = nothing),
	// failing past the bound.
	listedOnB := func(want string) {
		t.Helper()
		listedOn(b, want)
	}
	listedOn = func(b *child, want string) {
		t.Helper()
		start := time.Now()
		bound := catalogFresh + 2*time.Second // one request, on a loaded machine
		for {
			_, body := must(b, "GET", "/api/v1/recordings?per_page=10", "", nil, http.StatusOK)
			var p archive.CatalogPage
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range p.Recordings {
				got = append(got, r.ID+":"+r.Title)
			}
			if strings.Join(got, ",") == want && p.Total == len(got) {
				t.Logf("listed %q on %s after %v", want, b.base, time.Since(start).Round(time.Millisecond))
				return
			}
			if time.Since(start) > bound {
				t.Fatalf("%s lists %q (total %d) after %v; want %q", b.base, got, p.Total, bound, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	json := []string{"Content-Type", "application/json"}
	listedOnB("")
	must(a, "POST", "/api/v1/recordings", token, []byte(`{"id":"old","title":"Old","date":"2020-01-01","status":"published"}`), http.StatusCreated, json...)
	must(a, "POST", "/api/v1/recordings", token, []byte(`{"id":"x","title":"Draft","date":"2025-01-01"}`), http.StatusCreated, json...)
	listedOnB("old:Old")
	patch := func(body string) {
		resp, _ := must(a, "GET", "/api/v1/recordings/x", token, nil, http.StatusOK)
		must(a, "PATCH", "/api/v1/recordings/x", token, []byte(body), http.StatusOK, append(json, "If-Match", resp.Header.Get("ETag"))...)
	}
	patch(`{"status":"published"}`)
	listedOnB("x:Draft,old:Old")
	patch(`{"title":"Renamed"}`)
	listedOnB("x:Renamed,old:Old")

	incremental := bucketCatalog(t, gw)
	// Lose one entry (a crash after its manifest) and leave a stray one (a
	// crash after a manifest's removal): reindex must put both right.
	mc, err := gw.Client()
	if err != nil {
		t.Fatal(err)
	}
	if err := mc.RemoveObject(ctx, gw.Bucket, archive.CatalogPrefix+"x.json", minio.RemoveObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := mc.PutObject(ctx, gw.Bucket, archive.CatalogPrefix+"gone.json", strings.NewReader("{}"), 2, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.run("reindex", "--data", t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(incremental, bucketCatalog(t, gw)); diff != "" {
		t.Errorf("catalog after reindex differs from the incremental one (-incremental +rebuilt):\n%s", diff)
	}
	if len(incremental) != 2 {
		t.Errorf("catalog holds %d entries; want 2", len(incremental))
	}

	snaps := 0
	for obj := range mc.ListObjects(ctx, gw.Bucket, minio.ListObjectsOptions{Prefix: archive.CatalogSnapshotPrefix, Recursive: true}) {
		if obj.Err != nil {
			t.Fatal(obj.Err)
		}
		snaps++
	}
	if snaps == 0 {
		t.Error("reindex wrote no catalog snapshot")
	}
	// A server started now loads the snapshot reindex wrote, then the
	// changes after it.
	c := serveChild(t, env, "--data", t.TempDir())
	listedOn(c, "x:Renamed,old:Old")

	patch(`{"status":"draft"}`)
	listedOnB("old:Old")
	patch(`{"status":"published"}`)
	listedOnB("x:Renamed,old:Old")
	must(a, "DELETE", "/api/v1/recordings/x", token, nil, http.StatusNoContent)
	listedOnB("old:Old")
	listedOn(c, "old:Old")
}

// bucketCatalog reads every catalog entry object in the bucket.
func bucketCatalog(t *testing.T, gw *testenv.S3Server) map[string]string {
	t.Helper()
	mc, err := gw.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	out := map[string]string{}
	for obj := range mc.ListObjects(ctx, gw.Bucket, minio.ListObjectsOptions{Prefix: archive.CatalogPrefix, Recursive: true}) {
		if obj.Err != nil {
			t.Fatal(obj.Err)
		}
		o, err := mc.GetObject(ctx, gw.Bucket, obj.Key, minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(o)
		o.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[obj.Key] = string(data)
	}
	return out
}

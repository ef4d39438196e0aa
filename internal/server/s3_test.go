package server_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/bleveindex"
	"github.com/verbatim-archive/verbatim/internal/s3"
	"github.com/verbatim-archive/verbatim/internal/server"
	"github.com/verbatim-archive/verbatim/internal/testenv"
)

// versityStore is a store on a fresh bucket of a real S3 server
// (versitygw on loopback).
func versityStore(tb testing.TB) *s3.Store {
	tb.Helper()
	gw := testenv.StartVersityGW(tb)
	store, err := s3.Open(context.Background(), s3.Config{Endpoint: gw.Endpoint, Bucket: gw.Bucket, Region: gw.Region, AccessKey: gw.AccessKey, SecretKey: gw.SecretKey})
	if err != nil {
		tb.Fatal(err)
	}
	return store
}

// TestOnS3 runs the API against a real S3 server (versitygw on loopback):
// ranged media streamed from S3, the presigned redirect, and lost-update
// protection through S3 conditional writes.
func TestOnS3(t *testing.T) {
	ctx := context.Background()
	store := versityStore(t)
	idx, err := bleveindex.OpenMem()
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	svc, err := archive.NewService(archive.Options{Blobs: store, Index: idx})
	if err != nil {
		t.Fatal(err)
	}
	token, err := svc.AddAccount(ctx, "editor", archive.RoleEditor, nil)
	if err != nil {
		t.Fatal(err)
	}
	newTS := func(presign time.Duration) *testServer {
		srv, err := server.New(server.Options{Service: svc, PresignTTL: presign})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv)
		t.Cleanup(hs.Close)
		return &testServer{Server: hs, svc: svc, token: token}
	}
	ts := newTS(0)
	ts.published(t, "r")
	data := sample(t, 6<<20)
	uploadMedia(t, ts, "r", data)

	resp := ts.do(t, "GET", "/media/r", "", nil, "Range", "bytes=1000-1999")
	wantStatus(t, resp, http.StatusPartialContent)
	if got := readAll(t, resp); !bytes.Equal(got, data[1000:2000]) || resp.Header.Get("Content-Range") != "bytes 1000-1999/6291456" {
		t.Errorf("range from S3: %d bytes, Content-Range %q; want bytes 1000-1999 of 6291456", len(got), resp.Header.Get("Content-Range"))
	}
	wantStatus(t, ts.do(t, "GET", "/media/r", "", nil, "Range", "bytes=7000000-"), http.StatusRequestedRangeNotSatisfiable)

	presigning := newTS(5 * time.Minute)
	resp = presigning.do(t, "GET", "/media/r", "", nil)
	wantStatus(t, resp, http.StatusFound)
	loc := resp.Header.Get("Location")
	req, _ := http.NewRequest("GET", loc, nil)
	req.Header.Set("Range", "bytes=1000-1999")
	direct, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Body.Close()
	if got := readAll(t, direct); direct.StatusCode != http.StatusPartialContent || !bytes.Equal(got, data[1000:2000]) {
		t.Errorf("presigned URL with range: %d, %d bytes; want 206 and bytes 1000-1999", direct.StatusCode, len(got))
	}

	etag := ts.do(t, "GET", "/api/v1/recordings/r", "", nil).Header.Get("ETag")
	wantStatus(t, ts.do(t, "PATCH", "/api/v1/recordings/r", token, map[string]string{"title": "First"}, "If-Match", etag), http.StatusOK)
	wantStatus(t, ts.do(t, "PATCH", "/api/v1/recordings/r", token, map[string]string{"title": "Second"}, "If-Match", etag), http.StatusPreconditionFailed)
	if rec := decode[archive.Recording](t, ts.do(t, "GET", "/api/v1/recordings/r", "", nil)); rec.Title != "First" {
		t.Errorf("title on S3 after two PATCHes = %q; want First", rec.Title)
	}
}

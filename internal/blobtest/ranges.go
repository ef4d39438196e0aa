package blobtest

import (
	"bytes"
	"errors"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

func testRanges(t *testing.T, b archive.Blobs) {
	const key = "recordings/r1/media/talk.mp4"
	data := make([]byte, 100)
	for i := range data {
		data[i] = byte('a' + i%26)
	}
	put(t, b, key, data, archive.PutOptions{ContentType: "video/mp4"})
	tests := []struct {
		offset, length int64
		want           []byte
	}{
		{0, -1, data},
		{0, 100, data},
		{0, 1, data[:1]},
		{10, 20, data[10:30]},
		{90, -1, data[90:]},
		{99, 1, data[99:]},
		{99, -1, data[99:]},
		{95, 10, data[95:]},    // length clipped at the end
		{0, 1000, data},        // likewise
		{1, 1 << 40, data[1:]}, // a length far past any real size
		{10, 0, nil},
	}
	for _, tt := range tests {
		got, info := get(t, b, key, tt.offset, tt.length)
		if !bytes.Equal(got, tt.want) {
			t.Errorf("Get(%q, %d, %d) = %q; want %q", key, tt.offset, tt.length, got, tt.want)
		}
		if info.Size != int64(len(data)) || info.ContentType != "video/mp4" {
			t.Errorf("Get(%q, %d, %d) info = %+v; want the whole object's size 100 and type",
				key, tt.offset, tt.length, info)
		}
	}
	for _, r := range [][2]int64{{100, -1}, {100, 1}, {150, 5}, {1 << 40, -1}, {100, 0}} {
		rc, _, err := b.Get(t.Context(), key, r[0], r[1])
		if err == nil {
			rc.Close()
		}
		if !errors.Is(err, archive.ErrRangeNotSatisfy) {
			t.Errorf("Get(%q, %d, %d) = %v; want ErrRangeNotSatisfy", key, r[0], r[1], err)
		}
	}
	rc, _, err := b.Get(t.Context(), key, -1, 5)
	if err == nil {
		rc.Close()
	}
	if !errors.Is(err, archive.ErrInvalid) {
		t.Errorf("Get(%q, -1, 5) = %v; want ErrInvalid", key, err)
	}

	// A range on an empty object starts at its end: unsatisfiable, while
	// reading the whole (empty) object is fine.
	put(t, b, "empty", nil, archive.PutOptions{})
	if got, _ := get(t, b, "empty", 0, -1); len(got) != 0 {
		t.Errorf("Get(empty, 0, -1) = %q; want nothing", got)
	}
	rc, _, err = b.Get(t.Context(), "empty", 0, 10)
	if err == nil {
		rc.Close()
	}
	if !errors.Is(err, archive.ErrRangeNotSatisfy) {
		t.Errorf("Get(empty, 0, 10) = %v; want ErrRangeNotSatisfy", err)
	}
}

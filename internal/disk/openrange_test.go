package disk_test

import (
	"errors"
	"io"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/archive"
	"github.com/verbatim-archive/verbatim/internal/disk"
)

// TestOpenRangeMatchesGet: the lock- and sidecar-free read used for media
// returns the same bytes and errors as Get.
func TestOpenRangeMatchesGet(t *testing.T) {
	s, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const body = "0123456789abcdef"
	put(t, s, "recordings/r/media/a.webm", body, archive.PutOptions{})
	for _, tc := range []struct {
		offset, length int64
		want           string
		err            error
	}{
		{0, -1, body, nil},
		{0, 4, "0123", nil},
		{10, -1, "abcdef", nil},
		{10, 100, "abcdef", nil},
		{15, 1, "f", nil},
		{16, 1, "", archive.ErrRangeNotSatisfy},
		{-1, 1, "", archive.ErrInvalid},
	} {
		r, err := s.OpenRange(t.Context(), "recordings/r/media/a.webm", tc.offset, tc.length)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("OpenRange(%d, %d) error = %v; want %v", tc.offset, tc.length, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("OpenRange(%d, %d) = %v", tc.offset, tc.length, err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || string(got) != tc.want {
			t.Errorf("OpenRange(%d, %d) read %q, %v; want %q", tc.offset, tc.length, got, err, tc.want)
		}
	}
	if _, err := s.OpenRange(t.Context(), "recordings/r/media/missing.webm", 0, -1); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("OpenRange(missing) error = %v; want ErrNotFound", err)
	}
	if _, err := s.OpenRange(t.Context(), "../outside", 0, -1); !errors.Is(err, archive.ErrInvalid) {
		t.Errorf("OpenRange(../outside) error = %v; want ErrInvalid", err)
	}
}

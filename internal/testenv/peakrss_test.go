package testenv_test

import (
	"os"
	"runtime"
	"testing"

	"github.com/verbatim-archive/verbatim/internal/testenv"
)

func TestPeakRSS(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("VmHWM is in Linux's /proc")
	}
	before, err := testenv.PeakRSS(os.Getpid())
	if err != nil || before <= 0 {
		t.Fatalf("PeakRSS(self) = %d, %v; want a positive size", before, err)
	}
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	after, err := testenv.PeakRSS(os.Getpid())
	if err != nil || after < before+32<<20 {
		t.Errorf("PeakRSS after touching 64 MiB = %d (before %d), %v; want it to grow by at least 32 MiB", after, before, err)
	}
	runtime.KeepAlive(buf)
	if _, err := testenv.PeakRSS(-1); err == nil {
		t.Error("PeakRSS(-1) = nil error; want one")
	}
}

package testenv

import "syscall"

// sysProcAttr kills versitygw when the process that started it dies, so a
// crashed test binary leaves no server behind.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// xattrsWork reports whether dir takes the user xattrs versitygw's posix
// backend keeps metadata in.
func xattrsWork(dir string) bool {
	err := syscall.Setxattr(dir, "user.verbatim.probe", []byte("1"), 0)
	if err != nil {
		return false
	}
	syscall.Removexattr(dir, "user.verbatim.probe")
	return true
}

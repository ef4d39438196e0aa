// Package hostile is the hostile-input suite of issue 9: it attacks the
// real verbatim program the way a prober on the public internet would and
// proves that no anonymous request can exhaust the server and that no error
// gives anything away.
//
// How: each test builds ./cmd/verbatim once, copies a data directory seeded
// with the two sample recordings (`verbatim import subtitles`) and an editor
// account (`verbatim user add`), and runs `verbatim serve` on it as a child
// process on a random 127.0.0.1 port. Every case sends its attack over
// loopback only, with bounded loops and a deadline on every request, and
// then asserts
//
//   - the statuses, headers and messages the issue asks for (a 4xx that
//     names what is too big, never a 5xx, never an ERROR line in the
//     server's log for bad input), and
//   - a memory bound: the server's peak resident set (VmHWM in
//     /proc/<pid>/status) after the case stays under the bound stated in
//     the case (at most 256 MiB).
//
// A watchdog polls the child's resident set while a case runs and kills it
// at 1 GiB, so a regression fails the case quickly instead of taking the
// machine down with it. The suite is Linux-only (it reads /proc) and is
// skipped elsewhere. The files are named after the defects of issue 9;
// TestLoad* runs the attacks together and times an ordinary search.
package hostile

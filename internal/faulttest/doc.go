// Package faulttest holds the fault-and-load suite (the fault_*_test.go
// files) and the fault injectors it uses: a TCP proxy that can delay or
// blackhole traffic, an HTTP proxy that can hold chosen requests, and an
// Index wrapper that fails on demand.
//
// Every test runs on loopback against real things — the real verbatim
// binary, a real versitygw, a real on-disk bleve index — and is bounded in
// time. Tests that need versitygw skip when VERBATIM_TEST_SKIP_S3=1.
package faulttest

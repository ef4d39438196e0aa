package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestLogsOfTheRealProgram: the program logs JSON when asked, one object a
// line, with the route template of each request, and by default neither
// what was searched for nor who asked (a client address behind a trusted
// proxy); text is the default format.
func TestLogsOfTheRealProgram(t *testing.T) {
	const word, addr = "zanzibarquokka", "203.0.113.77"
	for _, format := range []string{"json", "text"} {
		env := []string{"VERBATIM_TRUSTED_PROXIES=127.0.0.0/8"}
		if format == "json" {
			env = append(env, "VERBATIM_LOG_FORMAT=json")
		}
		c := serveChild(t, env, "--data", t.TempDir())
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		for _, path := range []string{"/api/v1/search?q=" + word, "/search?q=" + word} {
			if _, _, err := request(ctx, "GET", c.base+path, "", nil, 0, "X-Forwarded-For", addr); err != nil {
				t.Fatal(err)
			}
		}
		cancel()
		c.sigterm()
		if code, err := c.wait(30 * time.Second); code != 0 || err != nil {
			t.Fatalf("%s: exit %d, %v", format, code, err)
		}
		log := c.log.String()
		routes := 0
		for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
			if format == "json" {
				var rec map[string]any
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Errorf("json log line is not JSON: %q", line)
				}
				if rec["route"] == "/api/v1/search" || rec["route"] == "/search" {
					routes++
				}
			} else if strings.Contains(line, "route=/api/v1/search") || strings.Contains(line, "route=/search") {
				routes++
			}
		}
		if routes != 2 {
			t.Errorf("%s: %d request lines name the search routes; want 2:\n%s", format, routes, log)
		}
		for _, secret := range []string{word, addr} {
			if strings.Contains(log, secret) {
				t.Errorf("%s: the log holds %q:\n%s", format, secret, log)
			}
		}
	}
}

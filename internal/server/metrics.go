package server

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// metrics counts requests for /metrics in the Prometheus text format. The
// standard library is enough for a handful of counters; labels use the
// route template, never the raw path, so their number stays bounded.
type metrics struct {
	mu        sync.Mutex
	requests  map[reqKey]uint64
	latency   map[string]*latency // by route
	mediaSent uint64              // bytes of media sent by /media
	uploaded  uint64              // bytes of media accepted by uploads
}

type reqKey struct {
	route, method string
	code          int
}

type latency struct {
	sum   float64
	count uint64
}

func newMetrics() *metrics {
	return &metrics{requests: map[reqKey]uint64{}, latency: map[string]*latency{}}
}

// middleware records each request once its status is final (it sits
// outside the request logger, which runs the error handler).
func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		res := c.Response()
		m.mu.Lock()
		defer m.mu.Unlock()
		m.requests[reqKey{route, c.Request().Method, res.Status}]++
		l := m.latency[route]
		if l == nil {
			l = &latency{}
			m.latency[route] = l
		}
		l.sum += time.Since(start).Seconds()
		l.count++
		switch {
		case route == "/media/:id":
			m.mediaSent += uint64(max(res.Size, 0))
		case route == "/api/v1/recordings/:id/media" && res.Status == http.StatusCreated:
			m.uploaded += uint64(max(c.Request().ContentLength, 0))
		}
		return err
	}
}

// metricsHandler writes the counters and the state of the dependencies.
func (s *Server) metricsHandler(c echo.Context) error {
	var b strings.Builder
	m := s.metrics
	m.mu.Lock()
	keys := make([]reqKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b reqKey) int {
		return cmp.Or(strings.Compare(a.route, b.route), strings.Compare(a.method, b.method), cmp.Compare(a.code, b.code))
	})
	b.WriteString("# HELP verbatim_http_requests_total HTTP requests by route template, method and status.\n# TYPE verbatim_http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "verbatim_http_requests_total{route=%q,method=%q,code=\"%d\"} %d\n", k.route, k.method, k.code, m.requests[k])
	}
	routes := make([]string, 0, len(m.latency))
	for r := range m.latency {
		routes = append(routes, r)
	}
	slices.Sort(routes)
	b.WriteString("# HELP verbatim_http_request_duration_seconds Time to answer, by route template.\n# TYPE verbatim_http_request_duration_seconds summary\n")
	for _, r := range routes {
		l := m.latency[r]
		fmt.Fprintf(&b, "verbatim_http_request_duration_seconds_sum{route=%q} %s\n", r, strconv.FormatFloat(l.sum, 'f', -1, 64))
		fmt.Fprintf(&b, "verbatim_http_request_duration_seconds_count{route=%q} %d\n", r, l.count)
	}
	fmt.Fprintf(&b, "# HELP verbatim_media_sent_bytes_total Media bytes sent to viewers.\n# TYPE verbatim_media_sent_bytes_total counter\nverbatim_media_sent_bytes_total %d\n", m.mediaSent)
	fmt.Fprintf(&b, "# HELP verbatim_media_uploaded_bytes_total Media bytes accepted from editors.\n# TYPE verbatim_media_uploaded_bytes_total counter\nverbatim_media_uploaded_bytes_total %d\n", m.uploaded)
	m.mu.Unlock()

	fmt.Fprintf(&b, "# HELP verbatim_index_pending Recordings waiting for an index update.\n# TYPE verbatim_index_pending gauge\nverbatim_index_pending %d\n", s.svc.Pending())
	b.WriteString("# HELP verbatim_dependency_up Whether a dependency answers (1) or not (0).\n# TYPE verbatim_dependency_up gauge\n")
	for _, ch := range s.svc.Ready(c.Request().Context()) {
		up := 0
		if ch.OK {
			up = 1
		}
		fmt.Fprintf(&b, "verbatim_dependency_up{name=%q} %d\n", ch.Name, up)
	}
	return c.Blob(http.StatusOK, "text/plain; version=0.0.4; charset=utf-8", []byte(b.String()))
}

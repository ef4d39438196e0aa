package server

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus collectors, registered on the
// registry the program passes in (Options.Metrics), beside the Go runtime,
// process, storage and index collectors. Labels are route templates,
// methods and status classes, never raw paths, so their number stays
// bounded. A scrape only reads memory: dependency health comes from a
// background prober (probe), the index backlog from the Service's count.
type metrics struct {
	reg      *prometheus.Registry
	duration *prometheus.HistogramVec
	inflight prometheus.Gauge
	media    *prometheus.CounterVec // bytes by direction: sent, received
	up       *prometheus.GaugeVec   // dependency up (1) or down (0), by name
	probed   prometheus.Gauge       // unix time of the last probe
}

func newMetrics(reg *prometheus.Registry, pending func() int) (*metrics, error) {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m := &metrics{
		reg: reg,
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "verbatim_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route template, method and status class.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
		}, []string{"route", "method", "code"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "verbatim_http_requests_in_flight", Help: "HTTP requests being handled."}),
		media: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "verbatim_media_bytes_total",
			Help: "Media bytes actually moved: sent to viewers, received from uploads (whatever the outcome)."}, []string{"direction"}),
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "verbatim_dependency_up", Help: "Whether a dependency answered the last background probe (1) or not (0)."}, []string{"name"}),
		probed: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "verbatim_dependency_probe_timestamp_seconds", Help: "When the dependencies were last probed."}),
	}
	lag := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "verbatim_index_pending",
		Help: "Recordings whose search index update waits for a retry (index lag)."},
		func() float64 { return float64(pending()) })
	for _, c := range []prometheus.Collector{m.duration, m.inflight, m.media, m.up, m.probed, lag} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	m.media.WithLabelValues("sent")
	m.media.WithLabelValues("received")
	return m, nil
}

// middleware records each request once its status is final (it sits
// outside the request logger, which runs the error handler).
func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		m.inflight.Inc()
		defer m.inflight.Dec()
		start := time.Now()
		err := next(c)
		m.duration.WithLabelValues(routeOf(c), c.Request().Method, statusClass(c.Response().Status)).
			Observe(time.Since(start).Seconds())
		return err
	}
}

// statusClass is 2xx, 3xx, 4xx or 5xx (499, a client gone, is 4xx).
func statusClass(code int) string {
	if code < 100 || code > 599 {
		return "unknown"
	}
	return strconv.Itoa(code/100) + "xx"
}

// countingReader counts the bytes read through it into a counter.
type countingReader struct {
	r io.Reader
	c prometheus.Counter
}

func (cr countingReader) Read(p []byte) (int, error) {
	n, err := cr.r.Read(p)
	cr.c.Add(float64(n))
	return n, err
}

// probeEvery is how often the background prober checks the dependencies.
const probeEvery = 10 * time.Second

// probe checks storage and index every probeEvery until ctx ends, for
// verbatim_dependency_up: a scrape never calls a dependency.
func (s *Server) probe(ctx context.Context) {
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	for {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		for _, ch := range s.svc.Ready(pctx) {
			up := 0.0
			if ch.OK {
				up = 1
			}
			s.metrics.up.WithLabelValues(ch.Name).Set(up)
		}
		cancel()
		s.metrics.probed.SetToCurrentTime()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// AdminHandler serves /metrics (the Prometheus text format, GET and HEAD)
// with /healthz and /readyz, for a listener of its own
// (VERBATIM_METRICS_ADDR): the public listener does not serve /metrics.
// It keeps answering while the public listener drains at shutdown.
func (s *Server) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{ErrorLog: nil}))
	mux.Handle("/healthz", s)
	mux.Handle("/readyz", s)
	return mux
}

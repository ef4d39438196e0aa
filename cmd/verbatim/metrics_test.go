package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestMetricsOfTheRealProgram: with VERBATIM_METRICS_ADDR, /metrics is
// served there (GET and HEAD) in the Prometheus text format, with the Go
// runtime and process collectors, the request-duration histogram and the
// storage and index operation histograms; the public listener has no
// /metrics.
func TestMetricsOfTheRealProgram(t *testing.T) {
	admin := freePort(t)
	c := serveChild(t, []string{"VERBATIM_METRICS_ADDR=" + admin}, "--data", t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, p := range []string{"/api/v1/recordings", "/api/v1/search?q=palermo", "/"} {
		if _, _, err := request(ctx, "GET", c.base+p, "", nil, 0); err != nil {
			t.Fatal(err)
		}
	}
	if resp, _, err := request(ctx, "GET", c.base+"/metrics", "", nil, 0); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("public GET /metrics = %v, %v; want 404", resp, err)
	}
	if resp, _, err := request(ctx, "HEAD", "http://"+admin+"/metrics", "", nil, 0); err != nil || resp.StatusCode != 200 {
		t.Errorf("HEAD /metrics = %v, %v; want 200", resp, err)
	}
	var fams map[string]*dto.MetricFamily
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get("http://" + admin + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		p := expfmt.NewTextParser(model.UTF8Validation)
		fams, err = p.TextToMetricFamilies(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("/metrics does not parse: %v", err)
		}
		if h := fams["verbatim_http_request_duration_seconds"]; (h != nil && len(h.Metric) >= 3) || time.Now().After(deadline) {
			break
		}
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes", "verbatim_http_requests_in_flight",
		"verbatim_index_pending", "verbatim_dependency_up", "verbatim_media_bytes_total"} {
		if fams[name] == nil {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	for _, name := range []string{"verbatim_http_request_duration_seconds", "verbatim_storage_operation_duration_seconds", "verbatim_index_operation_duration_seconds"} {
		f := fams[name]
		if f == nil || f.GetType() != dto.MetricType_HISTOGRAM || len(f.Metric) == 0 || len(f.Metric[0].Histogram.Bucket) == 0 {
			t.Errorf("/metrics lacks the histogram %s with buckets: %v", name, f)
			continue
		}
		var labels []string
		for _, m := range f.Metric {
			for _, l := range m.Label {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
		}
		t.Logf("%s: %d series, %d buckets each; labels %s", name, len(f.Metric), len(f.Metric[0].Histogram.Bucket), strings.Join(labels, " "))
	}
	if f := fams["verbatim_dependency_up"]; f != nil {
		for _, m := range f.Metric {
			if m.Gauge.GetValue() != 1 {
				t.Errorf("dependency %v is down", m.Label)
			}
		}
	}
}

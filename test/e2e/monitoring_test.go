//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	promapi "github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// promQuery runs an instant query against the cluster's Prometheus.
func promQuery(t *testing.T, q string) model.Vector {
	t.Helper()
	api, err := prometheusAPI()
	if err != nil {
		t.Fatal(err)
	}
	qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, _, _, err := api.Query(qctx, q, time.Now())
	if err != nil {
		t.Logf("query %s: %v", q, err)
		return nil
	}
	vec, _ := v.(model.Vector)
	return vec
}

// prometheusAPI is a client of the cluster's Prometheus.
func prometheusAPI() (promv1.API, error) {
	c, err := promapi.NewClient(promapi.Config{Address: "http://127.0.0.1:" + promPort})
	if err != nil {
		return nil, err
	}
	return promv1.NewAPI(c), nil
}

// firingAlerts names the alerts firing on the exchange's queues and plans.
func firingAlerts(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, s := range promQuery(t, fmt.Sprintf(`ALERTS{alertstate="firing",namespace=%q}`, ns)) {
		out = append(out, fmt.Sprintf("%s%v", s.Metric["alertname"], s.Metric))
	}
	return out
}

// waitAlertFiring waits for the alert to fire with the given labels.
func waitAlertFiring(t *testing.T, alert, labels string, timeout time.Duration) {
	t.Helper()
	q := fmt.Sprintf(`ALERTS{alertstate="firing",alertname=%q,%s}`, alert, labels)
	eventually(t, timeout, func() error {
		if len(promQuery(t, q)) == 0 {
			return fmt.Errorf("%s not firing (firing: %v)", alert, firingAlerts(t))
		}
		return nil
	})
}

// TestMonitoringAgainstPrometheus: the cluster's Prometheus scrapes the
// operator's metrics as a platform's would (HTTPS, a token the operator's
// authorization filter checks, the operator's own labels kept) and loads
// the chart's alert rules; every dashboard panel's query returns data.
func TestMonitoringAgainstPrometheus(t *testing.T) {
	// Two replicas run after the failover test; the leader's target is up.
	eventually(t, 60*time.Second, func() error {
		if v := promQuery(t, `up{job="frontline"} == 1`); len(v) == 0 {
			return fmt.Errorf("no operator metrics target is up: %v", promQuery(t, `up{job="frontline"}`))
		}
		return nil
	})
	// honorLabels: the queue's namespace, not the scrape target's.
	eventually(t, 30*time.Second, func() error {
		v := promQuery(t, fmt.Sprintf(`frontline_queue_desired_replicas{namespace=%q,queue="retail-chat",role="agents"}`, ns))
		if len(v) == 0 {
			return fmt.Errorf("retail-chat's desired agents not in Prometheus: %v", v)
		}
		for _, sample := range v {
			if _, ok := sample.Metric["exported_namespace"]; ok {
				return fmt.Errorf("labels renamed: %v", sample.Metric)
			}
		}
		return nil
	})
	if rules := promQuery(t, `count(ALERTS_FOR_STATE) or vector(0)`); rules == nil {
		t.Error("Prometheus answered nothing on ALERTS_FOR_STATE")
	}

	raw, err := os.ReadFile(filepath.Join(root, "config", "grafana", "frontline-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	// Error counters have no series until the first error: a healthy
	// operator leaves those panels empty.
	errorCounter := regexp.MustCompile(`_errors_total`)
	checked := 0
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			if errorCounter.MatchString(tg.Expr) {
				continue
			}
			q := strings.NewReplacer(`$namespace`, ns, `$queue`, ".*").Replace(tg.Expr)
			eventually(t, 30*time.Second, func() error {
				if len(promQuery(t, q)) == 0 {
					return fmt.Errorf("panel %q: %s returns no data", p.Title, q)
				}
				return nil
			})
			checked++
		}
	}
	if checked < 8 {
		t.Errorf("%d panel queries checked, want at least 8", checked)
	}
}

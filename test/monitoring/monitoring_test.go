// Package monitoring checks the alert rules and the Grafana dashboard the
// chart ships (config/prometheus, config/grafana): rules with Prometheus's
// own promtool, unit tests of every alert, and the dashboard's variables,
// datasource and metric names against what the operator exports.
package monitoring

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/frontline-dev/frontline/test/testenv"
)

func root(t *testing.T) string {
	t.Helper()
	r, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func promtool(t *testing.T, args ...string) string {
	t.Helper()
	bin := filepath.Join(root(t), "bin", "promtool")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s missing: run `make prometheus` (hack/install-prometheus.sh)", bin)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = filepath.Join(root(t), "test", "monitoring")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestAlertRules: the rules load, and every alert fires on what it names
// and stays quiet on a calm operator (alerts.test.yaml).
func TestAlertRules(t *testing.T) {
	promtool(t, "check", "rules", "../../config/prometheus/rules.yaml")
	promtool(t, "test", "rules", "alerts.test.yaml")
}

// TestEveryAlertHasARunbook: each alert links to its section of the runbook.
func TestEveryAlertHasARunbook(t *testing.T) {
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert       string
				Annotations map[string]string
			}
		}
	}
	raw, err := os.ReadFile(filepath.Join(root(t), "config", "prometheus", "rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, &rules); err != nil {
		t.Fatal(err)
	}
	runbook, err := os.ReadFile(filepath.Join(root(t), "docs", "runbook.md"))
	if err != nil {
		t.Fatal(err)
	}
	tested, err := os.ReadFile("alerts.test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			n++
			want := "docs/runbook.md#" + strings.ToLower(r.Alert)
			if !strings.HasSuffix(r.Annotations["runbook_url"], want) {
				t.Errorf("%s: runbook_url %q, want one ending in %s", r.Alert, r.Annotations["runbook_url"], want)
			}
			if !strings.Contains(string(runbook), "\n### "+r.Alert+"\n") {
				t.Errorf("%s: no section in docs/runbook.md", r.Alert)
			}
			if !strings.Contains(string(tested), "alertname: "+r.Alert) {
				t.Errorf("%s: not in alerts.test.yaml", r.Alert)
			}
		}
	}
	if n < 7 {
		t.Errorf("%d alerts, want the 7 documented", n)
	}
}

type target struct {
	Expr       string
	Datasource struct{ UID string }
}

type dashboard struct {
	Refresh    string
	Templating struct {
		List []struct {
			Name, Type string
		}
	}
	Annotations struct {
		List []struct {
			Expr       string
			Datasource struct{ UID string }
		}
	}
	Panels []struct {
		Title      string
		Datasource struct{ UID string }
		Targets    []target
	}
}

// TestDashboard: a datasource variable every panel uses, namespace and
// queue variables, a refresh, surges as annotations, and only metrics the
// operator exports.
func TestDashboard(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(root(t), "config", "grafana", "frontline-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v.Type
	}
	if vars["datasource"] != "datasource" || vars["namespace"] != "query" || vars["queue"] != "query" {
		t.Errorf("variables %v: want datasource, namespace and queue", vars)
	}
	if d.Refresh == "" {
		t.Error("no refresh")
	}
	if len(d.Annotations.List) == 0 || !strings.Contains(d.Annotations.List[0].Expr, "frontline_surge_active") {
		t.Errorf("annotations %+v: want surge periods", d.Annotations.List)
	}
	exported := exportedMetrics(t)
	name := regexp.MustCompile(`frontline_[a-z_]+`)
	for _, p := range d.Panels {
		if p.Datasource.UID != "${datasource}" {
			t.Errorf("panel %q: datasource %q, want ${datasource}", p.Title, p.Datasource.UID)
		}
		for _, tg := range p.Targets {
			for _, m := range name.FindAllString(tg.Expr, -1) {
				if !exported[m] {
					t.Errorf("panel %q reads %s, which the operator does not export", p.Title, m)
				}
			}
		}
	}
	if !strings.Contains(string(raw), "frontline_queue_agent_capacity_per_hour") {
		t.Error("no inflow-vs-capacity panel reading frontline_queue_agent_capacity_per_hour")
	}
}

// exportedMetrics are the metric names the operator registers: the
// controllers' and the poller's.
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	var files []string
	for _, dir := range []string{"controllers", filepath.Join("internal", "polling")} {
		matched, _ := filepath.Glob(filepath.Join(root(t), dir, "*.go"))
		files = append(files, matched...)
	}
	re := regexp.MustCompile(`Name:\s*"(frontline_[a-z_]+)"`)
	out := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		raw, _ := os.ReadFile(f)
		for _, m := range re.FindAllStringSubmatch(string(raw), -1) {
			out[m[1]] = true
		}
	}
	if len(out) < 8 {
		t.Fatalf("found %d exported metrics in controllers/ and internal/polling/, want at least 8", len(out))
	}
	return out
}

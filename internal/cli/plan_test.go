package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func run(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = Run(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestPlanJSONPublishedCheck(t *testing.T) {
	code, out, errOut := run("plan", "--channel", "chat", "--inflow-per-hour", "200", "--aht", "3m",
		"--service-level", "0.8", "--within", "20s", "--max-occupancy", "0.85", "--shrinkage", "0.3", "--concurrency", "1", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, key := range []string{"agents", "scheduledAgents", "serviceLevel", "asaSeconds", "occupancy", "offeredLoad"} {
		if _, ok := got[key]; !ok {
			t.Errorf("missing stable key %q in %s", key, out)
		}
	}
	if got["agents"] != 14.0 || got["scheduledAgents"] != 20.0 || got["offeredLoad"] != 10.0 {
		t.Errorf("got %v", got)
	}
	if sl := got["serviceLevel"].(float64); sl < 0.888 || sl > 0.8885 {
		t.Errorf("serviceLevel %v", sl)
	}
}

func TestPlanTable(t *testing.T) {
	code, out, _ := run("plan", "--inflow-per-hour", "1200", "--aht", "4m", "--concurrency", "2", "--patience", "90s")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Agents working:", "Erlangs", "Service level:", "%", "Abandon rate (Erlang A):"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestPlanEmailUsesBacklogModel(t *testing.T) {
	code, out, errOut := run("plan", "--channel", "email", "--inflow-per-hour", "120", "--aht", "6m", "--within", "1h", "--backlog", "3000", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got PlanResult
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Model != "backlog" || got.Agents != 300 {
		t.Errorf("got %+v, want the backlog model with 300 agents", got)
	}
}

func TestPlanRejectsBadFlags(t *testing.T) {
	base := []string{"plan", "--inflow-per-hour", "100", "--aht", "3m"}
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"--channel", "fax"}, "--channel"},
		{[]string{"--aht", "0s"}, "--aht"},
		{[]string{"--aht", "-3m"}, "--aht"},
		{[]string{"--aht", "three"}, "--aht"},
		{[]string{"--inflow-per-hour", "-5"}, "--inflow-per-hour"},
		{[]string{"--inflow-per-hour", "lots"}, "--inflow-per-hour"},
		{[]string{"--service-level", "80"}, "--service-level"},
		{[]string{"--service-level", "0"}, "--service-level"},
		{[]string{"--within", "-1s"}, "--within"},
		{[]string{"--max-occupancy", "1.5"}, "--max-occupancy"},
		{[]string{"--max-occupancy", "0"}, "--max-occupancy"},
		{[]string{"--shrinkage", "1"}, "--shrinkage"},
		{[]string{"--concurrency", "0"}, "--concurrency"},
		{[]string{"--concurrency-slowdown", "3"}, "--concurrency-slowdown"},
		{[]string{"--patience", "-1s"}, "--patience"},
		{[]string{"-o", "xml"}, `unable to match a printer suitable for the output format "xml", allowed formats are: `},
		{[]string{"-o", "jsonpath={.agents"}, "--output"},
		{[]string{"--channel", "email", "--within", "0s"}, "--within"},
	} {
		code, out, errOut := run(append(append([]string{}, base...), tc.args...)...)
		if code == 0 {
			t.Errorf("%v: accepted:\n%s", tc.args, out)
			continue
		}
		if !strings.Contains(errOut, tc.flag) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%v: want one line naming %s, got %q", tc.args, tc.flag, errOut)
		}
	}
	if code, _, errOut := run("plan", "--aht", "3m"); code == 0 || !strings.Contains(errOut, "--inflow-per-hour") {
		t.Errorf("missing --inflow-per-hour: exit %d, %q", code, errOut)
	}
}

// TestPlanQueueFromFiles sizes the sample chat queue with its SLAPolicy
// through the operator's own sizing, and names the binding constraint.
func TestPlanQueueFromFiles(t *testing.T) {
	// The sample policy sizes chat with headroom (for 99 %); without it,
	// occupancy binds first at 3,000/h.
	noHeadroom := t.TempDir()
	for _, f := range []string{"support_v1alpha1_supportqueue_retail_chat.yaml", "support_v1alpha1_slapolicy_retail.yaml"} {
		raw, err := os.ReadFile(filepath.Join("../../config/samples", f))
		if err != nil {
			t.Fatal(err)
		}
		raw = []byte(strings.Replace(string(raw), `headroom: "0.95"`, `headroom: "0"`, 1))
		if err := os.WriteFile(filepath.Join(noHeadroom, f), raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		files   string
		inflow  string
		binding string
		minSL   float64
	}{
		{"../../config/samples", "100", BindsServiceLevel, 0.99},
		{"../../config/samples", "3000", BindsServiceLevel, 0.99},
		{noHeadroom, "3000", BindsOccupancy, 0.8},
		{"../../config/samples", "300000", BindsMaxReplicas, 0},
	} {
		code, out, errOut := run("plan", "-f", tc.files, "--queue", "retail-chat", "--inflow-per-hour", tc.inflow, "-o", "json")
		if code != 0 {
			t.Fatalf("%s/h: exit %d: %s", tc.inflow, code, errOut)
		}
		var got PlanResult
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		if got.Queue != "retail-chat" || got.Binding != tc.binding || got.ServiceLevel < tc.minSL || got.Replicas < 2 || got.Replicas > got.Agents && tc.binding != BindsServiceLevel {
			t.Errorf("%s/h: %+v, want binding %s", tc.inflow, got, tc.binding)
		}
		if tc.binding == BindsMaxReplicas && (got.Replicas >= got.Agents || got.ASASeconds != unboundedWait) {
			t.Errorf("capped: %+v", got)
		}
	}
}

func TestPlanQueueFlagRules(t *testing.T) {
	// A setting the queue or policy owns is a usage error.
	if code, _, errOut := run("plan", "-f", "../../config/samples", "--queue", "retail-chat", "--inflow-per-hour", "100", "--within", "30s"); code != 2 ||
		!strings.Contains(errOut, "--within: comes from the SLAPolicy") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	// A flag the channel's model does not read is named, not silently dropped.
	code, _, errOut := run("plan", "--channel", "chat", "--inflow-per-hour", "100", "--aht", "3m", "--backlog", "40")
	if code != 0 || !strings.Contains(errOut, "warning: --backlog does not apply to chat") {
		t.Errorf("exit %d: %q", code, errOut)
	}
	code, _, errOut = run("plan", "--channel", "phone", "--inflow-per-hour", "100", "--aht", "3m", "--concurrency", "2")
	if code != 0 || !strings.Contains(errOut, "warning: --concurrency does not apply to phone") {
		t.Errorf("exit %d: %q", code, errOut)
	}
	if code, _, errOut := run("plan", "deploy/x"); code != 2 || !strings.Contains(errOut, "want sq/NAME") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

// TestPlanOutputs: json, yaml and jsonpath carry the same keys and values.
func TestPlanOutputs(t *testing.T) {
	base := []string{"plan", "--inflow-per-hour", "200", "--aht", "3m"}
	_, js, _ := run(append(base, "-o", "json")...)
	_, ym, _ := run(append(base, "-o", "yaml")...)
	_, jp, _ := run(append(base, "-o", "jsonpath={.agents}/{.scheduledAgents}")...)
	var fromJSON, fromYAML map[string]any
	if err := json.Unmarshal([]byte(js), &fromJSON); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte(ym), &fromYAML); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(fromJSON) != fmt.Sprint(fromYAML) || jp != "14/20" {
		t.Errorf("json %v\nyaml %v\njsonpath %q", fromJSON, fromYAML, jp)
	}
}

func TestPlanQueueTableGolden(t *testing.T) {
	code, out, errOut := run("plan", "-f", "../../config/samples", "--queue", "retail-chat", "--inflow-per-hour", "3000")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	checkGolden(t, "plan-queue", []byte(out))
}

// --queue without -f would size a default queue silently: a usage error.
func TestPlanQueueNeedsFiles(t *testing.T) {
	code, _, errOut := run("plan", "--queue", "retail-chat", "--inflow-per-hour", "100", "--aht", "3m")
	if code != 2 || !strings.Contains(errOut, "--queue") {
		t.Errorf("exit %d, %q; want a usage error naming --queue", code, errOut)
	}
}

// Run as kubectl_complete-frontline, the binary answers kubectl's
// completion: the words come back as completions, not as a command.
func TestCompletionName(t *testing.T) {
	args := Args(CompletionName, []string{"sur"})
	code, out, errOut := run(args...)
	if code != 0 || !strings.Contains(out, "surge") {
		t.Errorf("completing %q: exit %d, %q %q", "sur", code, out, errOut)
	}
	if got := Args("kubectl-frontline", []string{"plan"}); len(got) != 1 || got[0] != "plan" {
		t.Errorf("the plugin's own name changed its args: %v", got)
	}
}

// An overloaded queue capped at maxReplicas says so, and its wait is
// unbounded for email as for phone: no finite first response beside a
// service level of a quarter.
func TestPlanCappedQueueIsConsistent(t *testing.T) {
	code, out, errOut := run("plan", "-f", samples, "--queue", "withdrawals-email", "--inflow-per-hour", "3000")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"needed; 80 at maxReplicas", "First response (new ticket):  unbounded"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

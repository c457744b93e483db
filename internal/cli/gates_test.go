package cli

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/frontline-dev/frontline/internal/sim"
)

// results are one queue's outcomes: Frontline's share of minutes and
// replica-minutes, and the baselines'.
func results(queue string, slMet, frontlineRM, kedaRM, cheapestRM float64, unreachable bool) []sim.Result {
	return []sim.Result{
		{Queue: queue, Policy: sim.FrontlineName, SLMetFraction: slMet, ReplicaMinutes: frontlineRM},
		{Queue: queue, Policy: sim.KEDAName, SLMetFraction: slMet, ReplicaMinutes: kedaRM},
		{Queue: queue, Policy: sim.CheapestForesightName, SLMetFraction: slMet, ReplicaMinutes: cheapestRM, Unreachable: unreachable},
	}
}

func TestGatesEvaluate(t *testing.T) {
	type want struct {
		gate, why string
		passed    bool
	}
	for _, tc := range []struct {
		name    string
		gates   gates
		results []sim.Result
		want    []want
	}{
		{"no gate", gates{against: sim.CheapestForesightName}, results("q", 0.5, 100, 100, 100, false), nil},
		{"sla met", gates{minSLAMet: 0.95}, results("q", 0.97, 100, 100, 100, false),
			[]want{{"min-sla-met 95.0 %", "Frontline meets the SLA in 97.0 % of minutes, at least 95.0 %", true}}},
		{"sla met exactly", gates{minSLAMet: 0.5}, results("q", 0.5, 100, 100, 100, false),
			[]want{{"min-sla-met 50.0 %", "at least 50.0 %", true}}},
		{"sla missed", gates{minSLAMet: 0.95}, results("q", 0.9, 100, 100, 100, false),
			[]want{{"min-sla-met 95.0 %", "Frontline meets the SLA in 90.0 % of minutes, below 95.0 %", false}}},
		{"cost under", gates{maxCostFactor: 1.2, against: sim.CheapestForesightName}, results("q", 1, 110, 100, 100, false),
			[]want{{"max-cost-factor 1.2 × cheapest-foresight", "Frontline's 110 replica-minutes are 1.100× cheapest-foresight's 100, at most 1.2×", true}}},
		{"cost at the factor", gates{maxCostFactor: 1.2, against: sim.CheapestForesightName}, results("q", 1, 120, 100, 100, false),
			[]want{{"max-cost-factor 1.2 × cheapest-foresight", "1.200×", true}}},
		{"cost over", gates{maxCostFactor: 1.2, against: sim.CheapestForesightName}, results("q", 1, 130, 100, 100, false),
			[]want{{"max-cost-factor 1.2 × cheapest-foresight", "Frontline's 130 replica-minutes are 1.300× cheapest-foresight's 100, above 1.2×", false}}},
		{"cost against keda-hpa", gates{maxCostFactor: 1.05, against: sim.KEDAName}, results("q", 1, 130, 125, 100, false),
			[]want{{"max-cost-factor 1.05 × keda-hpa", "1.040× keda-hpa's 125, at most 1.05×", true}}},
		{"below the baseline", gates{maxCostFactor: 0.9, against: sim.KEDAName}, results("q", 1, 95, 100, 100, false),
			[]want{{"max-cost-factor 0.9 × keda-hpa", "0.950×", false}}},
		{"baseline cannot meet the SLA", gates{maxCostFactor: 1.2, against: sim.CheapestForesightName}, results("q", 0.05, 100, 100, 100, true),
			[]want{{"max-cost-factor 1.2 × cheapest-foresight", "cheapest-foresight cannot meet the SLA on this trace (at most 5.0 % of minutes)", false}}},
		{"baseline ran nothing", gates{maxCostFactor: 1.2, against: sim.KEDAName}, results("q", 1, 10, 0, 100, false),
			[]want{{"max-cost-factor 1.2 × keda-hpa", "Frontline ran 10 replica-minutes, keda-hpa none", false}}},
		{"neither ran anything", gates{maxCostFactor: 1.2, against: sim.KEDAName}, results("q", 1, 0, 0, 100, false),
			[]want{{"max-cost-factor 1.2 × keda-hpa", "neither Frontline nor keda-hpa ran a replica", true}}},
		{"baseline missing", gates{maxCostFactor: 1.2, against: sim.PerfectName}, results("q", 1, 100, 100, 100, false),
			[]want{{"max-cost-factor 1.2 × perfect-foresight", "no perfect-foresight result", false}}},
		{"both gates, two queues in order", gates{minSLAMet: 0.9, maxCostFactor: 1.2, against: sim.CheapestForesightName},
			append(results("b", 0.95, 100, 100, 100, false), results("a", 0.5, 200, 100, 100, false)...),
			[]want{{"min-sla-met 90.0 %", "95.0 %", true}, {"max-cost-factor 1.2 × cheapest-foresight", "1.000×", true},
				{"min-sla-met 90.0 %", "50.0 %", false}, {"max-cost-factor 1.2 × cheapest-foresight", "2.000×", false}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.gates.evaluate(tc.results)
			if len(got) != len(tc.want) {
				t.Fatalf("%d checks, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				c := got[i]
				if c.Gate != w.gate || c.Passed != w.passed || !strings.Contains(c.Why, w.why) {
					t.Errorf("check %d: %+v, want gate %q passed %v why containing %q", i, c, w.gate, w.passed, w.why)
				}
				if c.Passed != (c.failure == "") {
					t.Errorf("check %d: passed %v with failure %q", i, c.Passed, c.failure)
				}
			}
			err := gateFailure(got)
			var ge *gateError
			failed := false
			for _, c := range got {
				failed = failed || !c.Passed
			}
			if failed != errors.As(err, &ge) {
				t.Errorf("gateFailure = %v, with a failed check: %v", err, failed)
			}
		})
	}
}

// The cost gate in CI: the sample retail queue on the crash at 600/h costs
// about 1.4× cheapest-foresight (the plan's insurance) and about 1.1×
// keda-hpa. A factor it meets exits 0, one it misses exits 3 naming the
// queue, the baseline and both costs; --check says why per gate.
func TestSimulateCostGate(t *testing.T) {
	args := []string{"simulate", "-f", samples, "--queue", "retail-chat", "--scenario", "btc-crash", "--base-inflow-per-hour", "600"}
	for _, tc := range []struct {
		name    string
		flags   []string
		code    int
		stderr  []string // in the error line
		stdout  []string // in the --check lines
		notErrs bool
	}{
		{"meets against cheapest-foresight", []string{"--max-cost-factor", "1.5"}, 0, nil, nil, false},
		{"misses against cheapest-foresight", []string{"--max-cost-factor", "1.2"}, 3,
			[]string{"SupportQueue retail-chat costs 1.398× cheapest-foresight's replica-minutes (1148 vs 821), above --max-cost-factor 1.2"}, nil, false},
		{"meets against keda-hpa", []string{"--max-cost-factor", "1.2", "--against", "keda-hpa"}, 0, nil, nil, false},
		{"misses against keda-hpa", []string{"--max-cost-factor", "1.05", "--against", "keda-hpa"}, 3,
			[]string{"costs 1.108× keda-hpa's replica-minutes (1148 vs 1037), above --max-cost-factor 1.05"}, nil, false},
		{"check: both gates", []string{"--min-sla-met", "0.95", "--max-cost-factor", "1.2", "--check"}, 3,
			[]string{"above --max-cost-factor 1.2"},
			[]string{"\nChecks\n", "retail-chat  min-sla-met 95.0 %", "pass    Frontline meets the SLA in 100.0 % of minutes, at least 95.0 %",
				"max-cost-factor 1.2 × cheapest-foresight  FAIL    Frontline's 1148 replica-minutes are 1.398× cheapest-foresight's 821, above 1.2×",
				"1 of 2 checks passed: 1 failed (exit 3)"}, false},
		{"check: all pass", []string{"--min-sla-met", "0.95", "--max-cost-factor", "1.5", "--check"}, 0, nil,
			[]string{"2 of 2 checks passed (exit 0)"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(append(append([]string{}, args...), tc.flags...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, errOut)
			}
			if !strings.Contains(out, "POLICY") {
				t.Errorf("the results were not printed:\n%s", out)
			}
			for _, want := range tc.stderr {
				if !strings.Contains(errOut, "error: ") || !strings.Contains(errOut, want) {
					t.Errorf("stderr %q lacks %q", errOut, want)
				}
			}
			for _, want := range tc.stdout {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			if tc.notErrs && strings.Contains(errOut, "error:") {
				t.Errorf("a passing run printed an error: %s", errOut)
			}
		})
	}
}

// With -o json the checks are in the document (stdout stays JSON) and
// --check writes its lines to standard error.
func TestSimulateCheckWithJSON(t *testing.T) {
	code, out, errOut := run("simulate", "-f", samples, "--queue", "retail-chat", "--scenario", "btc-crash", "--base-inflow-per-hour", "600", "-o", "json",
		"--min-sla-met", "0.95", "--max-cost-factor", "1.2", "--check")
	if code != 3 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Checks []gateCheck `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if len(got.Checks) != 2 || !got.Checks[0].Passed || got.Checks[1].Passed || got.Checks[1].Queue != "retail-chat" ||
		!strings.Contains(got.Checks[1].Why, "1.398× cheapest-foresight's 821") {
		t.Errorf("checks %+v", got.Checks)
	}
	if !strings.Contains(errOut, "QUEUE        GATE") || !strings.Contains(errOut, "1 of 2 checks passed: 1 failed (exit 3)") {
		t.Errorf("--check lines not on stderr: %q", errOut)
	}
}

func TestSimulateGateFlags(t *testing.T) {
	base := []string{"simulate", "-f", samples, "--queue", "retail-chat", "--scenario", "calm"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--max-cost-factor", "-1"}, "--max-cost-factor: must be a positive factor"},
		{[]string{"--max-cost-factor", "NaN"}, "--max-cost-factor"},
		{[]string{"--max-cost-factor", "1.2", "--against", "frontline"}, `--against: "frontline" is not a baseline; use keda-hpa, cheapest-foresight, perfect-foresight, static-minimum`},
		{[]string{"--against", "keda-hpa"}, "--against: names the baseline of --max-cost-factor; set that too"},
		{[]string{"--check"}, "--check: checks the gates: set --min-sla-met or --max-cost-factor"},
	} {
		code, _, errOut := run(append(append([]string{}, base...), tc.args...)...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d %q, want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

// The exit codes are documented where users look: simulate --help.
func TestSimulateHelpDocumentsExitCodes(t *testing.T) {
	code, out, _ := run("simulate", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Exit status:", "0  the simulation ran and every gate set passed", "2  the command line is wrong", "3  a gate failed",
		"--max-cost-factor", "--against", "--check", "wide and name do not apply"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}

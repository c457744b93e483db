package sim

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/internal/capacity"
)

// fixed runs a constant number of agents.
type fixed int32

func (f fixed) Name() string                    { return "fixed" }
func (f fixed) Every() time.Duration            { return time.Minute }
func (f fixed) ReadyDelay(*setup) time.Duration { return 0 }
func (f fixed) Decide(*setup, *state) int32     { return int32(f) }

// TestAgreesWithErlangC: over a long steady run the simulated service level
// is within 2 points of the formula, at several loads.
func TestAgreesWithErlangC(t *testing.T) {
	for _, tc := range []struct {
		perHour float64
		agents  int
	}{
		{200, 12}, {200, 14}, {600, 35}, {1200, 64},
	} {
		cfg := sampleConfig(t)
		cfg.Plans = nil
		cfg.Queue.Spec.Chatbot = nil
		cfg.Queue.Spec.Agents.Concurrency = 1
		cfg.Queue.Spec.Agents.MaxReplicas = 1000
		cfg.Trace = Trace{{At: 0, InflowPerHour: tc.perHour, AHTSeconds: 180}, {At: 200 * time.Hour, InflowPerHour: tc.perHour, AHTSeconds: 180}}
		res, err := Run(cfg, []Policy{fixed(tc.agents)})
		if err != nil {
			t.Fatal(err)
		}
		load := tc.perHour / 3600 * 180
		want, _ := capacity.Evaluate(tc.agents, load, 180, 20)
		if got := res[0].ServiceLevel; math.Abs(got-want.ServiceLevel) > 0.02 {
			t.Errorf("%v/h with %d agents: simulated SL %.4f, Erlang C %.4f", tc.perHour, tc.agents, got, want.ServiceLevel)
		}
	}
}

func TestDeterministicWithSeed(t *testing.T) {
	run := func(seed uint64) []Result {
		cfg := sampleConfig(t)
		cfg.Seed = seed
		cfg.Trace, _ = BuiltinTrace("btc-crash", 600, 240, 1)
		res, err := Run(cfg, AllPolicies())
		if err != nil {
			t.Fatal(err)
		}
		for i := range res {
			res[i].Timeline = nil
		}
		return res
	}
	a, b, c := run(7), run(7), run(8)
	for i := range a {
		if !reflect.DeepEqual(a[i], b[i]) {
			t.Errorf("same seed, different results: %+v vs %+v", a[i], b[i])
		}
	}
	same := true
	for i := range a {
		same = same && reflect.DeepEqual(a[i], c[i])
	}
	if same {
		t.Error("a different seed gave identical results for every policy")
	}
}

func TestBadTracesNameTheLine(t *testing.T) {
	for _, tc := range []struct{ csv, want string }{
		{"time,inflow_per_hour\n0,100\n", "line 1: missing column \"aht_seconds\""},
		{"time,inflow_per_hour,aht_seconds\n0,100,180\n60,-5,180\n", "line 3: inflow_per_hour -5 must be zero or more"},
		{"time,inflow_per_hour,aht_seconds\n0,100,180\n60,100,0\n", "line 3: aht_seconds 0 must be positive"},
		{"time,inflow_per_hour,aht_seconds\n60,100,180\n30,100,180\n", "line 3: time 30s is not after"},
		{"time,inflow_per_hour,aht_seconds\nsoon,100,180\n", "line 2: time \"soon\""},
		{"time,inflow_per_hour,aht_seconds\n0,lots,180\n", "line 2: inflow_per_hour \"lots\" is not a number"},
		{"time,inflow_per_hour,aht_seconds\n0,100\n", "line 2:"},
		{"time,inflow_per_hour,aht_seconds\n", "no rows"},
	} {
		_, err := ParseTrace(strings.NewReader(tc.csv))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.csv, err, tc.want)
		}
	}
	tr, err := ParseTrace(strings.NewReader("time,inflow_per_hour,aht_seconds,volatility\n2026-11-23T12:00:00Z,100,180,0.01\n2026-11-23T12:01:00Z,500,200,\n"))
	if err != nil || len(tr) != 2 || tr[1].At != time.Minute || tr[1].Volatility != nil || *tr[0].Volatility != 0.01 {
		t.Errorf("RFC 3339 trace: %+v %v", tr, err)
	}
}

// TestCrashScenario reports the built-in btc-crash with the sample queue,
// policy and plan; it asserts only what must hold whatever the tuning.
func TestCrashScenario(t *testing.T) {
	cfg := sampleConfig(t)
	cfg.Trace, _ = BuiltinTrace("btc-crash", 600, 240, 1)
	res, err := Run(cfg, AllPolicies())
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]Result{}
	for _, r := range res {
		by[r.Policy] = r
		t.Logf("%-18s minutes met %.3f, replica-minutes %.0f, ASA p95 %.1fs, abandoned %.3f, surges %d", r.Policy, r.SLMetFraction, r.ReplicaMinutes, r.ASASecondsP95, r.AbandonedFraction, r.SurgeActivations)
	}
	if f := by["frontline"]; f.SLMetFraction < 0.95 || f.SurgeActivations != 1 {
		t.Errorf("frontline: %+v", f)
	}
	if s := by["static-minimum"]; s.SLMetFraction >= by["frontline"].SLMetFraction {
		t.Errorf("static staffing met as many minutes as frontline: %+v", s)
	}
}

// TestCalmNeverSurges: the queue ran before the trace, so the spike
// trigger's baseline reads a full hour from the first evaluation and calm
// traffic, noisy or not, never looks like a spike.
func TestCalmNeverSurges(t *testing.T) {
	for _, name := range []string{"calm", "noisy"} {
		for seed := uint64(1); seed <= 3; seed++ {
			cfg := sampleConfig(t)
			cfg.Seed = seed
			cfg.Trace, _ = BuiltinTrace(name, 600, 240, seed)
			res, err := Run(cfg, []Policy{&Frontline{}})
			if err != nil {
				t.Fatal(err)
			}
			if res[0].SurgeActivations != 0 {
				t.Errorf("%s seed %d: %d surges", name, seed, res[0].SurgeActivations)
			}
		}
	}
}

// TestHistoryAtTheInflowBefore: the queue ran before the trace at
// InflowBeforePerHour, so a first row that is one low draw (a noisy
// trace's) does not set the estimator's level: the first minute's agents
// are those of the calm inflow, and without it those of the low row.
func TestHistoryAtTheInflowBefore(t *testing.T) {
	first := func(before, firstRow float64) int32 {
		cfg := sampleConfig(t)
		cfg.Plans = nil
		cfg.InflowBeforePerHour = before
		cfg.Trace = Trace{{At: 0, InflowPerHour: firstRow, AHTSeconds: 240}, {At: 30 * time.Second, InflowPerHour: 600, AHTSeconds: 240},
			{At: 10 * time.Minute, InflowPerHour: 600, AHTSeconds: 240}}
		res, err := Run(cfg, []Policy{&Frontline{}})
		if err != nil {
			t.Fatal(err)
		}
		return res[0].Timeline[0].Desired
	}
	calm, low := first(0, 600), first(0, 300)
	if low >= calm {
		t.Fatalf("history at 300/h sizes %d agents, at 600/h %d: the test cannot tell them apart", low, calm)
	}
	if got := first(600, 300); got != calm {
		t.Errorf("history at 600/h before a 300/h first row: %d agents in the first minute, want %d", got, calm)
	}
}

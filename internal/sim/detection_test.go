package sim

import (
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/defaults"
	"github.com/frontline-dev/frontline/internal/scaling"
)

// spikeOnlyConfig is the sample queue and policy with a plan that has only
// the default inflowSpike trigger (ratio 3, every other field defaulted).
func spikeOnlyConfig(t *testing.T, seed uint64) Config {
	cfg := sampleConfig(t)
	var plan supportv1alpha1.SurgePlan
	if err := defaults.Decode([]byte(`
metadata: {name: spike}
spec:
  queueSelector: {matchLabels: {desk: retail}}
  triggers: {inflowSpike: {ratio: "3"}}
  actions: {agents: {extraReplicas: 5}}
`), "SurgePlan", &plan); err != nil {
		t.Fatal(err)
	}
	cfg.Plans = []supportv1alpha1.SurgePlan{plan}
	cfg.Seed = seed
	cfg.ScrapeInterval = 15 * time.Second
	return cfg
}

func steadyTrace(perHour float64, length time.Duration) Trace {
	return Trace{{At: 0, InflowPerHour: perHour, AHTSeconds: 240}, {At: length - time.Minute, InflowPerHour: perHour, AHTSeconds: 240}}
}

// TestCalmDaysNeverSurge: 20 seeds × 24 simulated hours of calm Poisson
// traffic at 60/h and 600/h, counter scraped every 15 s, default spike
// trigger: not one surge.
func TestCalmDaysNeverSurge(t *testing.T) {
	if testing.Short() {
		t.Skip("40 simulated days")
	}
	for _, perHour := range []float64{60, 600} {
		surges := 0
		for seed := uint64(1); seed <= 20; seed++ {
			cfg := spikeOnlyConfig(t, seed)
			cfg.Trace = steadyTrace(perHour, 24*time.Hour)
			res, err := Run(cfg, []Policy{&Frontline{}})
			if err != nil {
				t.Fatal(err)
			}
			if n := res[0].SurgeActivations; n != 0 {
				surges += n
				t.Errorf("%v/h seed %d: %d surges on a calm day (at %v)", perHour, seed, n, res[0].SurgeStarts)
			}
		}
		t.Logf("%v/h, 15 s scrape: %d surges in 20 calm days (20 seeds × 24 h)", perHour, surges)
	}
}

// TestStepsSurgeSoon: a ×5 and a ×10 step at 600/h, scraped every 15 s:
// the median delay from the step to the plan going Active over 20 seeds
// is at most 45 s and 25 s.
func TestStepsSurgeSoon(t *testing.T) {
	const at = 10 * time.Minute
	for _, tc := range []struct {
		factor float64
		limit  time.Duration
	}{{5, 45 * time.Second}, {10, 25 * time.Second}} {
		var delays []time.Duration
		for seed := uint64(1); seed <= 20; seed++ {
			cfg := spikeOnlyConfig(t, seed)
			cfg.Trace = Trace{{At: 0, InflowPerHour: 600, AHTSeconds: 240}, {At: at, InflowPerHour: 600 * tc.factor, AHTSeconds: 240},
				{At: at + 10*time.Minute, InflowPerHour: 600 * tc.factor, AHTSeconds: 240}}
			res, err := Run(cfg, []Policy{&Frontline{}})
			if err != nil {
				t.Fatal(err)
			}
			starts := res[0].SurgeStarts
			if len(starts) != 1 || starts[0] < at {
				t.Fatalf("×%v seed %d: surges at %v, want one after the step at %v", tc.factor, seed, starts, at)
			}
			delays = append(delays, starts[0]-at)
		}
		slices.Sort(delays)
		median := delays[len(delays)/2]
		t.Logf("×%v at 600/h, 15 s scrape: surge after %v (median %v, limit %v)", tc.factor, delays, median, tc.limit)
		if median > tc.limit {
			t.Errorf("×%v: median delay %v, over %v", tc.factor, median, tc.limit)
		}
	}
}

// TestRisesShortOfTheRatioDoNotSurge: a plan with ratio 3 pages people
// when inflow triples, not when it climbs ×2 or ×2.5 and stays there: 20
// seeds of each step at 600/h, an hour after it, not one surge. The
// verdict asks the post-change rate to be significantly at or above the
// ratio; "not significantly below it" fired on most slow rises to ×2.8.
func TestRisesShortOfTheRatioDoNotSurge(t *testing.T) {
	const at = 10 * time.Minute
	for _, factor := range []float64{2, 2.5} {
		for seed := uint64(1); seed <= 20; seed++ {
			cfg := spikeOnlyConfig(t, seed)
			cfg.Trace = Trace{{At: 0, InflowPerHour: 600, AHTSeconds: 240}, {At: at, InflowPerHour: 600 * factor, AHTSeconds: 240},
				{At: at + time.Hour, InflowPerHour: 600 * factor, AHTSeconds: 240}}
			res, err := Run(cfg, []Policy{&Frontline{}})
			if err != nil {
				t.Fatal(err)
			}
			if n := res[0].SurgeActivations; n != 0 {
				t.Errorf("×%v seed %d: %d surges (at %v) on a rise short of the plan's ratio 3", factor, seed, n, res[0].SurgeStarts)
			}
		}
	}
}

// referenceChatQueue is the estimator issue's reference queue: chat, AHT
// 60 s, one chat at a time, 1 to 150 agents, the sample retail policy, no
// chatbot and no plans.
func referenceChatQueue(t testing.TB) Config {
	cfg := sampleConfig(t)
	cfg.Plans = nil
	a := &cfg.Queue.Spec.Agents
	a.MinReplicas, a.MaxReplicas, a.Concurrency = 1, 150, 1
	a.AverageHandleTime = metav1.Duration{Duration: time.Minute}
	cfg.Queue.Spec.Chatbot = nil
	// Sized for 80 % within 20s itself: 13 agents at 600/h.
	cfg.Policy.Spec.Headroom = "0"
	for i := range cfg.Policy.Spec.Targets {
		cfg.Policy.Spec.Targets[i].Headroom = nil
	}
	return cfg
}

// TestCalmStaysWithinOneOfNeed: calm Poisson traffic at 600/h (true need
// 13 agents), counter scraped every 5 s and 15 s, default settings, 20
// seeds of an hour's history then 30 minutes: the desired agents are
// within one of the need at ≥ 95 % of the minutes, for every scrape
// interval. Sizing for a noisy bound that only falls on strict evidence
// ratchets up on noise; this is the test that catches it.
func TestCalmStaysWithinOneOfNeed(t *testing.T) {
	cfg := referenceChatQueue(t)
	shape, err := scaling.ShapeOf(cfg.Queue)
	if err != nil {
		t.Fatal(err)
	}
	target, err := scaling.TargetOf(cfg.Policy, cfg.Queue.Spec.Channel, "")
	if err != nil {
		t.Fatal(err)
	}
	rate := 600.0 / 3600
	need, err := scaling.ComputeNeed(shape, target, scaling.Measurements{InflowPerSecond: &rate})
	if err != nil {
		t.Fatal(err)
	}
	for _, scrape := range []time.Duration{5 * time.Second, 15 * time.Second} {
		within, total := 0, 0
		byReplicas := map[int32]int{}
		for seed := uint64(1); seed <= 20; seed++ {
			cfg.Seed, cfg.ScrapeInterval = seed, scrape
			cfg.Trace = Trace{{At: 0, InflowPerHour: 600, AHTSeconds: 60}, {At: 90 * time.Minute, InflowPerHour: 600, AHTSeconds: 60}}
			res, err := Run(cfg, []Policy{&Frontline{}})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range res[0].Timeline[60:90] {
				byReplicas[s.Desired]++
				total++
				if s.Desired >= need.Agents-1 && s.Desired <= need.Agents+1 {
					within++
				}
			}
		}
		share := float64(within) / float64(total)
		t.Logf("600/h, %v scrape, 20 seeds × 30 min: minutes by desired agents %v; within ±1 of %d: %.1f %%", scrape, byReplicas, need.Agents, 100*share)
		if share < 0.95 {
			t.Errorf("%v scrape: within ±1 of %d at only %.1f %% of the minutes", scrape, need.Agents, 100*share)
		}
	}
}

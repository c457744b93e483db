package sim

import (
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

// spikeOnlyConfig is the sample queue and policy with a plan that has only
// the default inflowSpike trigger (ratio 3, every other field defaulted).
func spikeOnlyConfig(t *testing.T, seed uint64) Config {
	cfg := sampleConfig(t)
	plan := supportv1alpha1.SurgePlan{
		ObjectMeta: metav1.ObjectMeta{Name: "spike"},
		Spec: supportv1alpha1.SurgePlanSpec{
			QueueSelector: metav1.LabelSelector{MatchLabels: map[string]string{"desk": "retail"}},
			Triggers:      &supportv1alpha1.SurgeTriggers{InflowSpike: &supportv1alpha1.InflowSpikeTrigger{Ratio: "3", MinInflowPerHour: 60}},
			Actions:       supportv1alpha1.SurgeActions{Agents: &supportv1alpha1.AgentSurge{ExtraReplicas: 5}},
		},
	}
	ApplyDefaults(nil, nil, &plan)
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

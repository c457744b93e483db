package sim

import (
	"fmt"
	"testing"
	"time"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/scaling"
	"github.com/frontline-dev/frontline/internal/scenario"
)

// TestKnownEventIsStaffedBeforeItStarts: calm 600/h, then six times that
// for an hour from minute 40, announced; people take 10 minutes to be
// ready. With the event in a plan's schedule the queue meets its SLA in
// nearly every minute of the event's first quarter hour; reacting to it
// cannot, whatever the detector, since the people called at the step
// arrive 10 minutes late. 5 seeds.
func TestKnownEventIsStaffedBeforeItStarts(t *testing.T) {
	const start = 40 * time.Minute
	trace := Trace{{At: 0, InflowPerHour: 600, AHTSeconds: 60}, {At: start, InflowPerHour: 600, AHTSeconds: 60},
		{At: start + time.Millisecond, InflowPerHour: 3600, AHTSeconds: 60}, {At: start + time.Hour, InflowPerHour: 3600, AHTSeconds: 60},
		{At: start + time.Hour + time.Millisecond, InflowPerHour: 600, AHTSeconds: 60}, {At: start + 90*time.Minute, InflowPerHour: 600, AHTSeconds: 60}}
	var with, without, cost []float64
	for seed := uint64(1); seed <= 5; seed++ {
		cfg := referenceChatQueue(t)
		cfg.Trace, cfg.Seed, cfg.InflowBeforePerHour = trace, seed, 600
		cfg.AgentReadyDelay = 10 * time.Minute
		cfg.Plans = []supportv1alpha1.SurgePlan{KnownEventPlan([]scenario.KnownEvent{{Name: "listing", Start: start, Duration: time.Hour, Factor: 6}}, epoch)}
		res, err := Run(cfg, []Policy{&Frontline{}, CheapestForesight{}})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Plans = nil
		bare, err := Run(cfg, []Policy{&Frontline{}})
		if err != nil {
			t.Fatal(err)
		}
		target := cfg.Policy.Spec.Targets[0].ServiceLevel.Percent
		events := []scenario.KnownEvent{{Name: "listing", Start: start, Duration: time.Hour, Factor: 6}}
		with = append(with, EventStartMet(res[0], events, float64(target)/100))
		without = append(without, EventStartMet(bare[0], events, float64(target)/100))
		cost = append(cost, res[0].ReplicaMinutes/res[1].ReplicaMinutes)
	}
	t.Logf("×6 known event, people ready 10 min after they are called, SLA met in the event's first 15 minutes: with its schedule %v, reacting only %v; whole-run replica-minutes with the schedule over cheapest-foresight's %v",
		percents(with), percents(without), ratios(cost))
	for i := range with {
		if with[i] < 0.95 {
			t.Errorf("seed %d: with the schedule the SLA was met in %.0f %% of the event's first 15 minutes, want ≥ 95 %%", i+1, 100*with[i])
		}
		if without[i] >= with[i] {
			t.Errorf("seed %d: reacting met %.0f %%, the schedule %.0f %%: the lead time bought nothing", i+1, 100*without[i], 100*with[i])
		}
	}
}

func percents(v []float64) string {
	s := ""
	for _, x := range v {
		s += fmt.Sprintf(" %.0f%%", 100*x)
	}
	return "[" + s[1:] + "]"
}

func ratios(v []float64) string {
	s := ""
	for _, x := range v {
		s += fmt.Sprintf(" %.2f", x)
	}
	return "[" + s[1:] + "]"
}

// TestMoreThanExpectedStillRaises: the event was announced as ×6 but
// brings ×10. The schedule is a floor, not a cap: within the first minute
// of the step the queue is sized for the ×10 need, as it is without the
// schedule (5 seeds).
func TestMoreThanExpectedStillRaises(t *testing.T) {
	const start = 40 * time.Minute
	trace := Trace{{At: 0, InflowPerHour: 600, AHTSeconds: 60}, {At: start, InflowPerHour: 600, AHTSeconds: 60},
		{At: start + time.Millisecond, InflowPerHour: 6000, AHTSeconds: 60}, {At: start + time.Hour, InflowPerHour: 6000, AHTSeconds: 60}}
	for seed := uint64(1); seed <= 5; seed++ {
		cfg := referenceChatQueue(t)
		cfg.Trace, cfg.Seed, cfg.InflowBeforePerHour = trace, seed, 600
		rate := 6000.0 / 3600
		aht := 60.0
		s, err := prepare(cfg)
		if err != nil {
			t.Fatal(err)
		}
		need, err := scaling.ComputeNeed(s.shape, s.target, scaling.Measurements{InflowPerSecond: &rate, HandleTimeSeconds: &aht})
		if err != nil {
			t.Fatal(err)
		}
		for _, plans := range [][]supportv1alpha1.SurgePlan{nil, {KnownEventPlan([]scenario.KnownEvent{{Name: "listing", Start: start, Duration: time.Hour, Factor: 6}}, epoch)}} {
			cfg.Plans = plans
			res, err := Run(cfg, []Policy{&Frontline{}})
			if err != nil {
				t.Fatal(err)
			}
			first := res[0].Timeline[int(start.Minutes())] // the step's first minute, at its end
			if first.Desired < need.Agents {
				t.Errorf("seed %d, %d plans: %d agents a minute into a ×10 step, need %d", seed, len(plans), first.Desired, need.Agents)
			}
		}
	}
}

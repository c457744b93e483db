package sim

import (
	"strconv"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/scaling"
	"github.com/frontline-dev/frontline/internal/scenario"
)

// UnscheduledName is Frontline on the same run without the plan that
// prepares for the scenario's announced events: what reacting alone does.
const UnscheduledName = "frontline-unscheduled"

// KnownEventLead is the lead time the plan for an announced event gives
// people: the API's default.
const KnownEventLead = 15 * time.Minute

// KnownEventPlan is the SurgePlan a support lead would write for a
// scenario's announced events: each one scheduled at its time into a run
// that starts at start, expecting its factor of every queue's usual
// inflow, with the default lead time; it selects every queue and pins a
// notice.
func KnownEventPlan(events []scenario.KnownEvent, start time.Time) supportv1alpha1.SurgePlan {
	p := supportv1alpha1.SurgePlan{
		ObjectMeta: metav1.ObjectMeta{Name: "announced-events"},
		Spec: supportv1alpha1.SurgePlanSpec{Mode: supportv1alpha1.SurgeModeAuto,
			Actions: supportv1alpha1.SurgeActions{PinnedFAQs: []supportv1alpha1.PinnedFAQ{{ID: "announced-event",
				Question: "Why is support busy?", Answer: "An announced event is under way; we have more people on hand."}}}},
	}
	for _, ev := range events {
		factor := supportv1alpha1.Decimal(strconv.FormatFloat(ev.Factor, 'f', -1, 64))
		p.Spec.Schedule = append(p.Spec.Schedule, supportv1alpha1.ScheduledEvent{Name: ev.Name, At: &metav1.Time{Time: start.Add(ev.Start)},
			Duration: metav1.Duration{Duration: ev.Duration}, LeadTime: metav1.Duration{Duration: KnownEventLead},
			Expect: supportv1alpha1.ExpectedInflow{Factor: &factor}})
	}
	return p
}

// RunAnnounced runs every policy with the plan for the scenario's
// announced events added to the queue's plans, then Frontline once more
// without it (named UnscheduledName), and keda-hpa with a cron floor over
// the same windows (KEDACronName), on the same arrivals.
func RunAnnounced(cfg Config, events []scenario.KnownEvent, policies []Policy) ([]Result, error) {
	without := cfg
	cfg.Plans = append(append([]supportv1alpha1.SurgePlan(nil), cfg.Plans...), KnownEventPlan(events, cfg.StartTime()))
	results, err := Run(cfg, policies)
	if err != nil {
		return nil, err
	}
	cron, err := cronFor(without, events)
	if err != nil {
		return nil, err
	}
	more, err := Run(without, []Policy{&Frontline{}, cron})
	if err != nil {
		return nil, err
	}
	more[0].Policy = UnscheduledName
	results = append(results, more...)
	s, err := prepare(cfg)
	if err != nil {
		return nil, err
	}
	for i := range results {
		met := EventStartMet(results[i], events, s.targetSL)
		results[i].EventStartSLMetFraction = &met
	}
	return results, nil
}

// EventStartMinutes is how much of an announced event counts as its
// start: when users panic, and when reacting is too late for people who
// take minutes to log in.
const EventStartMinutes = 15

// EventStartMet is the share of the minutes in the first
// EventStartMinutes of each event whose contacts met target (minutes
// without contacts left out; 1 when there are none).
func EventStartMet(r Result, events []scenario.KnownEvent, target float64) float64 {
	met, n := 0, 0
	for _, ev := range events {
		first := int(ev.Start.Minutes())
		for _, m := range r.Timeline[min(first, len(r.Timeline)):min(first+EventStartMinutes, len(r.Timeline))] {
			if m.ServiceLevel < 0 {
				continue
			}
			n++
			if m.ServiceLevel >= target {
				met++
			}
		}
	}
	if n == 0 {
		return 1
	}
	return float64(met) / float64(n)
}

// KEDACronName is keda-hpa with a KEDA cron trigger beside it.
const KEDACronName = "keda-hpa+cron"

// KEDACron is keda-hpa with a cron trigger: between each window's start
// and end it runs at least Replicas, a fixed count (KEDA takes the
// largest of its triggers).
type KEDACron struct {
	KEDA
	Windows  [][2]float64 // seconds into the run
	Replicas int32
}

func (k *KEDACron) Name() string { return KEDACronName }

func (k *KEDACron) Decide(s *setup, st *state) int32 {
	r := k.KEDA.Decide(s, st)
	for _, w := range k.Windows {
		if st.now >= w[0] && st.now < w[1] {
			r = max(r, scaling.Clamp(k.Replicas, s.shape.Agents.Min, s.shape.Agents.Max))
		}
	}
	return r
}

// cronFor is the cron trigger a platform team would write for the events:
// from the lead time before each to its end, the replicas the capacity
// model gives for the event's inflow (the base times its factor).
func cronFor(cfg Config, events []scenario.KnownEvent) (*KEDACron, error) {
	s, err := prepare(cfg)
	if err != nil {
		return nil, err
	}
	base := cfg.InflowBeforePerHour
	if base <= 0 && len(cfg.Trace) > 0 {
		base = cfg.Trace[0].InflowPerHour
	}
	aht := cfg.Queue.Spec.Agents.AverageHandleTime.Seconds()
	if len(cfg.Trace) > 0 {
		aht = cfg.Trace[0].AHTSeconds
	}
	c := &KEDACron{}
	for _, ev := range events {
		rate := base * ev.Factor / 3600
		need, err := scaling.ComputeNeed(s.shape, s.target, scaling.Measurements{InflowPerSecond: &rate, HandleTimeSeconds: &aht})
		if err != nil {
			return nil, err
		}
		c.Replicas = max(c.Replicas, need.Agents)
		c.Windows = append(c.Windows, [2]float64{(ev.Start - KnownEventLead).Seconds(), (ev.Start + ev.Duration).Seconds()})
	}
	return c, nil
}

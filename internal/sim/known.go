package sim

import (
	"strconv"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/scenario"
)

// UnscheduledName is Frontline on the same run without the plan that
// prepares for the scenario's announced events: what reacting alone does.
const UnscheduledName = "frontline-unscheduled"

// KnownEventLead is the lead time the plan for an announced event gives
// people: the API's default.
const KnownEventLead = 15 * time.Minute

// KnownEventPlan is the SurgePlan a support lead would write for a
// scenario's announced events: each one scheduled at its time into the
// run, expecting its factor of every queue's usual inflow, with the
// default lead time; it selects every queue and pins a notice.
func KnownEventPlan(events []scenario.KnownEvent) supportv1alpha1.SurgePlan {
	p := supportv1alpha1.SurgePlan{
		ObjectMeta: metav1.ObjectMeta{Name: "announced-events"},
		Spec: supportv1alpha1.SurgePlanSpec{Mode: supportv1alpha1.SurgeModeAuto,
			Actions: supportv1alpha1.SurgeActions{PinnedFAQs: []supportv1alpha1.PinnedFAQ{{ID: "announced-event",
				Question: "Why is support busy?", Answer: "An announced event is under way; we have more people on hand."}}}},
	}
	for _, ev := range events {
		factor := supportv1alpha1.Decimal(strconv.FormatFloat(ev.Factor, 'f', -1, 64))
		p.Spec.Schedule = append(p.Spec.Schedule, supportv1alpha1.ScheduledEvent{Name: ev.Name, At: &metav1.Time{Time: at(ev.Start.Seconds())},
			Duration: metav1.Duration{Duration: ev.Duration}, LeadTime: metav1.Duration{Duration: KnownEventLead},
			Expect: supportv1alpha1.ExpectedInflow{Factor: &factor}})
	}
	return p
}

// RunAnnounced runs every policy with the plan for the scenario's
// announced events added to the queue's plans, then Frontline once more
// without it (named UnscheduledName), on the same arrivals.
func RunAnnounced(cfg Config, events []scenario.KnownEvent, policies []Policy) ([]Result, error) {
	without := cfg
	cfg.Plans = append(append([]supportv1alpha1.SurgePlan(nil), cfg.Plans...), KnownEventPlan(events))
	results, err := Run(cfg, policies)
	if err != nil {
		return nil, err
	}
	bare, err := Run(without, []Policy{&Frontline{}})
	if err != nil {
		return nil, err
	}
	bare[0].Policy = UnscheduledName
	return append(results, bare[0]), nil
}

package sim

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

// ApplyDefaults fills the fields the apiserver defaults (the CRDs'
// +kubebuilder:default markers), for resources read from files.
func ApplyDefaults(q *supportv1alpha1.SupportQueue, p *supportv1alpha1.SLAPolicy, plans ...*supportv1alpha1.SurgePlan) {
	d := func(v *metav1.Duration, def time.Duration) {
		if v.Duration == 0 {
			v.Duration = def
		}
	}
	i := func(v *int32, def int32) {
		if *v == 0 {
			*v = def
		}
	}
	if q != nil {
		s := &q.Spec
		if s.Priority == "" {
			s.Priority = "standard"
		}
		i(&s.Agents.MinReplicas, 1)
		i(&s.Agents.Concurrency, 1)
		d(&s.Agents.AverageHandleTime, 4*time.Minute)
		if b := s.Chatbot; b != nil {
			i(&b.MinReplicas, 1)
			i(&b.ConversationsPerReplica, 50)
			d(&b.HandleTime, 90*time.Second)
			if b.Containment == "" {
				b.Containment = "0"
			}
		}
		d(&s.Metrics.PollInterval, 5*time.Second)
		d(&s.Metrics.MaxSampleAge, 2*time.Minute)
		d(&s.Scaling.ScaleDown.StabilizationWindow, 5*time.Minute)
		i(&s.Scaling.ScaleDown.MaxStepPercent, 25)
		i(&s.Metrics.FallbackAfter, 4)
	}
	if p != nil {
		if p.Spec.MaxOccupancy == "" {
			p.Spec.MaxOccupancy = "0.85"
		}
		if p.Spec.Shrinkage == "" {
			p.Spec.Shrinkage = "0.3"
		}
		if p.Spec.WarningMargin == "" {
			p.Spec.WarningMargin = "0.05"
		}
		for j := range p.Spec.Targets {
			if p.Spec.Targets[j].Priority == "" {
				p.Spec.Targets[j].Priority = "standard"
			}
		}
	}
	for _, plan := range plans {
		s := &plan.Spec
		if s.Mode == "" {
			s.Mode = supportv1alpha1.SurgeModeAuto
		}
		d(&s.Cooldown.MinActive, 15*time.Minute)
		d(&s.Cooldown.QuietFor, 10*time.Minute)
		d(&s.Cooldown.CoolingDownFor, 5*time.Minute)
		d(&s.EvaluationInterval, 5*time.Second)
		if t := s.Triggers; t != nil {
			if t.InflowSpike != nil {
				d(&t.InflowSpike.Window, 5*time.Minute)
				d(&t.InflowSpike.Baseline, time.Hour)
			}
			if t.Backlog != nil {
				d(&t.Backlog.For, 30*time.Second)
			}
		}
	}
}

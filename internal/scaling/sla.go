package scaling

import (
	"fmt"
	"time"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

// SLAInputs is what the SLA assessment looks at for one queue's agents.
type SLAInputs struct {
	// Target is the service level to meet; Margin how close to it a capped
	// queue may come before it is at risk.
	Target, Margin float64
	// Mode is how the agents were decided (sized, or held without metrics).
	Mode Mode
	// Required is the model's need (0: unknown), Decided the replicas
	// decided, Max the queue's maxReplicas, Ready the agents ready now.
	Required, Decided, Max, Ready int32
	// PredictedAtDecided and PredictedAtReady are the model's service
	// level at the decided and at the ready agents.
	PredictedAtDecided, PredictedAtReady float64
	// Observed is the service level the queue's query reports (nil: none).
	Observed *float64
	// ObservedAnswerRate and ObservedResolution (seconds) are the queue's
	// other observed figures (nil: no query), compared with the policy's
	// AnswerRate and Resolution (zero: no target).
	ObservedAnswerRate, ObservedResolution *float64
	AnswerRate                             float64
	Resolution                             time.Duration
}

// SLAAssessment is a queue's state with the reason and a message for its
// SLAAtRisk condition.
type SLAAssessment struct {
	State   supportv1alpha1.QueueSLAState
	Reason  string
	Message string
}

// AssessSLA says whether a queue is at risk. A queue running the agents
// its model asked for is not: sizing aims at the target, so being near it
// is the plan, not a risk. At risk or in breach only when capacity is
// capped (maxReplicas below the need), held (metrics unusable, the need
// unknown), lagging (agents not ready yet, and the ready ones predicted
// short), or when the observed service level is below the target.
func AssessSLA(in SLAInputs) SLAAssessment {
	pct := func(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }
	switch {
	case in.Observed != nil && *in.Observed < in.Target:
		return SLAAssessment{supportv1alpha1.QueueSLABreached, supportv1alpha1.ReasonObservedBelowTarget,
			fmt.Sprintf("observed service level %s is below the target %s", pct(*in.Observed), pct(in.Target))}
	case in.ObservedAnswerRate != nil && in.AnswerRate > 0 && *in.ObservedAnswerRate < in.AnswerRate:
		return SLAAssessment{supportv1alpha1.QueueSLABreached, supportv1alpha1.ReasonObservedBelowTarget,
			fmt.Sprintf("observed answer rate %s is below the target %s", pct(*in.ObservedAnswerRate), pct(in.AnswerRate))}
	case in.ObservedResolution != nil && in.Resolution > 0 && *in.ObservedResolution > in.Resolution.Seconds():
		observed := SecondsDuration(*in.ObservedResolution).Round(time.Second)
		return SLAAssessment{supportv1alpha1.QueueSLABreached, supportv1alpha1.ReasonObservedBelowTarget,
			fmt.Sprintf("observed resolution time %s is longer than the target %s", observed, in.Resolution)}
	case in.Mode == ModeSized && in.Required > in.Decided && in.Decided >= in.Max:
		msg := fmt.Sprintf("the model needs %d agents, maxReplicas is %d: predicted service level %s, target %s",
			in.Required, in.Max, pct(in.PredictedAtDecided), pct(in.Target))
		if in.PredictedAtDecided < in.Target {
			return SLAAssessment{supportv1alpha1.QueueSLABreached, supportv1alpha1.ReasonBelowTarget, msg}
		}
		if in.PredictedAtDecided < in.Target+in.Margin {
			return SLAAssessment{supportv1alpha1.QueueSLAAtRisk, supportv1alpha1.ReasonCappedAtMax, msg}
		}
	case in.Mode == ModeHolding || in.Mode == ModeFallback:
		return SLAAssessment{supportv1alpha1.QueueSLAAtRisk, supportv1alpha1.ReasonMetricsHeld,
			fmt.Sprintf("agents held at %d while metrics are unusable: the need is unknown", in.Decided)}
	case in.Ready < in.Decided && in.PredictedAtReady < in.Target:
		return SLAAssessment{supportv1alpha1.QueueSLAAtRisk, supportv1alpha1.ReasonPodsNotReady,
			fmt.Sprintf("%d of %d agents ready: predicted service level %s at the ready ones, target %s",
				in.Ready, in.Decided, pct(in.PredictedAtReady), pct(in.Target))}
	}
	return SLAAssessment{supportv1alpha1.QueueSLAMet, supportv1alpha1.ReasonWithinTarget,
		fmt.Sprintf("running %d agents, the model asks for %d: predicted service level %s, target %s",
			in.Decided, in.Required, pct(in.PredictedAtDecided), pct(in.Target))}
}

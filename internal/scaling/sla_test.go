package scaling

import (
	"testing"
	"time"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

func TestAssessSLA(t *testing.T) {
	healthy := SLAInputs{Target: 0.8, Margin: 0.05, Mode: ModeSized, Required: 4, Decided: 4, Max: 40, Ready: 4,
		PredictedAtDecided: 0.806, PredictedAtReady: 0.806}
	with := func(f func(*SLAInputs)) SLAInputs { in := healthy; f(&in); return in }
	low, fine, slow := 0.7, 0.9, 2400.0
	for _, tc := range []struct {
		name   string
		in     SLAInputs
		state  supportv1alpha1.QueueSLAState
		reason string
	}{
		// The case: sized exactly at the target, within the margin.
		{"healthy queue at its need, near the target", healthy, supportv1alpha1.QueueSLAMet, supportv1alpha1.ReasonWithinTarget},
		{"scale-down pending: more than needed", with(func(in *SLAInputs) { in.Decided, in.Ready, in.PredictedAtDecided = 6, 6, 0.95 }), supportv1alpha1.QueueSLAMet, supportv1alpha1.ReasonWithinTarget},
		{"capped, still within the margin", with(func(in *SLAInputs) { in.Required, in.Decided, in.Max, in.PredictedAtDecided = 5, 4, 4, 0.82 }), supportv1alpha1.QueueSLAAtRisk, supportv1alpha1.ReasonCappedAtMax},
		{"capped, below the target", with(func(in *SLAInputs) { in.Required, in.Decided, in.Max, in.PredictedAtDecided = 9, 4, 4, 0.41 }), supportv1alpha1.QueueSLABreached, supportv1alpha1.ReasonBelowTarget},
		{"capped yet comfortably above", with(func(in *SLAInputs) { in.Required, in.Decided, in.Max, in.PredictedAtDecided = 5, 4, 4, 0.9 }), supportv1alpha1.QueueSLAMet, supportv1alpha1.ReasonWithinTarget},
		{"metrics held", with(func(in *SLAInputs) { in.Mode = ModeHolding }), supportv1alpha1.QueueSLAAtRisk, supportv1alpha1.ReasonMetricsHeld},
		{"fallback replicas", with(func(in *SLAInputs) { in.Mode = ModeFallback }), supportv1alpha1.QueueSLAAtRisk, supportv1alpha1.ReasonMetricsHeld},
		{"pods lagging, ready ones short", with(func(in *SLAInputs) { in.Decided, in.Ready, in.PredictedAtReady = 20, 8, 0.1 }), supportv1alpha1.QueueSLAAtRisk, supportv1alpha1.ReasonPodsNotReady},
		{"pods lagging, ready ones enough", with(func(in *SLAInputs) { in.Decided, in.Ready, in.PredictedAtReady = 6, 5, 0.85 }), supportv1alpha1.QueueSLAMet, supportv1alpha1.ReasonWithinTarget},
		{"observed below the target", with(func(in *SLAInputs) { in.Observed = &low }), supportv1alpha1.QueueSLABreached, supportv1alpha1.ReasonObservedBelowTarget},
		{"observed fine", with(func(in *SLAInputs) { in.Observed = &fine }), supportv1alpha1.QueueSLAMet, supportv1alpha1.ReasonWithinTarget},
		{"answer rate below its target", with(func(in *SLAInputs) { in.AnswerRate, in.ObservedAnswerRate = 0.95, &fine }), supportv1alpha1.QueueSLABreached, supportv1alpha1.ReasonObservedBelowTarget},
		{"answer rate met", with(func(in *SLAInputs) { in.AnswerRate, in.ObservedAnswerRate = 0.85, &fine }), supportv1alpha1.QueueSLAMet, supportv1alpha1.ReasonWithinTarget},
		{"answer rate without a target", with(func(in *SLAInputs) { in.ObservedAnswerRate = &low }), supportv1alpha1.QueueSLAMet, supportv1alpha1.ReasonWithinTarget},
		{"resolution longer than its target", with(func(in *SLAInputs) { in.Resolution, in.ObservedResolution = 30*time.Minute, &slow }), supportv1alpha1.QueueSLABreached, supportv1alpha1.ReasonObservedBelowTarget},
		{"resolution within its target", with(func(in *SLAInputs) { in.Resolution, in.ObservedResolution = time.Hour, &slow }), supportv1alpha1.QueueSLAMet, supportv1alpha1.ReasonWithinTarget},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := AssessSLA(tc.in)
			if got.State != tc.state || got.Reason != tc.reason || got.Message == "" {
				t.Errorf("got %+v, want %s/%s", got, tc.state, tc.reason)
			}
		})
	}
}

// TestBotFirstForecastMatchesSizing: an email queue whose bot's reply meets
// the first-response target is sized without the backlog; its forecast at
// the sized agents must not then read the backlog and report a breach.
func TestBotFirstForecastMatchesSizing(t *testing.T) {
	shape := Shape{Agents: Agents{Min: 1, Max: 100, Concurrency: 1, DefaultHandleTime: 360e9},
		Bots: &Bots{Min: 1, Max: 10, ConversationsPerReplica: 50, HandleTime: 30e9, Containment: 0.4}}
	target := Target{FirstResponse: 4 * 3600e9, MaxOccupancy: 0.85, Shrinkage: 0.3, BotFirstResponse: true}
	rate, backlog := 0.05, 5000.0
	need, err := ComputeNeed(shape, target, Measurements{InflowPerSecond: &rate, Backlog: &backlog})
	if err != nil {
		t.Fatal(err)
	}
	p := Predict(need.Agents, shape, target, need.Prediction.HumanInflow, need.Prediction.HandleSeconds, backlog)
	if p.ServiceLevel < 0.5 {
		t.Errorf("sized %d agents, forecast service level %.3f at them", need.Agents, p.ServiceLevel)
	}
}

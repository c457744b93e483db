package scaling

import (
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/inflow"
)

// ShapeOf reads a SupportQueue's capacity settings.
func ShapeOf(q *supportv1alpha1.SupportQueue) (Shape, error) {
	a := q.Spec.Agents
	shape := Shape{Agents: Agents{
		Min: a.MinReplicas, Max: a.MaxReplicas,
		Concurrency: max(a.Concurrency, 1), DefaultHandleTime: a.AverageHandleTime.Duration,
	}}
	if b := q.Spec.Chatbot; b != nil {
		containment, err := b.Containment.Float64()
		if err != nil {
			return Shape{}, fmt.Errorf("spec.chatbot.containment: %w", err)
		}
		shape.Bots = &Bots{
			Min: b.MinReplicas, Max: b.MaxReplicas, ConversationsPerReplica: max(b.ConversationsPerReplica, 1),
			HandleTime: b.HandleTime.Duration, Containment: containment,
		}
	}
	return shape, nil
}

// ErrNoTarget means the policy has no target for the queue's channel and
// priority.
type ErrNoTarget struct{ Channel, Priority string }

func (e ErrNoTarget) Error() string {
	return fmt.Sprintf("policy has no target for channel %q and priority %q", e.Channel, e.Priority)
}

// TargetOf picks the policy's target for a channel and priority; the
// target's own headroom, when set, replaces the policy's.
func TargetOf(p *supportv1alpha1.SLAPolicy, channel supportv1alpha1.Channel, priority string) (Target, error) {
	if priority == "" {
		priority = "standard"
	}
	occ, err := p.Spec.MaxOccupancy.Float64()
	if err != nil {
		return Target{}, fmt.Errorf("spec.maxOccupancy: %w", err)
	}
	shrink, err := p.Spec.Shrinkage.Float64()
	if err != nil {
		return Target{}, fmt.Errorf("spec.shrinkage: %w", err)
	}
	headroom := 0.0
	if p.Spec.Headroom != "" {
		if headroom, err = p.Spec.Headroom.Float64(); err != nil {
			return Target{}, fmt.Errorf("spec.headroom: %w", err)
		}
	}
	for i, t := range p.Spec.Targets {
		tp := t.Priority
		if tp == "" {
			tp = "standard"
		}
		if t.Channel != channel || tp != priority {
			continue
		}
		target := Target{RealTime: channel.IsRealTime(), MaxOccupancy: occ, Shrinkage: shrink, Headroom: headroom,
			BotFirstResponse: p.Spec.BotRepliesCountAsFirstResponse}
		if t.Headroom != nil {
			if target.Headroom, err = t.Headroom.Float64(); err != nil {
				return Target{}, fmt.Errorf("spec.targets[%d].headroom: %w", i, err)
			}
		}
		if t.ServiceLevel != nil {
			target.ServiceLevel = float64(t.ServiceLevel.Percent) / 100
			target.Within = t.ServiceLevel.Within.Duration
		}
		if t.FirstResponse != nil {
			target.FirstResponse = t.FirstResponse.Duration
		}
		if t.Resolution != nil {
			target.Resolution = t.Resolution.Duration
		}
		if t.AnswerRatePercent != nil {
			target.AnswerRate = float64(*t.AnswerRatePercent) / 100
		}
		if target.RealTime && t.ServiceLevel == nil || !target.RealTime && t.FirstResponse == nil {
			return Target{}, ErrNoTarget{Channel: string(channel), Priority: priority}
		}
		return target, nil
	}
	return Target{}, ErrNoTarget{Channel: string(channel), Priority: priority}
}

// AnswerWithin is the time a ticket must be answered in: the service
// level's for real-time channels, the first response's for backlog ones.
func (t Target) AnswerWithin() time.Duration {
	if t.RealTime {
		return t.Within
	}
	return t.FirstResponse
}

// TargetServiceLevel is the fraction a prediction is compared with: the
// service-level target for real-time channels, full first-response
// compliance for backlog channels.
func (t Target) TargetServiceLevel() float64 {
	if t.RealTime {
		return t.ServiceLevel
	}
	return 1
}

// InflowParams reads a queue's inflow estimator settings (unset fields
// take the estimator's defaults).
func InflowParams(q *supportv1alpha1.SupportQueue) inflow.Params {
	in := q.Spec.Scaling.Inflow
	d := func(v *metav1.Duration) time.Duration {
		if v == nil {
			return 0
		}
		return v.Duration
	}
	return inflow.Params{FalseAlarmEvery: d(in.FalseAlarmEvery), Horizon: d(in.Horizon), Coverage: d(in.Coverage)}.WithDefaults()
}

// PollInterval is how often the queue's metrics are read (5s unset).
func PollInterval(q *supportv1alpha1.SupportQueue) time.Duration {
	if d := q.Spec.Metrics.PollInterval.Duration; d > 0 {
		return d
	}
	return 5 * time.Second
}

// QueueInputFor is what the queue's spec says of its decision input: its
// shape and target, the scale-down policy (one step per poll) and the
// metrics fallback. The operator, the simulator and the plugin's dry runs
// start from it and add the replicas, measurements and surge they hold.
func QueueInputFor(q *supportv1alpha1.SupportQueue, shape Shape, target *Target, now time.Time) QueueInput {
	m := q.Spec.Metrics
	in := QueueInput{
		Now:           now,
		Shape:         shape,
		Target:        target,
		FallbackAfter: m.FallbackAfter,
		ScaleDown: ScaleDownPolicy{
			Window:         q.Spec.Scaling.ScaleDown.StabilizationWindow.Duration,
			MaxStepPercent: q.Spec.Scaling.ScaleDown.MaxStepPercent,
			StepPeriod:     PollInterval(q),
		},
	}
	if m.OnError == supportv1alpha1.OnMetricsErrorFallback && m.FallbackReplicas != nil {
		a := Clamp(m.FallbackReplicas.Agents, shape.Agents.Min, shape.Agents.Max)
		in.FallbackAgents = &a
		if b := m.FallbackReplicas.Chatbot; b != nil && shape.Bots != nil {
			v := Clamp(*b, shape.Bots.Min, shape.Bots.Max)
			in.FallbackBots = &v
		}
	}
	return in
}

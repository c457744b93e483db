package scaling

import (
	"errors"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

// TestTargetOf: a target is picked by channel and priority ("standard"
// when unset), takes the policy's occupancy, shrinkage and headroom, and
// its own headroom when it sets one, "0" included.
func TestTargetOf(t *testing.T) {
	decimal := func(s string) *supportv1alpha1.Decimal { d := supportv1alpha1.Decimal(s); return &d }
	chat := supportv1alpha1.SLATarget{Channel: supportv1alpha1.ChannelChat,
		ServiceLevel: &supportv1alpha1.ServiceLevelTarget{Percent: 80, Within: metav1.Duration{Duration: 20 * time.Second}}}
	email := supportv1alpha1.SLATarget{Channel: supportv1alpha1.ChannelEmail, FirstResponse: &metav1.Duration{Duration: 4 * time.Hour}}
	with := func(t supportv1alpha1.SLATarget, headroom string) supportv1alpha1.SLATarget {
		t.Headroom = decimal(headroom)
		return t
	}
	vip := with(chat, "0.5")
	vip.Priority = "vip"
	for _, tc := range []struct {
		name     string
		headroom supportv1alpha1.Decimal // the policy's
		targets  []supportv1alpha1.SLATarget
		channel  supportv1alpha1.Channel
		priority string
		want     float64 // headroom resolved
		wantErr  bool
	}{
		{name: "no headroom anywhere", targets: []supportv1alpha1.SLATarget{chat}, channel: "chat"},
		{name: "policy headroom", headroom: "0.95", targets: []supportv1alpha1.SLATarget{chat, email}, channel: "email", want: 0.95},
		{name: "target headroom overrides the policy's", headroom: "0.5", targets: []supportv1alpha1.SLATarget{with(chat, "0.95"), email}, channel: "chat", want: 0.95},
		{name: "a target without headroom inherits the policy's", headroom: "0.5", targets: []supportv1alpha1.SLATarget{with(chat, "0.95"), email}, channel: "email", want: 0.5},
		{name: "target headroom 0 overrides the policy's", headroom: "0.95", targets: []supportv1alpha1.SLATarget{chat, with(email, "0")}, channel: "email"},
		{name: "by priority", targets: []supportv1alpha1.SLATarget{chat, vip}, channel: "chat", priority: "vip", want: 0.5},
		{name: "standard priority by default", targets: []supportv1alpha1.SLATarget{chat, vip}, channel: "chat"},
		{name: "no target for the channel", targets: []supportv1alpha1.SLATarget{chat}, channel: "email", wantErr: true},
		{name: "a target headroom that bypassed admission", targets: []supportv1alpha1.SLATarget{with(chat, "lots")}, channel: "chat", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &supportv1alpha1.SLAPolicy{Spec: supportv1alpha1.SLAPolicySpec{Targets: tc.targets, MaxOccupancy: "0.85", Shrinkage: "0.3", Headroom: tc.headroom}}
			got, err := TargetOf(p, tc.channel, tc.priority)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("got %+v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Headroom != tc.want || got.MaxOccupancy != 0.85 || got.Shrinkage != 0.3 || got.RealTime != tc.channel.IsRealTime() {
				t.Errorf("got %+v, want headroom %v", got, tc.want)
			}
		})
	}
	var noTarget ErrNoTarget
	if _, err := TargetOf(&supportv1alpha1.SLAPolicy{Spec: supportv1alpha1.SLAPolicySpec{Targets: []supportv1alpha1.SLATarget{chat},
		MaxOccupancy: "0.85", Shrinkage: "0.3"}}, "phone", ""); !errors.As(err, &noTarget) || noTarget.Priority != "standard" {
		t.Errorf("phone: %v, want ErrNoTarget for priority standard", err)
	}
}

// TestQueueInputFor: what the spec says of a decision's input, read once
// for the operator, the simulator and the plugin: the poll as the
// scale-down step (5s unset), the fallback clamped to the bounds, bots'
// fallback only for a queue with bots and only under onError Fallback.
func TestQueueInputFor(t *testing.T) {
	bots := int32(50)
	q := &supportv1alpha1.SupportQueue{}
	q.Spec.Scaling.ScaleDown.StabilizationWindow = metav1.Duration{Duration: 5 * time.Minute}
	q.Spec.Scaling.ScaleDown.MaxStepPercent = 20
	q.Spec.Metrics.FallbackAfter = 3
	q.Spec.Metrics.OnError = supportv1alpha1.OnMetricsErrorFallback
	q.Spec.Metrics.FallbackReplicas = &supportv1alpha1.FallbackReplicas{Agents: 99, Chatbot: &bots}
	shape := Shape{Agents: Agents{Min: 2, Max: 40}, Bots: &Bots{Min: 1, Max: 10}}
	now := time.Unix(1e9, 0)

	in := QueueInputFor(q, shape, nil, now)
	if in.ScaleDown.StepPeriod != 5*time.Second || in.ScaleDown.Window != 5*time.Minute || in.ScaleDown.MaxStepPercent != 20 || !in.Now.Equal(now) || in.FallbackAfter != 3 {
		t.Errorf("input %+v", in)
	}
	if in.FallbackAgents == nil || *in.FallbackAgents != 40 || in.FallbackBots == nil || *in.FallbackBots != 10 {
		t.Errorf("fallback %v agents, %v bots: want 40 and 10 (clamped)", in.FallbackAgents, in.FallbackBots)
	}
	q.Spec.Metrics.PollInterval = metav1.Duration{Duration: 15 * time.Second}
	shape.Bots = nil
	if in := QueueInputFor(q, shape, nil, now); in.ScaleDown.StepPeriod != 15*time.Second || in.FallbackBots != nil {
		t.Errorf("poll 15s, no bots: step %v, bots fallback %v", in.ScaleDown.StepPeriod, in.FallbackBots)
	}
	q.Spec.Metrics.OnError = supportv1alpha1.OnMetricsErrorHold
	if in := QueueInputFor(q, shape, nil, now); in.FallbackAgents != nil {
		t.Errorf("onError Hold: fallback %v", *in.FallbackAgents)
	}
}

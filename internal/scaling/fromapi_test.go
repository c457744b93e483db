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

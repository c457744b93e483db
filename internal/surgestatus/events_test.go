package surgestatus

import (
	"errors"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/surge"
)

// TestEvents: each Event is said once, when what it reports changes; a
// calm reconcile that changes nothing says nothing.
func TestEvents(t *testing.T) {
	unreadable := func(msg string) []metav1.Condition {
		return []metav1.Condition{{Type: supportv1alpha1.ConditionTriggersAvailable, Status: metav1.ConditionFalse,
			Reason: supportv1alpha1.ReasonTriggerUnreadable, Message: msg}}
	}
	invalid := []metav1.Condition{{Type: supportv1alpha1.ConditionReady, Status: metav1.ConditionFalse, Reason: supportv1alpha1.ReasonInvalidOverride}}
	until := metav1.NewTime(t0.Add(-time.Minute))
	inForce := &supportv1alpha1.ManualChange{Mode: supportv1alpha1.SurgeModeAlways, By: "oncall", Until: &until}
	expired := inForce.DeepCopy()
	expired.Expired = true
	cases := []struct {
		name          string
		before, after supportv1alpha1.SurgePlanStatus
		tr            *surge.Transition
		overrideErr   error
		want          []string // "Type Reason: message"
	}{
		{name: "calm: nothing"},
		{name: "a trigger becomes unreadable", after: supportv1alpha1.SurgePlanStatus{Conditions: unreadable("volatility: timeout")},
			want: []string{"Warning TriggerUnreadable: volatility: timeout"}},
		{name: "still unreadable, same reason: said once", before: supportv1alpha1.SurgePlanStatus{Conditions: unreadable("volatility: timeout")},
			after: supportv1alpha1.SurgePlanStatus{Conditions: unreadable("volatility: timeout")}},
		{name: "unreadable for another reason", before: supportv1alpha1.SurgePlanStatus{Conditions: unreadable("volatility: timeout")},
			after: supportv1alpha1.SurgePlanStatus{Conditions: unreadable("volatility: unauthorized")},
			want:  []string{"Warning TriggerUnreadable: volatility: unauthorized"}},
		{name: "an invalid override newly seen", overrideErr: errors.New(`annotation "until": not a time`),
			want: []string{`Warning InvalidOverride: annotation "until": not a time (ignored)`}},
		{name: "the same invalid override again", before: supportv1alpha1.SurgePlanStatus{Conditions: invalid}, overrideErr: errors.New("bad")},
		{name: "an override expires", before: supportv1alpha1.SurgePlanStatus{Manual: inForce}, after: supportv1alpha1.SurgePlanStatus{Manual: expired},
			want: []string{"Normal ManualExpired: override Always by oncall ended at " + until.UTC().Format(time.RFC3339) + "; following spec.mode Auto"}},
		{name: "an expired override read again", before: supportv1alpha1.SurgePlanStatus{Manual: expired}, after: supportv1alpha1.SurgePlanStatus{Manual: expired}},
		{name: "a transition", tr: &surge.Transition{From: surge.Armed, To: surge.Active, Reason: "Triggered", Message: "inflowSpike fired"},
			want: []string{"Normal Triggered: Armed -> Active: inflowSpike fired"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, after := plan(nil), plan(nil)
			before.Status, after.Status = c.before, c.after
			var got []string
			for _, e := range Events(before, after, c.tr, c.overrideErr, surge.ModeAuto) {
				got = append(got, e.Type+" "+e.Reason+": "+e.Message)
			}
			if len(got) != len(c.want) {
				t.Fatalf("events %q, want %q", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("event %d: %q, want %q", i, got[i], c.want[i])
				}
			}
		})
	}
}

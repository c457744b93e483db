package surgestatus

import (
	"fmt"
	"reflect"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/surge"
)

// Event is one Event a plan's reconcile emits.
type Event struct {
	Type, Reason, Action, Message string
}

// Events are the Events for what changed between the plan as a reconcile
// read it (before) and as it records it (after), each said once: triggers
// that became unreadable (or unreadable for another reason), an invalid
// override newly seen, an override that just expired (mode is what the
// plan follows now), and a transition.
func Events(before, after *supportv1alpha1.SurgePlan, tr *surge.Transition, overrideErr error, mode surge.Mode) []Event {
	var out []Event
	if c := meta.FindStatusCondition(after.Status.Conditions, supportv1alpha1.ConditionTriggersAvailable); c != nil && c.Status == metav1.ConditionFalse {
		if old := meta.FindStatusCondition(before.Status.Conditions, supportv1alpha1.ConditionTriggersAvailable); old == nil || old.Message != c.Message {
			out = append(out, Event{corev1.EventTypeWarning, c.Reason, "ReadTriggers", c.Message})
		}
	}
	if overrideErr != nil && !HasInvalidOverride(before) {
		out = append(out, Event{corev1.EventTypeWarning, supportv1alpha1.ReasonInvalidOverride, "ReadOverride", overrideErr.Error() + " (ignored)"})
	}
	if m := after.Status.Manual; m != nil && m.Expired && !reflect.DeepEqual(before.Status.Manual, m) {
		until := ""
		if m.Until != nil {
			until = m.Until.UTC().Format(time.RFC3339)
		}
		out = append(out, Event{corev1.EventTypeNormal, supportv1alpha1.ReasonManualExpired, "Override",
			fmt.Sprintf("override %s by %s ended at %s; following spec.mode %s", m.Mode, m.By, until, mode)})
	}
	if tr != nil {
		out = append(out, Event{corev1.EventTypeNormal, tr.Reason, "Transition", fmt.Sprintf("%s -> %s: %s", tr.From, tr.To, tr.Message)})
	}
	return out
}

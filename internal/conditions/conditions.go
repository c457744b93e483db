// Package conditions is the one way Frontline writes status conditions. It
// keeps the rules kstatus reads them by (what Argo CD, Flux and kubectl wait
// build on), so no caller can break them by the order it sets things in:
//
//   - Reconciling and Stalled are "abnormal-true": present only while True,
//     removed otherwise, and never both at once;
//   - Stalled means a human must act, so Ready is False for the same reason;
//   - Ready (True or False) set on its own says nothing needs a human, so
//     it clears Stalled;
//   - every condition carries the generation it was decided for.
//
// Check states the same rules for tests.
package conditions

import (
	"fmt"
	"regexp"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

// Setter writes one object's conditions, stamped with its generation.
type Setter struct {
	list       *[]metav1.Condition
	generation int64
}

// For returns the setter of an object's conditions at its generation.
func For(list *[]metav1.Condition, generation int64) Setter {
	return Setter{list: list, generation: generation}
}

// Set sets a condition that is not one of kstatus' own (Ready, Reconciling,
// Stalled have their methods below, which keep their rules).
func (s Setter) Set(conditionType string, status metav1.ConditionStatus, reason, msg string) {
	switch conditionType {
	case supportv1alpha1.ConditionReady, supportv1alpha1.ConditionReconciling, supportv1alpha1.ConditionStalled:
		panic(fmt.Sprintf("conditions: %s is set by its own method", conditionType))
	}
	s.put(conditionType, status, reason, msg)
}

// Remove removes a condition that does not apply to the object.
func (s Setter) Remove(conditionType string) {
	meta.RemoveStatusCondition(s.list, conditionType)
}

// Ready: the object is serving and nothing needs a human.
func (s Setter) Ready(reason, msg string) {
	meta.RemoveStatusCondition(s.list, supportv1alpha1.ConditionStalled)
	s.put(supportv1alpha1.ConditionReady, metav1.ConditionTrue, reason, msg)
}

// NotReady: part of the object is not sound (an invalid override, an event
// that cannot be scheduled) while the rest of it is served, so it is not
// stalled; kstatus reads it as in progress.
func (s Setter) NotReady(reason, msg string) {
	meta.RemoveStatusCondition(s.list, supportv1alpha1.ConditionStalled)
	s.put(supportv1alpha1.ConditionReady, metav1.ConditionFalse, reason, msg)
}

// Reconciling: the operator is moving the object towards its spec, or will
// retry what just failed. It leaves Ready as it was: a retry is a
// short-lived signal.
func (s Setter) Reconciling(reason, msg string) {
	meta.RemoveStatusCondition(s.list, supportv1alpha1.ConditionStalled)
	s.put(supportv1alpha1.ConditionReconciling, metav1.ConditionTrue, reason, msg)
}

// Settled: nothing is in progress.
func (s Setter) Settled() {
	meta.RemoveStatusCondition(s.list, supportv1alpha1.ConditionReconciling)
}

// Stalled: progress needs a human. Ready is False for the same reason, and
// the object is no longer Reconciling: retrying will not help.
func (s Setter) Stalled(reason, msg string) {
	meta.RemoveStatusCondition(s.list, supportv1alpha1.ConditionReconciling)
	s.put(supportv1alpha1.ConditionStalled, metav1.ConditionTrue, reason, msg)
	s.put(supportv1alpha1.ConditionReady, metav1.ConditionFalse, reason, msg)
}

func (s Setter) put(conditionType string, status metav1.ConditionStatus, reason, msg string) {
	meta.SetStatusCondition(s.list, metav1.Condition{Type: conditionType, Status: status, Reason: reason, Message: msg,
		ObservedGeneration: s.generation})
}

// reasonPattern is metav1.Condition's own rule for a reason.
var reasonPattern = regexp.MustCompile(`^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$`)

// Check reports the first of the rules above that conditions break, for an
// object at generation that has been reconciled at least once.
func Check(list []metav1.Condition, generation int64) error {
	seen := map[string]metav1.Condition{}
	for _, c := range list {
		if _, dup := seen[c.Type]; dup {
			return fmt.Errorf("%s appears twice", c.Type)
		}
		seen[c.Type] = c
		switch {
		case c.Status != metav1.ConditionTrue && c.Status != metav1.ConditionFalse && c.Status != metav1.ConditionUnknown:
			return fmt.Errorf("%s has status %q", c.Type, c.Status)
		case !reasonPattern.MatchString(c.Reason):
			return fmt.Errorf("%s has reason %q, not CamelCase", c.Type, c.Reason)
		case c.ObservedGeneration != generation:
			return fmt.Errorf("%s was decided for generation %d, the object is at %d", c.Type, c.ObservedGeneration, generation)
		}
	}
	ready, hasReady := seen[supportv1alpha1.ConditionReady]
	reconciling, isReconciling := seen[supportv1alpha1.ConditionReconciling]
	stalled, isStalled := seen[supportv1alpha1.ConditionStalled]
	switch {
	case !hasReady:
		return fmt.Errorf("no Ready condition")
	case isReconciling && reconciling.Status != metav1.ConditionTrue:
		return fmt.Errorf("Reconciling is %s: an abnormal-true condition is removed, not set False", reconciling.Status)
	case isStalled && stalled.Status != metav1.ConditionTrue:
		return fmt.Errorf("Stalled is %s: an abnormal-true condition is removed, not set False", stalled.Status)
	case isReconciling && isStalled:
		return fmt.Errorf("both Reconciling (%s) and Stalled (%s)", reconciling.Reason, stalled.Reason)
	case isStalled && ready.Status != metav1.ConditionFalse:
		return fmt.Errorf("Stalled (%s) but Ready is %s", stalled.Reason, ready.Status)
	case isStalled && ready.Reason != stalled.Reason:
		return fmt.Errorf("Stalled for %s but Ready False for %s", stalled.Reason, ready.Reason)
	}
	return nil
}

package queuestatus

import (
	"fmt"
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/conditions"
)

// PolicySummary is an SLAPolicy's status from the queues that use it. Each queue's state is
// the one its own status carries (status.sla, from scaling.AssessSLA), so
// the policy and the queue cannot disagree.
func PolicySummary(prev supportv1alpha1.SLAPolicyStatus, generation int64, queues []supportv1alpha1.SupportQueue) supportv1alpha1.SLAPolicyStatus {
	st := supportv1alpha1.SLAPolicyStatus{Conditions: prev.Conditions, ObservedGeneration: generation}
	var atRisk, breached []string
	for _, q := range queues {
		qs := supportv1alpha1.QueueSLAStatus{Name: q.Name, Channel: q.Spec.Channel, State: supportv1alpha1.QueueSLAUnknown}
		if pred := q.Status.Prediction; pred != nil {
			qs.TargetServiceLevel, qs.PredictedServiceLevel = pred.TargetServiceLevel, pred.ServiceLevel
		}
		if m := q.Status.Measured; m != nil {
			qs.ObservedServiceLevel = m.ServiceLevel
		}
		switch q.Status.SLA {
		case supportv1alpha1.QueueSLAMet:
			qs.State = supportv1alpha1.QueueSLAMet
		case supportv1alpha1.QueueSLABreached:
			qs.State = supportv1alpha1.QueueSLABreached
			breached = append(breached, q.Name)
		case supportv1alpha1.QueueSLAAtRisk:
			qs.State = supportv1alpha1.QueueSLAAtRisk
			atRisk = append(atRisk, q.Name)
		}
		st.Queues = append(st.Queues, qs)
	}
	sort.Slice(st.Queues, func(i, j int) bool { return st.Queues[i].Name < st.Queues[j].Name })
	st.QueueCount, st.AtRiskCount, st.BreachedCount = int32(len(queues)), int32(len(atRisk)), int32(len(breached))

	conds := conditions.For(&st.Conditions, generation)
	set := conds.Set
	if len(breached) > 0 {
		set(supportv1alpha1.ConditionSLABreached, metav1.ConditionTrue, supportv1alpha1.ReasonBelowTarget, fmt.Sprintf("below target (capped at maxReplicas, or observed): %v", breached))
	} else {
		set(supportv1alpha1.ConditionSLABreached, metav1.ConditionFalse, supportv1alpha1.ReasonWithinTarget, "no queue is below target")
	}
	if len(atRisk) > 0 {
		set(supportv1alpha1.ConditionSLAAtRisk, metav1.ConditionTrue, supportv1alpha1.ReasonAtRisk, fmt.Sprintf("at risk (capped, metrics held or agents not ready): %v", atRisk))
	} else {
		set(supportv1alpha1.ConditionSLAAtRisk, metav1.ConditionFalse, supportv1alpha1.ReasonWithinTarget, "no queue is at risk")
	}
	conds.Ready(supportv1alpha1.ReasonSucceeded, fmt.Sprintf("%d queues use this policy", len(queues)))
	return st
}

package queuestatus

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/conditions"
)

// TestPolicySummary: a policy counts each queue by the state its status
// carries, whatever the reason its SLAAtRisk condition gives; a queue not
// yet assessed is Unknown and counted in neither list.
func TestPolicySummary(t *testing.T) {
	q := func(name string, sla supportv1alpha1.QueueSLAState, reason string) supportv1alpha1.SupportQueue {
		out := supportv1alpha1.SupportQueue{ObjectMeta: metav1.ObjectMeta{Name: name}}
		out.Status.SLA = sla
		if reason != "" {
			out.Status.Conditions = []metav1.Condition{{Type: supportv1alpha1.ConditionSLAAtRisk, Status: metav1.ConditionTrue, Reason: reason}}
		}
		return out
	}
	cases := []struct {
		name              string
		queues            []supportv1alpha1.SupportQueue
		atRisk, breached  int32
		breachedCondition metav1.ConditionStatus
		atRiskCondition   metav1.ConditionStatus
		states            []supportv1alpha1.QueueSLAState // by name
	}{
		{name: "all met", queues: []supportv1alpha1.SupportQueue{q("a", supportv1alpha1.QueueSLAMet, ""), q("b", supportv1alpha1.QueueSLAMet, "")},
			breachedCondition: metav1.ConditionFalse, atRiskCondition: metav1.ConditionFalse,
			states: []supportv1alpha1.QueueSLAState{supportv1alpha1.QueueSLAMet, supportv1alpha1.QueueSLAMet}},
		// A breach for a reason the summary never heard of is still a breach.
		{name: "one breached for a new reason, one at risk, one not assessed", queues: []supportv1alpha1.SupportQueue{
			q("c", supportv1alpha1.QueueSLABreached, "SomeNewReason"), q("a", supportv1alpha1.QueueSLAAtRisk, supportv1alpha1.ReasonMetricsHeld), q("b", "", "")},
			atRisk: 1, breached: 1, breachedCondition: metav1.ConditionTrue, atRiskCondition: metav1.ConditionTrue,
			states: []supportv1alpha1.QueueSLAState{supportv1alpha1.QueueSLAAtRisk, supportv1alpha1.QueueSLAUnknown, supportv1alpha1.QueueSLABreached}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := PolicySummary(supportv1alpha1.SLAPolicyStatus{}, 4, c.queues)
			if st.AtRiskCount != c.atRisk || st.BreachedCount != c.breached || st.QueueCount != int32(len(c.queues)) || st.ObservedGeneration != 4 {
				t.Errorf("counts %d/%d of %d, want %d/%d", st.AtRiskCount, st.BreachedCount, st.QueueCount, c.atRisk, c.breached)
			}
			for i, want := range c.states {
				if st.Queues[i].State != want {
					t.Errorf("queue %s: %s, want %s", st.Queues[i].Name, st.Queues[i].State, want)
				}
			}
			if cond := meta.FindStatusCondition(st.Conditions, supportv1alpha1.ConditionSLABreached); cond == nil || cond.Status != c.breachedCondition {
				t.Errorf("SLABreached %+v", cond)
			}
			if cond := meta.FindStatusCondition(st.Conditions, supportv1alpha1.ConditionSLAAtRisk); cond == nil || cond.Status != c.atRiskCondition {
				t.Errorf("SLAAtRisk %+v", cond)
			}
			if err := conditions.Check(st.Conditions, 4); err != nil {
				t.Errorf("conditions break kstatus' rules: %v", err)
			}
		})
	}
}

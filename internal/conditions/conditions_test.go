package conditions

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

// TestTransitions: whatever state an object's conditions are in, each
// operation leaves them within kstatus' rules, and kstatus reads the result
// as the operation means.
func TestTransitions(t *testing.T) {
	const gen = 3
	starts := map[string][]metav1.Condition{
		"new":         nil,
		"ready":       {ready(metav1.ConditionTrue, "Succeeded")},
		"stalled":     {ready(metav1.ConditionFalse, "NameConflict"), abnormal(supportv1alpha1.ConditionStalled, "NameConflict")},
		"reconciling": {ready(metav1.ConditionTrue, "Succeeded"), abnormal(supportv1alpha1.ConditionReconciling, "Scaling")},
		"not ready":   {ready(metav1.ConditionFalse, "InvalidOverride")},
	}
	ops := []struct {
		name string
		do   func(Setter)
		want status.Status
		// or: the kstatus it reads as when Ready was never set before.
		wantNew status.Status
	}{
		{"settled and ready", func(s Setter) { s.Settled(); s.Ready("Succeeded", "children applied") }, status.CurrentStatus, status.CurrentStatus},
		{"ready, then reconciling", func(s Setter) { s.Ready("Succeeded", "ok"); s.Reconciling("Scaling", "agents 3/5") }, status.InProgressStatus, status.InProgressStatus},
		{"stalled", func(s Setter) { s.Stalled("NameConflict", "Service exists") }, status.FailedStatus, status.FailedStatus},
		{"reconciling, then stalled", func(s Setter) {
			s.Ready("Succeeded", "ok")
			s.Reconciling("ApplyFailed", "conflict")
			s.Stalled("InvalidSpec", "bad")
		}, status.FailedStatus, status.FailedStatus},
		{"stalled, then ready", func(s Setter) { s.Stalled("InvalidSpec", "bad"); s.Ready("Succeeded", "fixed") }, status.CurrentStatus, status.CurrentStatus},
		// kstatus reads Ready False alone as still in progress.
		{"not ready, not stalled", func(s Setter) { s.Settled(); s.NotReady("InvalidOverride", "bad annotation") }, status.InProgressStatus, status.InProgressStatus},
	}
	for startName, start := range starts {
		for _, op := range ops {
			t.Run(startName+"/"+op.name, func(t *testing.T) {
				list := append([]metav1.Condition(nil), start...)
				for i := range list {
					list[i].ObservedGeneration = gen
				}
				s := For(&list, gen)
				s.Set(supportv1alpha1.ConditionMetricsAvailable, metav1.ConditionTrue, "Succeeded", "read")
				op.do(s)
				if err := Check(list, gen); err != nil {
					t.Fatalf("%v\n%+v", err, list)
				}
				got := kstatusOf(t, list, gen)
				want := op.want
				if start == nil {
					want = op.wantNew
				}
				if got != want {
					t.Errorf("kstatus %s, want %s\n%+v", got, want, list)
				}
			})
		}
	}
}

// TestSetRefusesKstatusConditions: Ready, Reconciling and Stalled only go
// through the methods that keep their rules.
func TestSetRefusesKstatusConditions(t *testing.T) {
	for _, typ := range []string{supportv1alpha1.ConditionReady, supportv1alpha1.ConditionReconciling, supportv1alpha1.ConditionStalled} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Set(%s) was allowed", typ)
				}
			}()
			var list []metav1.Condition
			For(&list, 1).Set(typ, metav1.ConditionTrue, "Succeeded", "")
		}()
	}
}

// TestCheck: each rule, broken on its own, is reported.
func TestCheck(t *testing.T) {
	const gen = 2
	ok := []metav1.Condition{ready(metav1.ConditionTrue, "Succeeded")}
	cases := []struct {
		name  string
		edit  func([]metav1.Condition) []metav1.Condition
		inErr string // "" for none
	}{
		{"healthy", func(l []metav1.Condition) []metav1.Condition { return l }, ""},
		{"no Ready", func([]metav1.Condition) []metav1.Condition { return nil }, "no Ready"},
		{"old generation", func(l []metav1.Condition) []metav1.Condition { l[0].ObservedGeneration = 1; return l }, "generation 1"},
		{"reason not CamelCase", func(l []metav1.Condition) []metav1.Condition { l[0].Reason = "not found"; return l }, "not CamelCase"},
		{"twice", func(l []metav1.Condition) []metav1.Condition { return append(l, l[0]) }, "twice"},
		{"Reconciling False", func(l []metav1.Condition) []metav1.Condition {
			c := abnormal(supportv1alpha1.ConditionReconciling, "Done")
			c.Status = metav1.ConditionFalse
			return append(l, c)
		}, "removed, not set False"},
		{"Stalled False", func(l []metav1.Condition) []metav1.Condition {
			c := abnormal(supportv1alpha1.ConditionStalled, "Fine")
			c.Status = metav1.ConditionFalse
			return append(l, c)
		}, "removed, not set False"},
		{"Stalled while Ready", func(l []metav1.Condition) []metav1.Condition {
			return append(l, abnormal(supportv1alpha1.ConditionStalled, "Succeeded"))
		}, "Ready is True"},
		{"Stalled and Reconciling", func(l []metav1.Condition) []metav1.Condition {
			l[0] = ready(metav1.ConditionFalse, "InvalidSpec")
			return append(l, abnormal(supportv1alpha1.ConditionStalled, "InvalidSpec"), abnormal(supportv1alpha1.ConditionReconciling, "Scaling"))
		}, "both"},
		{"Ready's reason is not the stall's", func(l []metav1.Condition) []metav1.Condition {
			l[0] = ready(metav1.ConditionFalse, "SLAPolicyNotFound")
			return append(l, abnormal(supportv1alpha1.ConditionStalled, "NoTargetForChannel"))
		}, "Ready False for SLAPolicyNotFound"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			list := c.edit(append([]metav1.Condition(nil), ok...))
			for i := range list {
				if list[i].ObservedGeneration == 0 {
					list[i].ObservedGeneration = gen
				}
			}
			err := Check(list, gen)
			switch {
			case c.inErr == "" && err != nil:
				t.Errorf("unexpected %v", err)
			case c.inErr != "" && (err == nil || !strings.Contains(err.Error(), c.inErr)):
				t.Errorf("error %v, want one containing %q", err, c.inErr)
			}
		})
	}
}

func ready(s metav1.ConditionStatus, reason string) metav1.Condition {
	return metav1.Condition{Type: supportv1alpha1.ConditionReady, Status: s, Reason: reason}
}

func abnormal(typ, reason string) metav1.Condition {
	return metav1.Condition{Type: typ, Status: metav1.ConditionTrue, Reason: reason}
}

// kstatusOf is what kstatus computes for an object carrying the conditions.
func kstatusOf(t *testing.T, list []metav1.Condition, gen int64) status.Status {
	t.Helper()
	q := &supportv1alpha1.SupportQueue{ObjectMeta: metav1.ObjectMeta{Name: "q", Namespace: "n", Generation: gen}}
	q.Status.ObservedGeneration = gen
	q.Status.Conditions = list
	q.SetGroupVersionKind(supportv1alpha1.GroupVersion.WithKind("SupportQueue"))
	raw, err := runtime.DefaultUnstructuredConverter.ToUnstructured(q)
	if err != nil {
		t.Fatal(err)
	}
	res, err := status.Compute(&unstructured.Unstructured{Object: raw})
	if err != nil {
		t.Fatal(err)
	}
	if meta.FindStatusCondition(list, supportv1alpha1.ConditionReady) == nil {
		t.Fatal("no Ready")
	}
	return res.Status
}

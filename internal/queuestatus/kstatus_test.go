package queuestatus

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/metrics"
	"github.com/frontline-dev/frontline/internal/scaling"
)

// TestKstatusReadsTheProjection: the statuses the projection writes are
// read by kstatus (what Flux, Argo CD's health checks and kubectl wait
// build on) as they mean: a settled queue is Current, one whose pods lag
// a rise is InProgress, one that needs a human is Failed, and one whose
// spec changed since the last projection is InProgress.
func TestKstatusReadsTheProjection(t *testing.T) {
	steady := scene{queue: chatQueue(60), policy: chatPolicy("0.05"), reading: gauge(400), readyAgents: -1}.settled(t)
	held := scene{queue: steady.queue, policy: steady.policy,
		reading: &metrics.Reading{Reason: supportv1alpha1.ReasonMetricsQueryFailed, Message: "connection refused"}, readyAgents: -1}
	lagging := scene{queue: steady.queue, policy: steady.policy, reading: gauge(600), readyAgents: steady.queue.Status.Agents.DesiredReplicas}
	for _, tc := range []struct {
		name    string
		project func(t *testing.T) supportv1alpha1.SupportQueueStatus
		// generation is the queue's generation when kstatus reads it (0:
		// the one projected).
		generation int64
		want       status.Status
	}{
		{"healthy and settled", steadyStatus(steady), 0, status.CurrentStatus},
		{"metrics held: serving, not progressing", steadyStatus(held), 0, status.CurrentStatus},
		{"pods lagging a rise", steadyStatus(lagging), 0, status.InProgressStatus},
		{"name conflict: needs a human", func(t *testing.T) supportv1alpha1.SupportQueueStatus {
			return projectWith(t, steady, func(in *Input) {
				in.NameConflicts = []string{`Service "retail" exists and was not created by Frontline`}
			})
		}, 0, status.FailedStatus},
		{"SLA policy missing: needs a human", func(t *testing.T) supportv1alpha1.SupportQueueStatus {
			return projectWith(t, steady, func(in *Input) {
				in.Policy, in.Target = nil, nil
				in.PolicyErr = errString(`SLAPolicy "retail" not found`)
			})
		}, 0, status.FailedStatus},
		{"spec changed since: not yet observed", steadyStatus(steady), 3, status.InProgressStatus},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := steady.queue.DeepCopy()
			q.Status = tc.project(t)
			if tc.generation != 0 {
				q.Generation = tc.generation
			}
			u := toUnstructured(t, q)
			res, err := status.Compute(u)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.want {
				t.Errorf("kstatus %s (%s), want %s; conditions %+v", res.Status, res.Message, tc.want, q.Status.Conditions)
			}
		})
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// steadyStatus projects the scene as it is.
func steadyStatus(s scene) func(t *testing.T) supportv1alpha1.SupportQueueStatus {
	return func(t *testing.T) supportv1alpha1.SupportQueueStatus {
		st, _, _ := s.run(t)
		return st
	}
}

// projectWith projects the scene with its input changed by edit.
func projectWith(t *testing.T, s scene, edit func(*Input)) supportv1alpha1.SupportQueueStatus {
	t.Helper()
	_, _, d := s.run(t)
	in := Input{Now: now, Queue: s.queue, Policy: s.policy, Reading: s.reading, AgentsReady: d.Agents.Replicas, Decision: d}
	var err error
	if in.Shape, err = scaling.ShapeOf(s.queue); err != nil {
		t.Fatal(err)
	}
	target, err := scaling.TargetOf(s.policy, s.queue.Spec.Channel, s.queue.Spec.Priority)
	if err != nil {
		t.Fatal(err)
	}
	in.Target = &target
	edit(&in)
	st, _ := Project(in)
	return st
}

func toUnstructured(t *testing.T, q *supportv1alpha1.SupportQueue) *unstructured.Unstructured {
	t.Helper()
	q.SetGroupVersionKind(supportv1alpha1.GroupVersion.WithKind("SupportQueue"))
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(q)
	if err != nil {
		t.Fatal(err)
	}
	return &unstructured.Unstructured{Object: m}
}

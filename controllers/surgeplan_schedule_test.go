package controllers

import (
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/schedule"
	"github.com/frontline-dev/frontline/test/ticketsim"
)

// TestScheduledEventReadyBeforeItStarts: a listing two minutes ahead with
// a one-minute lead time. The queue (a counter at a calm 300/h) is sized
// by the capacity model for the 3,000/h the event expects at least 60 s
// before the start, not before its window opens; the plan names the event
// as next, then Active while it runs, with an Event for each stage.
func TestScheduledEventReadyBeforeItStarts(t *testing.T) {
	t.Parallel() // minutes of waiting on the clock, in a namespace of its own
	ns := newNamespace(t)
	sim.Set(ns, "desk", ticketsim.Queue{InflowPerHour: 300, Smooth: true})
	q := queue(ns, "desk", "p")
	q.Labels = map[string]string{"desk": "retail"}
	create(t, policy(ns, "p", 80), q)
	waitReplicas(t, ns, "desk-agents", agentsFor(300, 80), time.Minute)

	start := time.Now().Add(2 * time.Minute).Truncate(time.Second)
	lead := time.Minute
	readyBy := start.Add(-lead)
	plan := &supportv1alpha1.SurgePlan{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "listing"},
		Spec: supportv1alpha1.SurgePlanSpec{
			Mode:          supportv1alpha1.SurgeModeAuto,
			QueueSelector: metav1.LabelSelector{MatchLabels: map[string]string{"desk": "retail"}},
			Schedule: []supportv1alpha1.ScheduledEvent{{
				Name: "sol-listing", At: &metav1.Time{Time: start}, Duration: metav1.Duration{Duration: time.Hour},
				LeadTime: metav1.Duration{Duration: lead},
				Expect:   supportv1alpha1.ExpectedInflow{InflowPerHour: new(int64(3000))},
			}},
			Actions: supportv1alpha1.SurgeActions{PinnedFAQs: []supportv1alpha1.PinnedFAQ{{ID: "sol-listing",
				Question: "When can I trade SOL?", Answer: "Trading opens at 12:00 UTC."}}},
			EvaluationInterval: metav1.Duration{Duration: 5 * time.Second},
		},
	}
	create(t, plan)
	eventually(t, 30*time.Second, func() error {
		n := getPlan(t, ns, "listing").Status.NextEvent
		if n == nil || n.Name != "sol-listing" || !n.Start.Time.Equal(start) || !n.ReadyBy.Time.Equal(readyBy) {
			return fmt.Errorf("nextEvent %+v, want sol-listing at %s, ready by %s", n, start, readyBy)
		}
		return nil
	})

	want := agentsFor(3000, 80)
	opens := readyBy.Add(-schedule.ScaleAhead)
	var sizedAt time.Time
	eventually(t, time.Until(start), func() error {
		r, err := deploymentReplicas(ns, "desk-agents")
		if err != nil || r < want {
			return fmt.Errorf("%d agents, want %d for the expected 3000/h (%v)", r, want, err)
		}
		sizedAt = time.Now()
		return nil
	})
	if early := opens.Sub(sizedAt); early > time.Second {
		t.Errorf("sized %v before the window opened at %s", early, opens.Format(time.RFC3339))
	}
	if sizedAt.After(readyBy) {
		t.Errorf("sized at %s, after ready-by %s", sizedAt.Format(time.RFC3339), readyBy.Format(time.RFC3339))
	}
	t.Logf("sized for the event (%d agents) %v before its start", want, start.Sub(sizedAt).Round(100*time.Millisecond))
	if !eventSeen(t, ns, "listing", supportv1alpha1.ReasonEventPreparing) {
		t.Error("no EventPreparing Event")
	}

	p := waitPhase(t, ns, "listing", supportv1alpha1.SurgePhaseActive, time.Until(start)+15*time.Second)
	if p.Status.Reason != supportv1alpha1.ReasonScheduledEvent || len(p.Status.Events) != 1 || p.Status.Events[0].Stage != supportv1alpha1.EventRunning {
		t.Errorf("Active for %s (%s), events %+v: want the running event", p.Status.Reason, p.Status.Message, p.Status.Events)
	}
	eventually(t, 15*time.Second, func() error {
		if !hasEvent(t, ns, "listing", supportv1alpha1.ReasonEventStarted) {
			return fmt.Errorf("no EventStarted Event")
		}
		return nil
	})
}

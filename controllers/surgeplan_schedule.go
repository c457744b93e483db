package controllers

import (
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/conditions"
	"github.com/frontline-dev/frontline/internal/schedule"
	"github.com/frontline-dev/frontline/internal/surge"
)

// openEvents are the plan's scheduled events open at now (none while the
// plan is off), and the spec errors of those that cannot be read.
func openEvents(p *supportv1alpha1.SurgePlan, in surge.Input, now time.Time) ([]schedule.Window, error) {
	if in.Off() {
		return nil, nil
	}
	open, errs := schedule.Open(p.Spec.Schedule, now)
	return open, errors.Join(errs...)
}

// recordSchedule writes the open events and the next one into status,
// with an Event when an event's preparation opens, when it starts and when
// it ends; an event whose spec cannot be read makes the plan not Ready.
func recordSchedule(p *supportv1alpha1.SurgePlan, prev []supportv1alpha1.ScheduledEventStatus, open []schedule.Window, specErr error, queues []supportv1alpha1.SupportQueue, off bool, now time.Time, rec *pendingEvents) {
	st := &p.Status
	st.Events = schedule.Status(p.Spec.Schedule, prev, open, queueLevels(queues), now)
	st.NextEvent = nil
	if len(p.Spec.Schedule) > 0 && !off {
		if w, ok := schedule.Next(p.Spec.Schedule, now); ok {
			st.NextEvent = &supportv1alpha1.UpcomingEvent{Name: w.Event, Start: metav1.NewTime(w.Start), ReadyBy: metav1.NewTime(w.ReadyBy)}
		}
	}
	was := map[string]supportv1alpha1.ScheduledEventStatus{}
	for _, e := range prev {
		was[e.Name] = e
	}
	for _, e := range st.Events {
		old, seen := was[e.Name]
		delete(was, e.Name)
		switch {
		case !seen || !old.Start.Equal(&e.Start):
			rec.Eventf(p, nil, corev1.EventTypeNormal, supportv1alpha1.ReasonEventPreparing, "Schedule",
				"preparing for %s at %s: capacity for the expected inflow by %s (%s)", e.Name, e.Start.UTC().Format(time.RFC3339), e.ReadyBy.UTC().Format(time.RFC3339), expectedSummary(e))
		case old.Stage != e.Stage && e.Stage == supportv1alpha1.EventRunning:
			rec.Eventf(p, nil, corev1.EventTypeNormal, supportv1alpha1.ReasonEventStarted, "Schedule", "%s started; it ends at %s", e.Name, e.End.UTC().Format(time.RFC3339))
		}
	}
	for name := range was {
		rec.Eventf(p, nil, corev1.EventTypeNormal, supportv1alpha1.ReasonEventEnded, "Schedule", "%s ended", name)
	}
	if specErr != nil {
		msg := "spec.schedule: " + specErr.Error() + " (the event is skipped)"
		if c := meta.FindStatusCondition(st.Conditions, supportv1alpha1.ConditionReady); c == nil || c.Message != msg {
			rec.Eventf(p, nil, corev1.EventTypeWarning, supportv1alpha1.ReasonInvalidEvent, "Schedule", "%s", msg)
		}
		conditions.For(&st.Conditions, p.Generation).NotReady(supportv1alpha1.ReasonInvalidEvent, msg)
	}
}

// queueLevels are the selected queues' names and levels, as their status
// says (nil where not measured yet).
func queueLevels(queues []supportv1alpha1.SupportQueue) []schedule.QueueLevel {
	out := make([]schedule.QueueLevel, len(queues))
	for i, q := range queues {
		out[i].Queue = q.Name
		if m := q.Status.Measured; m != nil && m.InflowPerHour != nil {
			v := *m.InflowPerHour
			out[i].PerHour = &v
		}
	}
	return out
}

// expectedSummary lists each queue's expected inflow, or why not known.
func expectedSummary(e supportv1alpha1.ScheduledEventStatus) string {
	s := ""
	for i, q := range e.Queues {
		if i > 0 {
			s += ", "
		}
		if q.InflowPerHour != nil {
			s += fmt.Sprintf("%s %d/h", q.Queue, *q.InflowPerHour)
		} else {
			s += q.Queue + " waits for its usual inflow"
		}
	}
	if s == "" {
		return "no queue selected"
	}
	return s
}

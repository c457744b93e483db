package controllers

import (
	"errors"
	"fmt"
	"math"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/schedule"
	"github.com/frontline-dev/frontline/internal/surge"
)

// openEvents are the plan's scheduled events open at now (none while the
// plan is off), and the spec errors of those that cannot be read.
func openEvents(p *supportv1alpha1.SurgePlan, in surge.Input, now time.Time) ([]schedule.Window, error) {
	if in.Mode == surge.ModeNever {
		return nil, nil
	}
	open, errs := schedule.Open(p.Spec.Schedule, now)
	return open, errors.Join(errs...)
}

// runningEvent names the events under way, for the state machine ("" none).
func runningEvent(open []schedule.Window, now time.Time) string {
	var names string
	for _, w := range open {
		if w.RunningAt(now) {
			if names != "" {
				names += ", "
			}
			names += fmt.Sprintf("%s (until %s)", w.Event, w.End.UTC().Format(time.RFC3339))
		}
	}
	return names
}

// eventStatus is what status says of the open events: each window's
// times and every selected queue's expected inflow. A queue's usual
// inflow is its level when the window opened, kept from the previous
// status so the expectation does not grow with the event's own tickets.
func eventStatus(spec []supportv1alpha1.ScheduledEvent, prev []supportv1alpha1.ScheduledEventStatus, open []schedule.Window, queues []supportv1alpha1.SupportQueue, now time.Time) []supportv1alpha1.ScheduledEventStatus {
	var out []supportv1alpha1.ScheduledEventStatus
	for _, w := range open {
		var ev supportv1alpha1.ScheduledEvent
		for _, e := range spec {
			if e.Name == w.Event {
				ev = e
			}
		}
		st := supportv1alpha1.ScheduledEventStatus{Name: w.Event, Stage: supportv1alpha1.EventPreparing,
			Opens: metav1.NewTime(w.Opens), ReadyBy: metav1.NewTime(w.ReadyBy), Start: metav1.NewTime(w.Start), End: metav1.NewTime(w.End)}
		if w.RunningAt(now) {
			st.Stage = supportv1alpha1.EventRunning
		}
		var earlier map[string]supportv1alpha1.EventQueueInflow
		for _, p := range prev {
			if p.Name == w.Event && p.Start.Equal(&st.Start) {
				earlier = map[string]supportv1alpha1.EventQueueInflow{}
				for _, q := range p.Queues {
					earlier[q.Queue] = q
				}
			}
		}
		for _, q := range queues {
			e := supportv1alpha1.EventQueueInflow{Queue: q.Name}
			if old, ok := earlier[q.Name]; ok && old.UsualInflowPerHour != nil {
				e.UsualInflowPerHour = old.UsualInflowPerHour
			} else if m := q.Status.Measured; m != nil && m.InflowPerHour != nil {
				v := *m.InflowPerHour
				e.UsualInflowPerHour = &v
			}
			var usual *float64
			if e.UsualInflowPerHour != nil {
				v := float64(*e.UsualInflowPerHour)
				usual = &v
			}
			if v, ok := schedule.ExpectedPerHour(ev.Expect, q.Name, usual); ok {
				r := int64(math.Ceil(v))
				e.InflowPerHour = &r
			}
			st.Queues = append(st.Queues, e)
		}
		out = append(out, st)
	}
	return out
}

// recordSchedule writes the open events and the next one into status,
// with an Event when an event's preparation opens, when it starts and when
// it ends; an event whose spec cannot be read makes the plan not Ready.
func recordSchedule(p *supportv1alpha1.SurgePlan, prev []supportv1alpha1.ScheduledEventStatus, open []schedule.Window, specErr error, queues []supportv1alpha1.SupportQueue, off bool, now time.Time, rec *pendingEvents) {
	st := &p.Status
	st.Events = eventStatus(p.Spec.Schedule, prev, open, queues, now)
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
		meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: supportv1alpha1.ConditionReady, Status: metav1.ConditionFalse,
			Reason: supportv1alpha1.ReasonInvalidEvent, Message: msg, ObservedGeneration: p.Generation})
	}
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

// nextBoundary is how long until the plan's schedule next changes state
// (a window opens, is ready, starts or ends), so the plan is evaluated then
// rather than up to an interval late.
func nextBoundary(p *supportv1alpha1.SurgePlan, now time.Time) (time.Duration, bool) {
	var times []time.Time
	for _, e := range p.Status.Events {
		times = append(times, e.ReadyBy.Time, e.Start.Time, e.End.Time)
	}
	if n := p.Status.NextEvent; n != nil {
		if w, ok := schedule.Next(p.Spec.Schedule, now); ok {
			times = append(times, w.Opens)
		}
	}
	best := time.Duration(0)
	for _, t := range times {
		if d := t.Sub(now); d > 0 && (best == 0 || d < best) {
			best = d
		}
	}
	return best, best > 0
}

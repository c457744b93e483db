// Package surgestatus is a SurgePlan's status as pure functions of what a
// reconcile gathered: the state machine's state read back from status,
// the next status after a step, whether the triggers could be read, the
// on-call override's audit record, and the Events for what changed. The
// controller gathers, steps, calls these and writes; the functions hold
// the rules, with table tests.
package surgestatus

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/conditions"
	"github.com/frontline-dev/frontline/internal/schedule"
	"github.com/frontline-dev/frontline/internal/sources"
	"github.com/frontline-dev/frontline/internal/surge"
)

// State reads the state machine's state back from status.
func State(st supportv1alpha1.SurgePlanStatus) surge.State {
	s := surge.State{Phase: surge.Phase(st.Phase), HoldingSince: map[string]time.Time{}, Forced: st.Forced}
	if st.Since != nil {
		s.Since = st.Since.Time
	}
	if st.QuietSince != nil {
		t := st.QuietSince.Time
		s.QuietSince = &t
	}
	for _, t := range st.Triggers {
		if t.HoldingSince != nil {
			s.HoldingSince[t.Name] = t.HoldingSince.Time
		}
	}
	return s
}

// Record writes the state and audit trail. Live trigger values
// are recorded only while a trigger holds, so a calm plan writes nothing.
func Record(p *supportv1alpha1.SurgePlan, queues []supportv1alpha1.SupportQueue, next surge.State, tr *surge.Transition, in surge.Input, now time.Time, overrideErr error) {
	st := &p.Status
	st.ObservedGeneration = p.Generation
	st.Phase = supportv1alpha1.SurgePhase(next.Phase)
	st.Forced = next.Forced
	if st.Since == nil || !st.Since.Time.Equal(next.Since) {
		st.Since = &metav1.Time{Time: next.Since}
	}
	st.QuietSince = nil
	if next.QuietSince != nil {
		st.QuietSince = &metav1.Time{Time: *next.QuietSince}
	}
	st.Triggers = nil
	for _, t := range in.Triggers {
		obs := supportv1alpha1.TriggerObservation{Name: t.Name, Threshold: surge.Format(t.Enter)}
		if !t.Known {
			// Unreadable (query error, no or several series): it can neither
			// fire nor let an Active plan cool down; say so, and why.
			obs.Value, obs.Message = "unknown", t.Unreadable
		}
		if since, ok := next.HoldingSince[t.Name]; ok {
			obs.HoldingSince = &metav1.Time{Time: since}
			obs.Value = surge.Format(t.Value)
		}
		st.Triggers = append(st.Triggers, obs)
	}
	if in.Mode == surge.ModeNever || in.ForcedOn() && len(in.Triggers) == 0 && p.Spec.Triggers != nil {
		st.Triggers = nil // not evaluated while forced
	}
	st.Queues = nil
	for _, q := range queues {
		st.Queues = append(st.Queues, q.Name)
	}
	st.Added = supportv1alpha1.SurgeAdded{}
	if next.Phase == surge.Active {
		st.Added = addedCapacity(p, queues)
	}
	if tr != nil {
		st.Reason, st.Message = tr.Reason, tr.Message
		st.History = append(st.History, supportv1alpha1.SurgeTransition{Time: metav1.NewTime(now),
			From: supportv1alpha1.SurgePhase(tr.From), To: supportv1alpha1.SurgePhase(tr.To), Reason: tr.Reason, Message: tr.Message})
		if limit := int(max(p.Spec.HistoryLimit, 1)); len(st.History) > limit {
			st.History = st.History[len(st.History)-limit:]
		}
	}
	if st.Reason == "" {
		st.Reason, st.Message = "Initialized", "plan evaluated"
	}
	conds := conditions.For(&st.Conditions, p.Generation)
	set := conds.Set
	if next.Phase == surge.Active {
		set(supportv1alpha1.ConditionSurging, metav1.ConditionTrue, supportv1alpha1.ReasonSurgeActive, st.Message)
	} else {
		set(supportv1alpha1.ConditionSurging, metav1.ConditionFalse, string(next.Phase), fmt.Sprintf("plan is %s", next.Phase))
	}
	// A surging plan is healthy: Ready reflects the plan's own soundness.
	if overrideErr != nil {
		conds.NotReady(supportv1alpha1.ReasonInvalidOverride, overrideErr.Error()+" (ignored)")
		return
	}
	conds.Ready(supportv1alpha1.ReasonSucceeded, fmt.Sprintf("%d queues selected", len(queues)))
}

// RecordTriggersAvailable says whether every trigger could be read, naming
// those that could not and why; a refused source is the reason for all
// of them, said once.
func RecordTriggersAvailable(st *supportv1alpha1.SurgePlanStatus, triggers []surge.Trigger, refused *sources.Refusal, generation int64) {
	conds := conditions.For(&st.Conditions, generation)
	if len(triggers) == 0 {
		conds.Remove(supportv1alpha1.ConditionTriggersAvailable)
		return
	}
	if refused != nil {
		conds.Set(supportv1alpha1.ConditionTriggersAvailable, metav1.ConditionFalse, refused.Reason,
			refused.Message+"; no trigger is read, so the plan neither fires nor cools down")
		return
	}
	var unreadable []string
	for _, t := range triggers {
		if !t.Known {
			unreadable = append(unreadable, fmt.Sprintf("%s: %s", t.Name, t.Unreadable))
		}
	}
	if len(unreadable) > 0 {
		conds.Set(supportv1alpha1.ConditionTriggersAvailable, metav1.ConditionFalse, supportv1alpha1.ReasonTriggerUnreadable, strings.Join(unreadable, "; "))
		return
	}
	conds.Set(supportv1alpha1.ConditionTriggersAvailable, metav1.ConditionTrue, supportv1alpha1.ReasonTriggersRead, fmt.Sprintf("%d triggers read", len(triggers)))
}

// addedCapacity sums what surge really added on the plan's queues where
// it is active, as each queue decided it (bounds, caps and several plans
// combined).
func addedCapacity(p *supportv1alpha1.SurgePlan, queues []supportv1alpha1.SupportQueue) supportv1alpha1.SurgeAdded {
	var added supportv1alpha1.SurgeAdded
	for _, q := range queues {
		if slices.Contains(q.Status.ActiveSurgePlans, p.Name) {
			added.AgentReplicas += q.Status.Agents.AddedBySurge
			added.ChatbotReplicas += q.Status.Chatbot.AddedBySurge
		}
	}
	return added
}

// Manual is the audit record of the plan's on-call override: what
// it is, who set it, why and until when; expired once its time passed;
// Auto once cleared (by surge auto, which keeps changed-by). changed is
// false when status already says so.
func Manual(p *supportv1alpha1.SurgePlan, now time.Time) (*supportv1alpha1.ManualChange, bool) {
	prev := p.Status.Manual
	o, err := surge.OverrideOf(p.Annotations)
	if err != nil {
		return prev, false
	}
	var m *supportv1alpha1.ManualChange
	switch {
	case o != nil:
		m = &supportv1alpha1.ManualChange{Mode: supportv1alpha1.SurgeMode(o.Mode), By: o.By, Reason: o.Reason, Expired: !o.InForce(now)}
		if o.Until != nil {
			m.Until = &metav1.Time{Time: *o.Until}
		}
	case prev != nil && prev.Mode != supportv1alpha1.SurgeModeAuto:
		// Cleared: the plan follows spec.mode again.
		m = &supportv1alpha1.ManualChange{Mode: supportv1alpha1.SurgeModeAuto, By: surge.ChangedBy(p.Annotations),
			Reason: surge.OverrideReason(p.Annotations)}
	default:
		return prev, false
	}
	if prev != nil && prev.Mode == m.Mode && prev.By == m.By && prev.Reason == m.Reason && prev.Expired == m.Expired &&
		(prev.Until == nil) == (m.Until == nil) && (m.Until == nil || prev.Until.Equal(m.Until)) {
		return prev, false
	}
	t := metav1.NewTime(now)
	m.Time = &t
	return m, true
}

func HasInvalidOverride(p *supportv1alpha1.SurgePlan) bool {
	c := meta.FindStatusCondition(p.Status.Conditions, supportv1alpha1.ConditionReady)
	return c != nil && c.Reason == supportv1alpha1.ReasonInvalidOverride
}

// Requeue is how long until the plan must be evaluated again: its
// evaluation interval, or a second after an override, a forced period or
// a scheduled event's boundary ends, whichever comes first. p's status is
// the one just recorded.
func Requeue(p *supportv1alpha1.SurgePlan, in surge.Input, now time.Time) time.Duration {
	requeue := surge.EvaluationInterval(p)
	if m := p.Status.Manual; m != nil && m.Until != nil && !m.Expired {
		requeue = secondAfter(requeue, m.Until.Sub(now))
	}
	if in.ForcedOn() && in.ActiveUntil != nil {
		requeue = secondAfter(requeue, in.ActiveUntil.Sub(now))
	}
	if d, ok := nextBoundary(p, now); ok {
		requeue = secondAfter(requeue, d)
	}
	return requeue
}

// secondAfter is a second after d when that comes before requeue, and
// at least a second. A time centuries off (an override's until, an
// activeUntil) makes d the largest Duration, which a second more would
// wrap negative: a requeue that is dropped, and a plan never evaluated
// again on its own.
func secondAfter(requeue, d time.Duration) time.Duration {
	if d >= requeue {
		return requeue
	}
	return max(min(requeue, d+time.Second), time.Second)
}

// nextBoundary is how long until the plan's schedule next changes state
// (a window opens, is ready, starts or ends), so the plan is evaluated then
// rather than up to an interval late.
func nextBoundary(p *supportv1alpha1.SurgePlan, now time.Time) (time.Duration, bool) {
	var times []time.Time
	for _, e := range p.Status.Events {
		times = append(times, e.ReadyBy.Time, e.Start.Time, e.End.Time)
	}
	if p.Status.NextEvent != nil {
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

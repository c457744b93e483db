package surgestatus

import (
	"errors"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/conditions"
	"github.com/frontline-dev/frontline/internal/sources"
	"github.com/frontline-dev/frontline/internal/surge"
)

var t0 = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

func plan(annotations map[string]string) *supportv1alpha1.SurgePlan {
	p := &supportv1alpha1.SurgePlan{ObjectMeta: metav1.ObjectMeta{Name: "crash", Namespace: "ex", Generation: 3, Annotations: annotations}}
	p.Spec.HistoryLimit = 2
	p.Spec.Triggers = &supportv1alpha1.SurgeTriggers{}
	return p
}

func queue(name string, activePlans []string, agents, bots int32) supportv1alpha1.SupportQueue {
	q := supportv1alpha1.SupportQueue{ObjectMeta: metav1.ObjectMeta{Name: name}}
	q.Status.ActiveSurgePlans = activePlans
	q.Status.Agents.AddedBySurge, q.Status.Chatbot.AddedBySurge = agents, bots
	return q
}

func trigger(name string, known bool, value, enter float64) surge.Trigger {
	t := surge.Trigger{Name: name, Known: known, Eligible: true, Value: value, Enter: enter}
	if !known {
		t.Unreadable = "query failed: timeout"
	}
	return t
}

func condition(st supportv1alpha1.SurgePlanStatus, t string) metav1.Condition {
	if c := meta.FindStatusCondition(st.Conditions, t); c != nil {
		return *c
	}
	return metav1.Condition{}
}

// TestRecord: what one evaluation writes, case by case.
func TestRecord(t *testing.T) {
	holding := t0.Add(-20 * time.Second)
	cases := []struct {
		name        string
		prior       supportv1alpha1.SurgePlanStatus
		next        surge.State
		tr          *surge.Transition
		in          surge.Input
		queues      []supportv1alpha1.SupportQueue
		overrideErr error
		check       func(t *testing.T, st supportv1alpha1.SurgePlanStatus)
	}{{
		name: "calm plan: thresholds only, no live values, Ready and not Surging",
		next: surge.State{Phase: surge.Armed, Since: t0},
		in:   surge.Input{Now: t0, Mode: surge.ModeAuto, Triggers: []surge.Trigger{trigger("inflowSpike", true, 1.1, 2)}},
		queues: []supportv1alpha1.SupportQueue{
			queue("a", nil, 0, 0), queue("b", nil, 0, 0)},
		check: func(t *testing.T, st supportv1alpha1.SurgePlanStatus) {
			if len(st.Triggers) != 1 || st.Triggers[0].Value != "" || st.Triggers[0].Threshold != "2" {
				t.Errorf("triggers %+v: want the threshold and no value", st.Triggers)
			}
			if st.Reason != "Initialized" || st.Forced || st.ObservedGeneration != 3 || strings.Join(st.Queues, ",") != "a,b" {
				t.Errorf("status %+v", st)
			}
			if c := condition(st, supportv1alpha1.ConditionReady); c.Status != metav1.ConditionTrue || c.Message != "2 queues selected" {
				t.Errorf("Ready %+v", c)
			}
			if c := condition(st, supportv1alpha1.ConditionSurging); c.Status != metav1.ConditionFalse || c.Reason != "Armed" {
				t.Errorf("Surging %+v", c)
			}
		},
	}, {
		name: "unreadable trigger: unknown, and why",
		next: surge.State{Phase: surge.Armed, Since: t0},
		in:   surge.Input{Now: t0, Mode: surge.ModeAuto, Triggers: []surge.Trigger{trigger("volatility", false, 0, 0.05)}},
		check: func(t *testing.T, st supportv1alpha1.SurgePlanStatus) {
			if o := st.Triggers[0]; o.Value != "unknown" || o.Message != "query failed: timeout" {
				t.Errorf("trigger %+v", o)
			}
		},
	}, {
		name:  "firing: holding value, history trimmed to its limit, capacity added where active",
		prior: supportv1alpha1.SurgePlanStatus{History: []supportv1alpha1.SurgeTransition{{Reason: "old1"}, {Reason: "old2"}}},
		next:  surge.State{Phase: surge.Active, Since: t0, HoldingSince: map[string]time.Time{"inflowSpike": holding}},
		tr:    &surge.Transition{From: surge.Armed, To: surge.Active, Reason: supportv1alpha1.ReasonTriggerFired, Message: "inflowSpike 4.2 ≥ 2"},
		in:    surge.Input{Now: t0, Mode: surge.ModeAuto, Triggers: []surge.Trigger{trigger("inflowSpike", true, 4.2, 2)}},
		queues: []supportv1alpha1.SupportQueue{
			queue("a", []string{"crash"}, 5, 2), queue("b", []string{"other"}, 7, 7), queue("c", []string{"other", "crash"}, 1, 0)},
		check: func(t *testing.T, st supportv1alpha1.SurgePlanStatus) {
			if o := st.Triggers[0]; o.Value != "4.2" || o.HoldingSince == nil || !o.HoldingSince.Time.Equal(holding) {
				t.Errorf("trigger %+v", o)
			}
			if len(st.History) != 2 || st.History[0].Reason != "old2" || st.History[1].Reason != supportv1alpha1.ReasonTriggerFired {
				t.Errorf("history %+v: want the newest two", st.History)
			}
			if st.Added.AgentReplicas != 6 || st.Added.ChatbotReplicas != 2 {
				t.Errorf("added %+v, want 6 agents and 2 bots (queues a and c)", st.Added)
			}
			if c := condition(st, supportv1alpha1.ConditionSurging); c.Status != metav1.ConditionTrue || c.Message != "inflowSpike 4.2 ≥ 2" {
				t.Errorf("Surging %+v", c)
			}
			if c := condition(st, supportv1alpha1.ConditionReady); c.Status != metav1.ConditionTrue {
				t.Errorf("a surging plan is healthy: Ready %+v", c)
			}
		},
	}, {
		name: "forced on: Forced recorded, triggers not shown",
		next: surge.State{Phase: surge.Active, Since: t0, Forced: true},
		tr:   &surge.Transition{From: surge.Armed, To: surge.Active, Reason: supportv1alpha1.ReasonManualOn, Message: "surge forced on by jane"},
		in:   surge.Input{Now: t0, Mode: surge.ModeAlways},
		check: func(t *testing.T, st supportv1alpha1.SurgePlanStatus) {
			if !st.Forced || st.Triggers != nil || st.Reason != supportv1alpha1.ReasonManualOn {
				t.Errorf("status %+v", st)
			}
		},
	}, {
		name: "mode Never: no trigger shown",
		next: surge.State{Phase: surge.Disabled, Since: t0},
		in:   surge.Input{Now: t0, Mode: surge.ModeNever, Triggers: []surge.Trigger{trigger("inflowSpike", true, 1, 2)}},
		check: func(t *testing.T, st supportv1alpha1.SurgePlanStatus) {
			if st.Triggers != nil {
				t.Errorf("triggers %+v while Never", st.Triggers)
			}
		},
	}, {
		name:        "unreadable override: not Ready, and why",
		next:        surge.State{Phase: surge.Armed, Since: t0},
		in:          surge.Input{Now: t0, Mode: surge.ModeAuto},
		overrideErr: errors.New(`annotation support.frontline.dev/surge-override is "yes"`),
		check: func(t *testing.T, st supportv1alpha1.SurgePlanStatus) {
			c := condition(st, supportv1alpha1.ConditionReady)
			if c.Status != metav1.ConditionFalse || c.Reason != supportv1alpha1.ReasonInvalidOverride || !strings.HasSuffix(c.Message, "(ignored)") {
				t.Errorf("Ready %+v", c)
			}
		},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := plan(nil)
			p.Status = c.prior
			Record(p, c.queues, c.next, c.tr, c.in, t0, c.overrideErr)
			c.check(t, p.Status)
			if err := conditions.Check(p.Status.Conditions, p.Generation); err != nil {
				t.Errorf("conditions break kstatus' rules: %v", err)
			}
			if HasInvalidOverride(p) != (c.overrideErr != nil) {
				t.Errorf("HasInvalidOverride %v, override error %v", HasInvalidOverride(p), c.overrideErr)
			}
		})
	}
}

// TestStateRoundTrip: the state a step wrote is the state read back.
func TestStateRoundTrip(t *testing.T) {
	quiet := t0.Add(-time.Minute)
	for _, next := range []surge.State{
		{Phase: surge.Armed, Since: t0, HoldingSince: map[string]time.Time{}},
		{Phase: surge.Active, Since: t0, QuietSince: &quiet, HoldingSince: map[string]time.Time{"backlog": t0.Add(-time.Second)}},
		{Phase: surge.Active, Since: t0, Forced: true, HoldingSince: map[string]time.Time{}},
	} {
		p := plan(nil)
		var triggers []surge.Trigger
		for name := range next.HoldingSince {
			triggers = append(triggers, trigger(name, true, 9, 1))
		}
		Record(p, nil, next, nil, surge.Input{Now: t0, Mode: surge.ModeAuto, Triggers: triggers}, t0, nil)
		got := State(p.Status)
		if got.Phase != next.Phase || !got.Since.Equal(next.Since) || got.Forced != next.Forced || (got.QuietSince == nil) != (next.QuietSince == nil) ||
			len(got.HoldingSince) != len(next.HoldingSince) {
			t.Errorf("wrote %+v, read back %+v", next, got)
		}
		for name, since := range next.HoldingSince {
			if !got.HoldingSince[name].Equal(since) {
				t.Errorf("%s holding since %v, read back %v", name, since, got.HoldingSince[name])
			}
		}
	}
}

// TestForcedAgainAfterExpiry: a plan forced on whose override expired
// while its triggers kept it Active is no longer forced; forcing it again
// is recorded (a reason string left from the first forcing used to hide
// it).
func TestForcedAgainAfterExpiry(t *testing.T) {
	p := plan(nil)
	until := t0.Add(time.Minute)
	step := func(in surge.Input) *surge.Transition {
		next, tr := surge.Step(State(p.Status), in)
		Record(p, nil, next, tr, in, in.Now, nil)
		return tr
	}
	firing := []surge.Trigger{{Name: "backlog", Known: true, Eligible: true, Value: 900, Enter: 500, Exit: 250}}
	if tr := step(surge.Input{Now: t0, Mode: surge.ModeAlways, ActiveUntil: &until, OverrideBy: "jane", Triggers: firing}); tr == nil || !p.Status.Forced {
		t.Fatalf("forced on: %+v, status %+v", tr, p.Status)
	}
	step(surge.Input{Now: t0.Add(2 * time.Minute), Mode: surge.ModeAuto, Triggers: firing, MinActive: time.Minute})
	if p.Status.Phase != supportv1alpha1.SurgePhaseActive || p.Status.Forced {
		t.Fatalf("after expiry: phase %s forced %v, want Active by its triggers", p.Status.Phase, p.Status.Forced)
	}
	again := t0.Add(10 * time.Minute)
	if tr := step(surge.Input{Now: t0.Add(3 * time.Minute), Mode: surge.ModeAlways, ActiveUntil: &again, OverrideBy: "sam", Triggers: firing}); tr == nil || tr.Reason != supportv1alpha1.ReasonManualOn {
		t.Errorf("forced again by sam: transition %+v, want ManualOn recorded", tr)
	}
}

func TestRecordTriggersAvailable(t *testing.T) {
	cases := []struct {
		name          string
		triggers      []surge.Trigger
		refused       *sources.Refusal
		want          metav1.ConditionStatus // "" for no condition
		reason, inMsg string
	}{
		{name: "no triggers: no condition"},
		{name: "all read", triggers: []surge.Trigger{trigger("a", true, 1, 2), trigger("b", true, 1, 2)},
			want: metav1.ConditionTrue, reason: supportv1alpha1.ReasonTriggersRead, inMsg: "2 triggers read"},
		{name: "one unreadable, named with why", triggers: []surge.Trigger{trigger("a", true, 1, 2), trigger("volatility", false, 0, 1)},
			want: metav1.ConditionFalse, reason: supportv1alpha1.ReasonTriggerUnreadable, inMsg: "volatility: query failed: timeout"},
		{name: "refused source, said once", triggers: []surge.Trigger{trigger("a", false, 0, 1), trigger("b", false, 0, 1)},
			refused: &sources.Refusal{Reason: "SourceNotAllowed", Message: `source "x" is not allowed`},
			want:    metav1.ConditionFalse, reason: "SourceNotAllowed", inMsg: "neither fires nor cools down"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := supportv1alpha1.SurgePlanStatus{Conditions: []metav1.Condition{{Type: supportv1alpha1.ConditionTriggersAvailable, Status: metav1.ConditionFalse, Reason: "Old"}}}
			RecordTriggersAvailable(&st, c.triggers, c.refused, 3)
			got := meta.FindStatusCondition(st.Conditions, supportv1alpha1.ConditionTriggersAvailable)
			switch {
			case c.want == "" && got != nil:
				t.Errorf("condition %+v, want none", got)
			case c.want != "" && (got == nil || got.Status != c.want || got.Reason != c.reason || !strings.Contains(got.Message, c.inMsg) || got.ObservedGeneration != 3):
				t.Errorf("condition %+v, want %s %s containing %q", got, c.want, c.reason, c.inMsg)
			}
		})
	}
}

func TestManual(t *testing.T) {
	until := t0.Add(time.Hour).Format(time.RFC3339)
	on := map[string]string{supportv1alpha1.AnnotationSurgeOverride: "Always", supportv1alpha1.AnnotationSurgeOverrideUntil: until,
		supportv1alpha1.AnnotationChangedBy: "jane", supportv1alpha1.AnnotationSurgeOverrideReason: "BTC -18%"}
	recorded := func(now time.Time) *supportv1alpha1.ManualChange {
		m, _ := Manual(plan(on), now)
		return m
	}
	cases := []struct {
		name        string
		annotations map[string]string
		prior       *supportv1alpha1.ManualChange
		now         time.Time
		changed     bool
		check       func(m *supportv1alpha1.ManualChange) bool
	}{
		{name: "no override, none recorded", now: t0},
		{name: "override set: recorded with who, why, until", annotations: on, now: t0, changed: true,
			check: func(m *supportv1alpha1.ManualChange) bool {
				return m.Mode == "Always" && m.By == "jane" && m.Reason == "BTC -18%" && !m.Expired && m.Until != nil && m.Time != nil
			}},
		{name: "same override again: unchanged", annotations: on, prior: recorded(t0), now: t0.Add(time.Minute)},
		{name: "past its end: expired", annotations: on, prior: recorded(t0), now: t0.Add(2 * time.Hour), changed: true,
			check: func(m *supportv1alpha1.ManualChange) bool { return m.Expired }},
		{name: "cleared by surge auto: Auto, by whom", annotations: map[string]string{supportv1alpha1.AnnotationChangedBy: "sam"}, prior: recorded(t0), now: t0, changed: true,
			check: func(m *supportv1alpha1.ManualChange) bool {
				return m.Mode == supportv1alpha1.SurgeModeAuto && m.By == "sam"
			}},
		{name: "unreadable override: the record stays", annotations: map[string]string{supportv1alpha1.AnnotationSurgeOverride: "yes"}, prior: recorded(t0), now: t0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := plan(c.annotations)
			p.Status.Manual = c.prior
			m, changed := Manual(p, c.now)
			if changed != c.changed {
				t.Fatalf("changed %v, want %v (%+v)", changed, c.changed, m)
			}
			if !changed && m != c.prior {
				t.Errorf("unchanged, but returned %+v for %+v", m, c.prior)
			}
			if c.check != nil && !c.check(m) {
				t.Errorf("recorded %+v", m)
			}
		})
	}
}

// TestRequeue: the next evaluation comes at the interval, or a second
// after whatever ends first: an override, a forced period, an event's
// readiness, start or end.
func TestRequeue(t *testing.T) {
	at := func(d time.Duration) *metav1.Time { v := metav1.NewTime(t0.Add(d)); return &v }
	until := t0.Add(3 * time.Second)
	cases := []struct {
		name string
		edit func(p *supportv1alpha1.SurgePlan, in *surge.Input)
		want time.Duration
	}{
		{"interval unset: 5s", func(*supportv1alpha1.SurgePlan, *surge.Input) {}, 5 * time.Second},
		{"interval set", func(p *supportv1alpha1.SurgePlan, _ *surge.Input) {
			p.Spec.EvaluationInterval = metav1.Duration{Duration: time.Minute}
		}, time.Minute},
		{"override ends in 2s", func(p *supportv1alpha1.SurgePlan, _ *surge.Input) {
			p.Status.Manual = &supportv1alpha1.ManualChange{Mode: "Always", Until: at(2 * time.Second)}
		}, 3 * time.Second},
		{"expired override: ignored", func(p *supportv1alpha1.SurgePlan, _ *surge.Input) {
			p.Status.Manual = &supportv1alpha1.ManualChange{Mode: "Always", Until: at(-time.Minute), Expired: true}
		}, 5 * time.Second},
		{"forced period ends in 3s", func(_ *supportv1alpha1.SurgePlan, in *surge.Input) {
			in.Mode, in.ActiveUntil = surge.ModeAlways, &until
		}, 4 * time.Second},
		{"an event is ready in 1s", func(p *supportv1alpha1.SurgePlan, _ *surge.Input) {
			p.Status.Events = []supportv1alpha1.ScheduledEventStatus{{ReadyBy: *at(time.Second), Start: *at(time.Minute), End: *at(time.Hour)}}
		}, 2 * time.Second},
		{"an event under way ends in 2s", func(p *supportv1alpha1.SurgePlan, _ *surge.Input) {
			p.Status.Events = []supportv1alpha1.ScheduledEventStatus{{ReadyBy: *at(-time.Hour), Start: *at(-time.Minute), End: *at(2 * time.Second)}}
		}, 3 * time.Second},
		// Centuries off: the time apart saturates at the largest Duration,
		// which must not wrap into a negative requeue.
		{"override until the year 9999: the interval", func(p *supportv1alpha1.SurgePlan, _ *surge.Input) {
			far := metav1.NewTime(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))
			p.Status.Manual = &supportv1alpha1.ManualChange{Mode: "Always", Until: &far}
		}, 5 * time.Second},
		{"forced until the year 9999: the interval", func(_ *supportv1alpha1.SurgePlan, in *surge.Input) {
			far := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
			in.Mode, in.ActiveUntil = surge.ModeAlways, &far
		}, 5 * time.Second},
		{"an event ending in the year 9999: the interval", func(p *supportv1alpha1.SurgePlan, _ *surge.Input) {
			far := metav1.NewTime(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))
			p.Status.Events = []supportv1alpha1.ScheduledEventStatus{{ReadyBy: *at(-time.Hour), Start: *at(-time.Minute), End: far}}
		}, 5 * time.Second},
		{"override ended 10s ago, not yet marked expired: a second", func(p *supportv1alpha1.SurgePlan, _ *surge.Input) {
			p.Status.Manual = &supportv1alpha1.ManualChange{Mode: "Always", Until: at(-10 * time.Second)}
		}, time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := plan(nil)
			in := surge.Input{Now: t0, Mode: surge.ModeAuto}
			c.edit(p, &in)
			if got := Requeue(p, in, t0); got != c.want {
				t.Errorf("requeue %v, want %v", got, c.want)
			}
		})
	}
}

package queuestatus

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/conditions"
	"github.com/frontline-dev/frontline/internal/inflow"
	"github.com/frontline-dev/frontline/internal/metrics"
	"github.com/frontline-dev/frontline/internal/scaling"
)

var now = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// scene is one queue's reconcile: the queue as it stands, what was read,
// what the Deployments report; run decides (the operator's DecideQueue)
// and projects.
type scene struct {
	queue   *supportv1alpha1.SupportQueue
	policy  *supportv1alpha1.SLAPolicy
	reading *metrics.Reading
	// readyAgents is the agents Deployment's ready replicas; -1: all of
	// those decided.
	readyAgents int32
	readyBots   int32
}

func chatQueue(maxAgents int32) *supportv1alpha1.SupportQueue {
	return &supportv1alpha1.SupportQueue{
		ObjectMeta: metav1.ObjectMeta{Name: "retail", Generation: 2},
		Spec: supportv1alpha1.SupportQueueSpec{
			Channel: supportv1alpha1.ChannelChat,
			Agents: supportv1alpha1.AgentsSpec{MinReplicas: 2, MaxReplicas: maxAgents, Concurrency: 1,
				AverageHandleTime: metav1.Duration{Duration: 3 * time.Minute}},
			Metrics: supportv1alpha1.MetricsSpec{FallbackAfter: 4, PollInterval: metav1.Duration{Duration: 5 * time.Second}},
			Scaling: supportv1alpha1.ScalingSpec{ScaleDown: supportv1alpha1.ScaleDownSpec{
				StabilizationWindow: metav1.Duration{Duration: 5 * time.Minute}, MaxStepPercent: 25}},
		},
	}
}

func chatPolicy(margin supportv1alpha1.Decimal) *supportv1alpha1.SLAPolicy {
	return &supportv1alpha1.SLAPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "retail"},
		Spec: supportv1alpha1.SLAPolicySpec{
			Targets: []supportv1alpha1.SLATarget{{Channel: supportv1alpha1.ChannelChat,
				ServiceLevel: &supportv1alpha1.ServiceLevelTarget{Percent: 80, Within: metav1.Duration{Duration: 20 * time.Second}}}},
			MaxOccupancy: "0.85", Shrinkage: "0.3", WarningMargin: margin,
		},
	}
}

func perHour(v float64) *float64 { s := v / 3600; return &s }

// gauge is a reading from an override query: the level is what it sizes for.
func gauge(inflowPerHour float64) *metrics.Reading {
	return &metrics.Reading{Inflow: perHour(inflowPerHour)}
}

// counter is a reading from the estimator: a level and the higher bound
// sizing uses.
func counter(level, bound float64) *metrics.Reading {
	return &metrics.Reading{Inflow: perHour(bound), Estimate: &inflow.Estimate{Known: true, Complete: true,
		Rate: *perHour(level), Upper: *perHour(bound), UpperForFall: *perHour(bound), LevelSince: now.Add(-time.Hour), Newest: now}}
}

func (s scene) run(t *testing.T) (supportv1alpha1.SupportQueueStatus, []Event, scaling.QueueDecision) {
	t.Helper()
	q := s.queue
	shape, err := scaling.ShapeOf(q)
	if err != nil {
		t.Fatal(err)
	}
	target, err := scaling.TargetOf(s.policy, q.Spec.Channel, q.Spec.Priority)
	if err != nil {
		t.Fatal(err)
	}
	di := scaling.QueueInput{Now: now, Shape: shape, Target: &target, FallbackAfter: q.Spec.Metrics.FallbackAfter,
		ScaleDown: scaling.ScaleDownPolicy{Window: 5 * time.Minute, MaxStepPercent: 25, StepPeriod: 5 * time.Second}}
	if st := q.Status.Agents; st.LastScaleTime != nil {
		v := st.DesiredReplicas
		di.Agents = scaling.RoleState{Replicas: &v, LastChange: st.LastScaleTime.Time}
	}
	if st := q.Status.Chatbot; st.LastScaleTime != nil {
		v := st.DesiredReplicas
		di.Bots = scaling.RoleState{Replicas: &v, LastChange: st.LastScaleTime.Time}
	}
	if rd := s.reading; rd != nil {
		rd.Feed(&di)
	}
	d := scaling.DecideQueue(di)
	ready := s.readyAgents
	if ready < 0 {
		ready = d.Agents.Replicas
	}
	st, evs := Project(Input{Now: now, Queue: q, Shape: shape, Policy: s.policy, Target: &target, Reading: s.reading,
		AgentsReady: ready, BotsReady: s.readyBots, Decision: d})
	if err := conditions.Check(st.Conditions, q.Generation); err != nil {
		t.Errorf("conditions break kstatus' rules: %v\n%+v", err, st.Conditions)
	}
	return st, evs, d
}

// settled is the queue after a first projection of the scene, as the
// apiserver would return it.
func (s scene) settled(t *testing.T) scene {
	t.Helper()
	st, _, _ := s.run(t)
	q := s.queue.DeepCopy()
	q.Status = st
	s.queue = q
	return s
}

func cond(st supportv1alpha1.SupportQueueStatus, typ string) *metav1.Condition {
	return meta.FindStatusCondition(st.Conditions, typ)
}

func TestProject(t *testing.T) {
	steady := scene{queue: chatQueue(60), policy: chatPolicy("0.05"), reading: gauge(400), readyAgents: -1}.settled(t)
	for _, tc := range []struct {
		name       string
		scene      scene
		atRisk     metav1.ConditionStatus
		reason     string
		sla        supportv1alpha1.QueueSLAState
		ready      metav1.ConditionStatus
		reconciles bool
		// events are the reasons of the Events, in order.
		events []string
	}{
		{"healthy steady queue: not at risk, nothing to say", steady,
			metav1.ConditionFalse, supportv1alpha1.ReasonWithinTarget, supportv1alpha1.QueueSLAMet, metav1.ConditionTrue, false, nil},
		// The model needs more than maxReplicas for the level's bound; at
		// 28 agents the level itself is still served within the margin.
		{"capped, within the margin: at risk", scene{queue: chatQueue(28), policy: chatPolicy("0.2"), reading: counter(400, 800), readyAgents: -1}.settled(t),
			metav1.ConditionTrue, supportv1alpha1.ReasonCappedAtMax, supportv1alpha1.QueueSLAAtRisk, metav1.ConditionTrue, false, nil},
		{"capped, below the target: breach", scene{queue: chatQueue(28), policy: chatPolicy("0.2"), reading: counter(800, 900), readyAgents: -1}.settled(t),
			metav1.ConditionTrue, supportv1alpha1.ReasonBelowTarget, supportv1alpha1.QueueSLABreached, metav1.ConditionTrue, false, nil},
		{"metrics held: at risk, Ready untouched, a Warning", scene{queue: steady.queue, policy: steady.policy,
			reading: &metrics.Reading{Reason: supportv1alpha1.ReasonMetricsQueryFailed, Message: "connection refused"}, readyAgents: -1},
			metav1.ConditionTrue, supportv1alpha1.ReasonMetricsHeld, supportv1alpha1.QueueSLAAtRisk, metav1.ConditionTrue, false, []string{supportv1alpha1.ReasonMetricsQueryFailed}},
		{"pods lagging after a rise: at risk, Reconciling", scene{queue: steady.queue, policy: steady.policy, reading: gauge(600), readyAgents: steady.queue.Status.Agents.DesiredReplicas},
			metav1.ConditionTrue, supportv1alpha1.ReasonPodsNotReady, supportv1alpha1.QueueSLAAtRisk, metav1.ConditionTrue, true, []string{supportv1alpha1.ReasonScaling}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, evs, d := tc.scene.run(t)
			c := cond(st, supportv1alpha1.ConditionSLAAtRisk)
			if c == nil || c.Status != tc.atRisk || c.Reason != tc.reason || c.Message == "" {
				t.Errorf("SLAAtRisk %+v, want %s/%s (decided %d, need %+v)", c, tc.atRisk, tc.reason, d.Agents.Replicas, d.Need)
			}
			if st.SLA != tc.sla {
				t.Errorf("status.sla %q, want %q", st.SLA, tc.sla)
			}
			if r := cond(st, supportv1alpha1.ConditionReady); r == nil || r.Status != tc.ready {
				t.Errorf("Ready %+v, want %s", r, tc.ready)
			}
			if r := cond(st, supportv1alpha1.ConditionReconciling); (r != nil) != tc.reconciles {
				t.Errorf("Reconciling %+v, want present: %v", r, tc.reconciles)
			}
			var reasons []string
			for _, e := range evs {
				reasons = append(reasons, e.Reason)
			}
			if len(reasons) != len(tc.events) || len(reasons) > 0 && reasons[0] != tc.events[0] {
				t.Errorf("Events %v, want %v", reasons, tc.events)
			}
			if st.ObservedGeneration != tc.scene.queue.Generation {
				t.Errorf("observedGeneration %d, want %d", st.ObservedGeneration, tc.scene.queue.Generation)
			}
		})
	}
}

// TestFailedBacklogQueryIsSaid: a queue whose backlog query failed while
// its counter read is sized without the backlog and says so, a Warning
// that it may rise but not fall; the next poll with the backlog back
// says the metrics are whole again.
func TestFailedBacklogQueryIsSaid(t *testing.T) {
	steady := scene{queue: chatQueue(60), policy: chatPolicy("0.05"), reading: counter(400, 400), readyAgents: -1}.settled(t)
	failed := steady
	failed.reading = counter(400, 400)
	failed.reading.Missing = "backlog: the query timed out"
	st, evs, _ := failed.run(t)
	c := cond(st, supportv1alpha1.ConditionMetricsAvailable)
	if c == nil || c.Status != metav1.ConditionTrue || c.Reason != supportv1alpha1.ReasonPartialMetrics ||
		!strings.Contains(c.Message, "backlog: the query timed out") || !strings.Contains(c.Message, "not fall") {
		t.Errorf("MetricsAvailable %+v, want True/PartialMetrics naming the backlog", c)
	}
	if len(evs) != 1 || evs[0].Type != corev1.EventTypeWarning || evs[0].Reason != supportv1alpha1.ReasonPartialMetrics {
		t.Errorf("Events %+v, want one Warning PartialMetrics", evs)
	}
	failed.queue = steady.queue.DeepCopy()
	failed.queue.Status = st
	back := scene{queue: failed.queue, policy: steady.policy, reading: counter(400, 400), readyAgents: -1}
	st, evs, _ = back.run(t)
	if c := cond(st, supportv1alpha1.ConditionMetricsAvailable); c == nil || c.Reason != supportv1alpha1.ReasonMetricsOK {
		t.Errorf("backlog back: MetricsAvailable %+v, want MetricsOK", c)
	}
	if len(evs) != 1 || evs[0].Reason != supportv1alpha1.ReasonMetricsOK {
		t.Errorf("backlog back: Events %+v, want one MetricsOK", evs)
	}
}

// TestSteadyQueueWritesNothing: projecting a settled queue again gives the
// same status and no Event, so the controller sends no patch.
func TestSteadyQueueWritesNothing(t *testing.T) {
	s := scene{queue: chatQueue(60), policy: chatPolicy("0.05"), reading: counter(400, 430), readyAgents: -1}.settled(t)
	st, evs, _ := s.run(t)
	if !equality.Semantic.DeepEqual(st, s.queue.Status) || len(evs) > 0 {
		t.Errorf("a steady queue changed its status or spoke: %d Events %v", len(evs), evs)
	}
}

// TestBotFirstEmailQueueAgrees: an email queue whose bot's reply counts as
// the first response is sized without the backlog; status must not then
// forecast a breach from that backlog (sizing and status disagreed once).
func TestBotFirstEmailQueueAgrees(t *testing.T) {
	q := chatQueue(100)
	q.Spec.Channel = supportv1alpha1.ChannelEmail
	q.Spec.Chatbot = &supportv1alpha1.ChatbotSpec{MinReplicas: 1, MaxReplicas: 10, ConversationsPerReplica: 50,
		HandleTime: metav1.Duration{Duration: 30 * time.Second}, Containment: "0.4"}
	p := chatPolicy("0.05")
	p.Spec.Targets = []supportv1alpha1.SLATarget{{Channel: supportv1alpha1.ChannelEmail, FirstResponse: &metav1.Duration{Duration: 4 * time.Hour}}}
	p.Spec.BotRepliesCountAsFirstResponse = true
	rd := gauge(180)
	backlog := 5000.0
	rd.Backlog = &backlog
	s := scene{queue: q, policy: p, reading: rd, readyAgents: -1, readyBots: 1}.settled(t)
	st, _, _ := s.run(t)
	if c := cond(st, supportv1alpha1.ConditionSLAAtRisk); c == nil || c.Status != metav1.ConditionFalse {
		t.Errorf("SLAAtRisk %+v: a bot-first queue sized as the model asks is not at risk", c)
	}
	if sl, _ := st.Prediction.ServiceLevel.Float64(); sl < 0.5 {
		t.Errorf("forecast service level %s at the sized agents", st.Prediction.ServiceLevel)
	}
}

// TestEventsOnChangeOnly: a condition's Event comes when its status or
// reason changes, never twice for the same state, and not for a first
// success.
func TestEventsOnChangeOnly(t *testing.T) {
	healthy := scene{queue: chatQueue(60), policy: chatPolicy("0.05"), reading: gauge(400), readyAgents: -1}
	if _, evs, _ := healthy.run(t); len(evs) != 0 {
		t.Errorf("first projection of a healthy queue: %v", evs)
	}
	down := healthy.settled(t)
	down.reading = &metrics.Reading{Reason: supportv1alpha1.ReasonMetricsQueryFailed, Message: "timeout"}
	_, evs, _ := down.run(t)
	if len(evs) != 1 || evs[0].Type != corev1.EventTypeWarning || evs[0].Action != supportv1alpha1.ConditionMetricsAvailable {
		t.Fatalf("metrics lost: %v, want one Warning on MetricsAvailable", evs)
	}
	if _, evs, _ = down.settled(t).run(t); len(evs) != 0 {
		t.Errorf("still down: %v, want quiet", evs)
	}
}

func TestAgentCapacityPerHour(t *testing.T) {
	for _, tc := range []struct {
		name        string
		ready, conc int32
		measured    time.Duration // 0: the queue's default (3m)
		containment supportv1alpha1.Decimal
		want        float64
	}{
		{"10 agents, one chat each, 3 min", 10, 1, 0, "", 200},
		{"two chats each", 10, 2, 0, "", 400},
		{"measured handle time wins", 10, 1, 6 * time.Minute, "", 100},
		{"a bot containing half doubles the queue inflow served", 10, 1, 0, "0.5", 400},
		{"no agents ready", 0, 1, 0, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := chatQueue(60)
			q.Spec.Agents.Concurrency = tc.conc
			if tc.containment != "" {
				q.Spec.Chatbot = &supportv1alpha1.ChatbotSpec{MinReplicas: 1, MaxReplicas: 5, ConversationsPerReplica: 50,
					HandleTime: metav1.Duration{Duration: time.Minute}, Containment: tc.containment}
			}
			q.Status.Agents.ReadyReplicas = tc.ready
			if tc.measured > 0 {
				q.Status.Measured = &supportv1alpha1.QueueMeasurements{AverageHandleTime: &metav1.Duration{Duration: tc.measured}}
			}
			shape, err := scaling.ShapeOf(q)
			if err != nil {
				t.Fatal(err)
			}
			if got := AgentCapacityPerHour(q, shape); got != tc.want {
				t.Errorf("%v tickets/h, want %v", got, tc.want)
			}
		})
	}
}

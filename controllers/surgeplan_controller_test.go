package controllers

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/cli"
	"github.com/frontline-dev/frontline/test/testenv"
)

func retailQueue(ns, name string) *supportv1alpha1.SupportQueue {
	q := withGaugeInflow(queue(ns, name, "p"))
	q.Labels = map[string]string{"desk": "retail"}
	q.Spec.Chatbot = &supportv1alpha1.ChatbotSpec{
		Template:    supportv1alpha1.WorkloadTemplate{Image: "bot:1"},
		MinReplicas: 1, MaxReplicas: 10, ConversationsPerReplica: 50,
		HandleTime: metav1.Duration{Duration: 90 * time.Second}, Containment: "0.5", Port: 8080,
	}
	return q
}

// volatilityPlan fires on a test gauge (a stand-in for a BTC price move),
// evaluated every 5 s, with short cooldowns so the lifecycle runs in a
// minute.
func volatilityPlan(ns, name string) *supportv1alpha1.SurgePlan {
	return &supportv1alpha1.SurgePlan{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: supportv1alpha1.SurgePlanSpec{
			Mode:          supportv1alpha1.SurgeModeAuto,
			QueueSelector: metav1.LabelSelector{MatchLabels: map[string]string{"desk": "retail"}},
			Triggers: &supportv1alpha1.SurgeTriggers{
				Match: supportv1alpha1.TriggerMatchAny,
				External: []supportv1alpha1.ExternalTrigger{{
					Name:      "btc-move",
					Query:     fmt.Sprintf(`max(frontline_sim_signal{namespace=%q,signal="volatility"})`, ns),
					Above:     "0.05",
					ExitBelow: ptr.To[supportv1alpha1.Decimal]("0.02"),
					For:       metav1.Duration{Duration: 5 * time.Second},
				}},
			},
			Actions: supportv1alpha1.SurgeActions{
				Chatbots: &supportv1alpha1.ChatbotSurge{Factor: ptr.To[supportv1alpha1.Decimal]("3"), ExtraReplicas: ptr.To[int32](2), MaxReplicas: 50},
				Agents:   &supportv1alpha1.AgentSurge{ExtraReplicas: 4},
				PinnedFAQs: []supportv1alpha1.PinnedFAQ{{ID: "btc-withdrawals-delayed",
					Question: "Why is my BTC withdrawal delayed?", Answer: "Network congestion; no funds are lost."}},
			},
			Cooldown: supportv1alpha1.CooldownSpec{
				MinActive: metav1.Duration{Duration: 20 * time.Second}, QuietFor: metav1.Duration{Duration: 10 * time.Second},
				CoolingDownFor: metav1.Duration{Duration: 10 * time.Second},
			},
			EvaluationInterval: metav1.Duration{Duration: 5 * time.Second},
			HistoryLimit:       20,
		},
	}
}

func setVolatility(ns string, v float64) {
	sim.Gauges.WithLabelValues(ns, "", "volatility").Set(v)
}

func getPlan(t *testing.T, ns, name string) *supportv1alpha1.SurgePlan {
	t.Helper()
	p := &supportv1alpha1.SurgePlan{}
	if err := env.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func waitPhase(t *testing.T, ns, name string, phase supportv1alpha1.SurgePhase, timeout time.Duration) *supportv1alpha1.SurgePlan {
	t.Helper()
	var p *supportv1alpha1.SurgePlan
	eventually(t, timeout, func() error {
		p = getPlan(t, ns, name)
		if p.Status.Phase != phase {
			return fmt.Errorf("phase %q, want %s (reason %s: %s)", p.Status.Phase, phase, p.Status.Reason, p.Status.Message)
		}
		return nil
	})
	return p
}

func knowledge(t *testing.T, ns, queue string) map[string]string {
	t.Helper()
	cm := &corev1.ConfigMap{}
	if err := env.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: queue + "-knowledge"}, cm); err != nil {
		t.Fatal(err)
	}
	return cm.Data
}

// TestSurgeLifecycle: a volatility spike makes the plan Active and the
// queue surges (bots ×3 + 2, agents + 4, pinned FAQ); when it calms the
// plan cools down and re-arms, the FAQ goes, replicas step back down.
func TestSurgeLifecycle(t *testing.T) {
	ns := newNamespace(t)
	setGaugeInflow(ns, "retail-chat", 600)
	setVolatility(ns, 0.01)
	create(t, policy(ns, "p", 80), retailQueue(ns, "retail-chat"), volatilityPlan(ns, "btc-crash"))
	baseAgents := agentsFor(300, 80) // the bot contains half of 600/h
	waitReplicas(t, ns, "retail-chat-agents", baseAgents, 60*time.Second)
	waitReplicas(t, ns, "retail-chat-chatbot", 1, 30*time.Second)
	waitPhase(t, ns, "btc-crash", supportv1alpha1.SurgePhaseArmed, 30*time.Second)

	crossed := time.Now()
	setVolatility(ns, 0.08)
	waitReplicas(t, ns, "retail-chat-chatbot", 5, 40*time.Second) // ⌈1×3⌉ + 2
	reaction := time.Since(crossed)
	waitReplicas(t, ns, "retail-chat-agents", baseAgents+4, 10*time.Second)
	t.Logf("REACTION metric crossing -> Deployment spec.replicas updated: %v (target: evaluationInterval 5s + for 5s + 2s = 12s, +1s scrape)", reaction.Round(100*time.Millisecond))

	p := waitPhase(t, ns, "btc-crash", supportv1alpha1.SurgePhaseActive, 10*time.Second)
	last := p.Status.History[len(p.Status.History)-1]
	if last.To != supportv1alpha1.SurgePhaseActive || last.Reason != "TriggerFired" || !strings.Contains(last.Message, "btc-move=0.08") {
		t.Errorf("history entry %+v: want TriggerFired naming btc-move=0.08", last)
	}
	eventually(t, 15*time.Second, func() error { // the next evaluation sees the queue's new replicas
		p := getPlan(t, ns, "btc-crash")
		if p.Status.Added.AgentReplicas != 4 || p.Status.Added.ChatbotReplicas != 4 || len(p.Status.Queues) != 1 {
			return fmt.Errorf("status added %+v queues %v", p.Status.Added, p.Status.Queues)
		}
		return nil
	})
	if data := knowledge(t, ns, "retail-chat"); !strings.Contains(data["00-pinned-btc-crash-btc-withdrawals-delayed"], "no funds are lost") {
		t.Errorf("pinned FAQ missing: %v", data)
	}
	eventually(t, 10*time.Second, func() error {
		q := getQueue(t, ns, "retail-chat")
		if c := condition(q, supportv1alpha1.ConditionSurging); c == nil || c.Status != metav1.ConditionTrue || len(q.Status.ActiveSurgePlans) != 1 || q.Status.ActiveSurgePlans[0] != "btc-crash" {
			return fmt.Errorf("queue Surging %+v, active plans %v", c, q.Status.ActiveSurgePlans)
		}
		return nil
	})
	if !eventSeen(t, ns, "btc-crash", "TriggerFired") {
		t.Error("no Event for the transition")
	}

	// Calm: quiet for 10 s after minActive 20 s, then CoolingDown, Armed.
	setVolatility(ns, 0.01)
	p = waitPhase(t, ns, "btc-crash", supportv1alpha1.SurgePhaseCoolingDown, 60*time.Second)
	if active := p.Status.History[len(p.Status.History)-2]; p.Status.Since.Sub(active.Time.Time) < 20*time.Second {
		t.Errorf("left Active after %v, before minActive", p.Status.Since.Sub(active.Time.Time))
	}
	eventually(t, 20*time.Second, func() error {
		if _, ok := knowledge(t, ns, "retail-chat")["00-pinned-btc-crash-btc-withdrawals-delayed"]; ok {
			return fmt.Errorf("pinned FAQ still present")
		}
		return nil
	})
	waitPhase(t, ns, "btc-crash", supportv1alpha1.SurgePhaseArmed, 30*time.Second)
	// Replicas step down through the queue's scale-down policy.
	waitReplicas(t, ns, "retail-chat-agents", baseAgents, 90*time.Second)
	waitReplicas(t, ns, "retail-chat-chatbot", 1, 30*time.Second)
}

// TestOnCallCommands drives a plan with the kubectl plugin against the real
// apiserver: on with expiry, status, off winning over a firing trigger,
// auto.
func TestOnCallCommands(t *testing.T) {
	ns := newNamespace(t)
	setGaugeInflow(ns, "retail-chat", 600)
	setVolatility(ns, 0.01)
	create(t, policy(ns, "p", 80), retailQueue(ns, "retail-chat"), volatilityPlan(ns, "btc-crash"))
	waitPhase(t, ns, "btc-crash", supportv1alpha1.SurgePhaseArmed, 30*time.Second)
	kubeconfig := env.Kubeconfig(t, "oncall-jane", "system:masters")
	plugin := func(args ...string) string { t.Helper(); return testenv.Plugin(t, kubeconfig, ns, args...) }

	// A dry run says what each queue would gain and changes nothing.
	dry := plugin("surge", "on", "btc-crash", "--dry-run")
	if !strings.Contains(dry, "dry run") || !strings.Contains(dry, "retail-chat") || !strings.Contains(dry, "(+") {
		t.Errorf("surge on --dry-run:\n%s", dry)
	}
	if p := getPlan(t, ns, "btc-crash"); p.Status.Phase != supportv1alpha1.SurgePhaseArmed || p.Annotations[supportv1alpha1.AnnotationSurgeOverride] != "" {
		t.Errorf("a dry run changed the plan: %s %v", p.Status.Phase, p.Annotations)
	}
	// With -o, the plan as it would be written: locally (client), as the
	// apiserver admitted it without keeping it (server).
	const overridePath = `{.metadata.annotations.support\.frontline\.dev/surge-override}`
	if y := plugin("surge", "on", "btc-crash", "--dry-run=client", "-o", "yaml"); !strings.Contains(y, "kind: SurgePlan") ||
		!strings.Contains(y, supportv1alpha1.AnnotationSurgeOverride+": Always") || !strings.Contains(y, "oncall-jane") {
		t.Errorf("surge on --dry-run=client -o yaml:\n%s", y)
	}
	if v := plugin("surge", "on", "btc-crash", "--dry-run=server", "-o", "jsonpath="+overridePath); v != "Always" {
		t.Errorf("surge on --dry-run=server -o jsonpath: %q, want Always", v)
	}
	if p := getPlan(t, ns, "btc-crash"); p.Annotations[supportv1alpha1.AnnotationSurgeOverride] != "" {
		t.Errorf("a dry run with -o changed the plan: %v", p.Annotations)
	}
	out := plugin("surge", "on", "btc-crash", "--for", "15s", "--reason", "BTC -18% in 10 min")
	if !strings.Contains(out, ": Auto -> Always (override) until") || !strings.Contains(out, "by oncall-jane") {
		t.Errorf("surge on printed %q", out)
	}
	p := waitPhase(t, ns, "btc-crash", supportv1alpha1.SurgePhaseActive, 15*time.Second)
	if p.Status.Reason != "ManualOn" || p.Status.Manual == nil || p.Status.Manual.By != "oncall-jane" || p.Status.Manual.Reason != "BTC -18% in 10 min" ||
		p.Status.Manual.Until == nil || p.Spec.Mode != supportv1alpha1.SurgeModeAuto {
		t.Errorf("status %s %+v", p.Status.Reason, p.Status.Manual)
	}
	if f := p.ManagedFields; !managedBy(f, cli.FieldManager) {
		t.Errorf("no field manager %s in %v", cli.FieldManager, f)
	}
	waitReplicas(t, ns, "retail-chat-chatbot", 5, 20*time.Second)

	table := plugin("surge", "status")
	for _, want := range []string{"NAME", "PHASE", "btc-crash", "Active", "ManualOn", "retail-chat"} {
		if !strings.Contains(table, want) {
			t.Errorf("status table lacks %q:\n%s", want, table)
		}
	}

	// The override expires by itself: automatic rules take over, the
	// trigger is quiet, so the plan cools down; status and an Event say so.
	p = waitPhase(t, ns, "btc-crash", supportv1alpha1.SurgePhaseCoolingDown, 60*time.Second)
	if m := p.Status.Manual; m == nil || !m.Expired {
		t.Errorf("manual %+v, want expired", m)
	}
	if !eventSeen(t, ns, "btc-crash", "ManualExpired") {
		t.Error("no Event for the override's end")
	}

	// Off wins over a firing trigger.
	setVolatility(ns, 0.2)
	out = plugin("surge", "off", "btc-crash", "--reason", "false alarm", "--wait", "--timeout", "20s")
	if !strings.Contains(out, "-> Never (override)") || !strings.Contains(out, "btc-crash is Disabled (ManualOff)") {
		t.Errorf("surge off --wait printed %q", out)
	}
	waitPhase(t, ns, "btc-crash", supportv1alpha1.SurgePhaseDisabled, 15*time.Second)
	time.Sleep(12 * time.Second) // two evaluations with the trigger high
	if p := getPlan(t, ns, "btc-crash"); p.Status.Phase != supportv1alpha1.SurgePhaseDisabled {
		t.Fatalf("phase %s with the override Never", p.Status.Phase)
	}

	// Auto: the trigger is high, so the plan goes Active on its own.
	plugin("surge", "auto", "btc-crash")
	p = waitPhase(t, ns, "btc-crash", supportv1alpha1.SurgePhaseActive, 30*time.Second)
	if _, ok := p.Annotations[supportv1alpha1.AnnotationSurgeOverride]; ok || p.Status.Manual == nil || p.Status.Manual.Mode != supportv1alpha1.SurgeModeAuto {
		t.Errorf("after surge auto: annotations %v, manual %+v", p.Annotations, p.Status.Manual)
	}
	if out := plugin("surge", "status", "btc-crash"); !strings.Contains(out, "TriggerFired") {
		t.Errorf("status: %s", out)
	}
	if out := plugin("surge", "status", "-A", "-o", "wide"); !strings.Contains(out, "NAMESPACE") || !strings.Contains(out, ns) || !strings.Contains(out, "MESSAGE") {
		t.Errorf("status -A -o wide: %s", out)
	}
	if out := plugin("surge", "status", "btc-crash", "-o", "jsonpath={.status.phase}"); out != "Active" {
		t.Errorf("status -o jsonpath: %q", out)
	}
	// plan sq/NAME sizes the queue in the cluster at the inflow it is sized
	// for now, with the operator's own function.
	if out := plugin("plan", "sq/retail-chat"); !strings.Contains(out, "retail-chat (chat)") || !strings.Contains(out, "Binding constraint") {
		t.Errorf("plan sq/retail-chat:\n%s", out)
	}
	// Completion: the shell asks with the word being typed last.
	var completions bytes.Buffer
	if code := cli.Run([]string{"__complete", "--kubeconfig", kubeconfig, "-n", ns, "surge", "on", "btc"}, strings.NewReader(""), &completions, io.Discard); code != 0 ||
		!strings.Contains(completions.String(), "btc-crash") {
		t.Errorf("completion of plan names: exit %d, %q", code, completions.String())
	}
	completions.Reset()
	if code := cli.Run([]string{"__complete", "--kubeconfig", kubeconfig, "-n", ns, "plan", "sq/re"}, strings.NewReader(""), &completions, io.Discard); code != 0 ||
		!strings.Contains(completions.String(), "sq/retail-chat") {
		t.Errorf("completion of queue names: exit %d, %q", code, completions.String())
	}
	if out := plugin("top", "-o", "yaml"); !strings.Contains(out, "kind: SupportQueue") || !strings.Contains(out, "kind: SurgePlan") {
		t.Errorf("top -o yaml:\n%s", out)
	}
	// top --watch follows the watch API; into a pipe, no terminal codes.
	out = plugin("top", "--watch", "--for", "3s", "--interval", "1s")
	if strings.Contains(out, "\033[") || !strings.Contains(out, "retail-chat") || !strings.Contains(out, "Summary") {
		t.Errorf("top --watch into a pipe:\n%q", out)
	}
}

// surgingQueue is a queue at 600/h (half of it contained by its bot) in
// a new namespace, surging under a plan forced on (btc-crash): its
// namespace and the agents it surges to, once they are there.
func surgingQueue(t *testing.T) (string, int32) {
	t.Helper()
	ns := newNamespace(t)
	setGaugeInflow(ns, "retail-chat", 600)
	plan := volatilityPlan(ns, "btc-crash")
	plan.Spec.Mode = supportv1alpha1.SurgeModeAlways
	create(t, policy(ns, "p", 80), retailQueue(ns, "retail-chat"), plan)
	surged := agentsFor(300, 80) + 4
	waitReplicas(t, ns, "retail-chat-agents", surged, 60*time.Second)
	return ns, surged
}

// TestRestartMidSurgeKeepsReplicas: the operator stops mid-surge and a new
// one starts with empty memory; replicas never dip.
func TestRestartMidSurgeKeepsReplicas(t *testing.T) {
	ns, surged := surgingQueue(t)
	waitReplicas(t, ns, "retail-chat-chatbot", 5, 30*time.Second)

	eventually(t, 30*time.Second, func() error {
		q := getQueue(t, ns, "retail-chat")
		if c := condition(q, supportv1alpha1.ConditionMetricsAvailable); c == nil || c.Status != metav1.ConditionTrue {
			return fmt.Errorf("before the restart: MetricsAvailable %+v", c)
		}
		return nil
	})
	stopManager()
	if err := startManager(); err != nil {
		t.Fatal(err)
	}
	// The new start has no reading yet: the queue waits for one rather
	// than saying its metrics are unknown and its SLA at risk.
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		a, err1 := deploymentReplicas(ns, "retail-chat-agents")
		b, err2 := deploymentReplicas(ns, "retail-chat-chatbot")
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if a < surged || b < 5 {
			t.Fatalf("dip after restart: agents %d (want %d), bots %d (want 5)", a, surged, b)
		}
		q := getQueue(t, ns, "retail-chat")
		if c := condition(q, supportv1alpha1.ConditionMetricsAvailable); c == nil || c.Status != metav1.ConditionTrue {
			t.Fatalf("after the restart: MetricsAvailable %+v, want True throughout", c)
		}
		if c := condition(q, supportv1alpha1.ConditionSLAAtRisk); c != nil && c.Reason == supportv1alpha1.ReasonMetricsHeld {
			t.Fatalf("after the restart: SLAAtRisk %+v, the metrics merely not yet read", c)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if p := getPlan(t, ns, "btc-crash"); p.Status.Phase != supportv1alpha1.SurgePhaseActive {
		t.Errorf("phase %s after restart", p.Status.Phase)
	}
}

func managedBy(fields []metav1.ManagedFieldsEntry, manager string) bool {
	for _, f := range fields {
		if f.Manager == manager {
			return true
		}
	}
	return false
}

// TestUnreadableTriggerReported: a query that returns several series (or
// none) is not a reading; the plan says so in status and stays Armed.
func TestUnreadableTriggerReported(t *testing.T) {
	ns := newNamespace(t)
	plan := volatilityPlan(ns, "broken")
	plan.Spec.Triggers.External[0].Query = `frontline_sim_signal` // many series
	create(t, plan)
	eventually(t, 30*time.Second, func() error {
		p := getPlan(t, ns, "broken")
		if p.Status.Phase != supportv1alpha1.SurgePhaseArmed || len(p.Status.Triggers) != 1 || p.Status.Triggers[0].Value != "unknown" ||
			!strings.Contains(p.Status.Triggers[0].Message, "series, want exactly 1") {
			return fmt.Errorf("status %+v", p.Status)
		}
		c := meta.FindStatusCondition(p.Status.Conditions, supportv1alpha1.ConditionTriggersAvailable)
		if c == nil || c.Status != metav1.ConditionFalse || c.Reason != supportv1alpha1.ReasonTriggerUnreadable || !strings.HasPrefix(c.Message, "btc-move: ") {
			return fmt.Errorf("TriggersAvailable %+v", c)
		}
		// Unreadable is short-lived: Ready stays True.
		if r := meta.FindStatusCondition(p.Status.Conditions, supportv1alpha1.ConditionReady); r == nil || r.Status != metav1.ConditionTrue {
			return fmt.Errorf("Ready %+v", r)
		}
		return nil
	})
	// Events are sent after the status write, by the recorder's own
	// goroutine.
	eventually(t, 10*time.Second, func() error {
		if !hasEvent(t, ns, "broken", supportv1alpha1.ReasonTriggerUnreadable) {
			return fmt.Errorf("no Warning Event naming the unreadable trigger")
		}
		return nil
	})
}

// TestInvalidOverrideReported: an override annotation written by hand that
// cannot be read is ignored, with Ready=False and a Warning Event naming it.
func TestInvalidOverrideReported(t *testing.T) {
	ns := newNamespace(t)
	plan := volatilityPlan(ns, "typo")
	plan.Annotations = map[string]string{supportv1alpha1.AnnotationSurgeOverride: "On"}
	create(t, plan)
	eventually(t, 30*time.Second, func() error {
		p := getPlan(t, ns, "typo")
		c := meta.FindStatusCondition(p.Status.Conditions, supportv1alpha1.ConditionReady)
		if p.Status.Phase != supportv1alpha1.SurgePhaseArmed || c == nil || c.Status != metav1.ConditionFalse ||
			c.Reason != supportv1alpha1.ReasonInvalidOverride || !strings.Contains(c.Message, supportv1alpha1.AnnotationSurgeOverride) {
			return fmt.Errorf("phase %s, Ready %+v", p.Status.Phase, c)
		}
		return nil
	})
	if !eventSeen(t, ns, "typo", supportv1alpha1.ReasonInvalidOverride) {
		t.Error("no Warning Event for the unreadable override")
	}
}

// TestInvalidSelectorKeepsTheSurge: a plan's selector edited mid-surge
// into one admission lets through but no selector can parse (In without
// values) stalls the plan, says why with a Warning Event, and keeps its
// queues surging, where it once failed silently and dropped them; it
// still reads on-call's override; fixed, the plan is Ready again.
func TestInvalidSelectorKeepsTheSurge(t *testing.T) {
	ns, surging := surgingQueue(t)
	waitPhase(t, ns, "btc-crash", supportv1alpha1.SurgePhaseActive, 30*time.Second)

	edit := func(sel metav1.LabelSelector) {
		t.Helper()
		p := getPlan(t, ns, "btc-crash")
		p.Spec.QueueSelector = sel
		if err := env.Client.Update(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	edit(metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "desk", Operator: metav1.LabelSelectorOpIn}}})
	eventually(t, 30*time.Second, func() error {
		p := getPlan(t, ns, "btc-crash")
		c := meta.FindStatusCondition(p.Status.Conditions, supportv1alpha1.ConditionStalled)
		if c == nil || c.Status != metav1.ConditionTrue || c.Reason != supportv1alpha1.ReasonInvalidSpec || !strings.Contains(c.Message, "spec.queueSelector") {
			return fmt.Errorf("Stalled %+v, want True/InvalidSpec naming spec.queueSelector", c)
		}
		if p.Status.ObservedGeneration != p.Generation {
			return fmt.Errorf("observedGeneration %d of %d", p.Status.ObservedGeneration, p.Generation)
		}
		return nil
	})
	if !eventSeen(t, ns, "btc-crash", supportv1alpha1.ReasonInvalidSpec) {
		t.Error("no InvalidSpec Event")
	}
	// The queue's next reconciles (a poll every 5 s) keep the surge.
	for range 4 {
		time.Sleep(3 * time.Second)
		if r, err := deploymentReplicas(ns, "retail-chat-agents"); err != nil || r != surging {
			t.Fatalf("agents %d (%v) while the selector is invalid, want the surge's %d kept", r, err, surging)
		}
	}
	// On-call still reaches it: an override is read and recorded.
	p := getPlan(t, ns, "btc-crash")
	if p.Annotations == nil {
		p.Annotations = map[string]string{}
	}
	p.Annotations[supportv1alpha1.AnnotationSurgeOverride] = "Never"
	if err := env.Client.Update(ctx, p); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() error {
		if m := getPlan(t, ns, "btc-crash").Status.Manual; m == nil || m.Mode != supportv1alpha1.SurgeModeNever {
			return fmt.Errorf("status.manual %+v, want the Never override recorded", m)
		}
		return nil
	})
	edit(metav1.LabelSelector{MatchLabels: map[string]string{"desk": "retail"}})
	eventually(t, 30*time.Second, func() error {
		p := getPlan(t, ns, "btc-crash")
		if c := meta.FindStatusCondition(p.Status.Conditions, supportv1alpha1.ConditionStalled); c != nil {
			return fmt.Errorf("still Stalled: %+v", c)
		}
		if !meta.IsStatusConditionTrue(p.Status.Conditions, supportv1alpha1.ConditionReady) {
			return fmt.Errorf("not Ready: %+v", p.Status.Conditions)
		}
		return nil
	})
}

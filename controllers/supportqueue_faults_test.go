package controllers

import (
	"context"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

// The tests in this file share Prometheus and stop it, so they do not run
// in parallel with others (none of the suite's tests do).

// TestPrometheusOutageHoldsReplicas: with Prometheus down nothing scales
// down, MetricsAvailable turns False with a reason and an Event; when it
// comes back the queue recovers.
func TestPrometheusOutageHoldsReplicas(t *testing.T) {
	ns := newNamespace(t)
	setGaugeInflow(ns, "vip", 1500)
	create(t, policy(ns, "p", 80), withGaugeInflow(queue(ns, "vip", "p")))
	high := agentsFor(1500, 80)
	waitReplicas(t, ns, "vip-agents", high, 60*time.Second)

	prom.Stop()
	restarted := false
	defer func() {
		if !restarted {
			_ = prom.Start()
		}
	}()
	eventually(t, 30*time.Second, func() error {
		q := getQueue(t, ns, "vip")
		c := condition(q, supportv1alpha1.ConditionMetricsAvailable)
		if c == nil || c.Status != metav1.ConditionFalse || c.Reason != supportv1alpha1.ReasonMetricsQueryFailed {
			return fmt.Errorf("MetricsAvailable %+v", c)
		}
		if q.Status.ConsecutiveMetricFailures < 3 { // fallbackAfter is 4 in these queues
			return fmt.Errorf("%d failures so far", q.Status.ConsecutiveMetricFailures)
		}
		return nil
	})
	// Several polls and well past the 20 s scale-down window: still high.
	time.Sleep(25 * time.Second)
	if r, _ := deploymentReplicas(ns, "vip-agents"); r != high {
		t.Fatalf("replicas %d during the outage, want %d held", r, high)
	}
	q := getQueue(t, ns, "vip")
	if c := condition(q, supportv1alpha1.ConditionReady); c == nil || c.Status != metav1.ConditionTrue {
		t.Errorf("a metrics gap flipped Ready: %+v", c)
	}
	if !eventSeen(t, ns, "vip", supportv1alpha1.ReasonMetricsQueryFailed) {
		t.Error("no Event for the metrics failure")
	}

	if err := prom.Start(); err != nil {
		t.Fatal(err)
	}
	restarted = true
	eventually(t, 60*time.Second, func() error {
		q := getQueue(t, ns, "vip")
		if c := condition(q, supportv1alpha1.ConditionMetricsAvailable); c == nil || c.Status != metav1.ConditionTrue {
			return fmt.Errorf("MetricsAvailable %+v", c)
		}
		return nil
	})
	if !eventSeen(t, ns, "vip", supportv1alpha1.ReasonMetricsOK) {
		t.Error("no Event for the recovery")
	}
}

// TestFallbackAfterFailures: a queue that asks for a fallback moves up to
// it once enough polls failed (here, the metric does not exist at all).
func TestFallbackAfterFailures(t *testing.T) {
	ns := newNamespace(t)
	q := withGaugeInflow(queue(ns, "mail", "p"))
	q.Spec.Metrics.OnError = supportv1alpha1.OnMetricsErrorFallback
	q.Spec.Metrics.FallbackAfter = 2
	q.Spec.Metrics.FallbackReplicas = &supportv1alpha1.FallbackReplicas{Agents: 7}
	create(t, policy(ns, "p", 80), q)
	waitReplicas(t, ns, "mail-agents", 7, 60*time.Second)
	got := getQueue(t, ns, "mail")
	c := condition(got, supportv1alpha1.ConditionMetricsAvailable)
	if c == nil || c.Status != metav1.ConditionFalse || c.Reason != supportv1alpha1.ReasonMetricsEmpty {
		t.Errorf("MetricsAvailable %+v, want False/EmptyResult", c)
	}
}

// TestPolicyEditResizes: raising the policy's target adds agents to every
// queue that references it.
func TestPolicyEditResizes(t *testing.T) {
	ns := newNamespace(t)
	setGaugeInflow(ns, "a", 600)
	setGaugeInflow(ns, "b", 300)
	create(t, policy(ns, "p", 80), withGaugeInflow(queue(ns, "a", "p")), withGaugeInflow(queue(ns, "b", "p")))
	waitReplicas(t, ns, "a-agents", agentsFor(600, 80), 60*time.Second)
	waitReplicas(t, ns, "b-agents", agentsFor(300, 80), 60*time.Second)

	p := &supportv1alpha1.SLAPolicy{}
	if err := env.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: "p"}, p); err != nil {
		t.Fatal(err)
	}
	edited := p.DeepCopy()
	edited.Spec.Targets[0].ServiceLevel.Percent = 95
	// A merge patch, as kubectl edit sends: the operator may be writing the
	// policy's status at the same moment.
	if err := env.Client.Patch(ctx, edited, client.MergeFrom(p)); err != nil {
		t.Fatal(err)
	}
	waitReplicas(t, ns, "a-agents", agentsFor(600, 95), 30*time.Second)
	waitReplicas(t, ns, "b-agents", agentsFor(300, 95), 30*time.Second)

	// The policy reports its queues.
	eventually(t, 30*time.Second, func() error {
		if err := env.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: "p"}, p); err != nil {
			return err
		}
		if p.Status.QueueCount != 2 || len(p.Status.Queues) != 2 {
			return fmt.Errorf("policy status %+v", p.Status)
		}
		for _, qs := range p.Status.Queues {
			if qs.TargetServiceLevel != "0.950" || qs.State == supportv1alpha1.QueueSLAUnknown || qs.State == supportv1alpha1.QueueSLABreached {
				return fmt.Errorf("queue %+v", qs)
			}
		}
		return nil
	})
}

// TestHandEditRevertedAndUserLabelsKept: the operator owns spec.replicas and
// takes it back; labels a user adds to a child stay.
func TestHandEditRevertedAndUserLabelsKept(t *testing.T) {
	ns := newNamespace(t)
	setGaugeInflow(ns, "q", 600)
	create(t, policy(ns, "p", 80), withGaugeInflow(queue(ns, "q", "p")))
	want := agentsFor(600, 80)
	waitReplicas(t, ns, "q-agents", want, 60*time.Second)

	d := &appsv1.Deployment{}
	if err := env.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: "q-agents"}, d); err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(d.DeepCopy())
	d.Spec.Replicas = ptr.To[int32](1)
	d.Labels["team"] = "retail-ops"
	if err := env.Client.Patch(ctx, d, patch, client.FieldOwner("kubectl-edit")); err != nil {
		t.Fatal(err)
	}
	waitReplicas(t, ns, "q-agents", want, 30*time.Second)
	// A later reconcile (next polls) must not remove the user's label.
	time.Sleep(6 * time.Second)
	if err := env.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: "q-agents"}, d); err != nil {
		t.Fatal(err)
	}
	if d.Labels["team"] != "retail-ops" {
		t.Errorf("user label removed: %v", d.Labels)
	}
}

// TestMissingPolicyKeepsMinimums: a queue whose policy does not exist says
// so and runs its minimum; creating the policy sizes it.
func TestMissingPolicyKeepsMinimums(t *testing.T) {
	ns := newNamespace(t)
	setGaugeInflow(ns, "q", 600)
	create(t, withGaugeInflow(queue(ns, "q", "nope")))
	waitReplicas(t, ns, "q-agents", 2, 60*time.Second)
	eventually(t, 30*time.Second, func() error {
		q := getQueue(t, ns, "q")
		for _, ct := range []string{supportv1alpha1.ConditionSLAPolicyResolved, supportv1alpha1.ConditionReady} {
			c := condition(q, ct)
			if c == nil || c.Status != metav1.ConditionFalse || c.Reason != supportv1alpha1.ReasonSLAPolicyNotFound {
				return fmt.Errorf("%s %+v", ct, c)
			}
		}
		if c := condition(q, supportv1alpha1.ConditionStalled); c == nil || c.Status != metav1.ConditionTrue {
			return fmt.Errorf("Stalled %+v", c)
		}
		return nil
	})
	create(t, policy(ns, "nope", 80))
	waitReplicas(t, ns, "q-agents", agentsFor(600, 80), 30*time.Second)
}

// TestNoTargetForChannel: a policy without a target for the queue's
// channel is an invalid reference, reported as such.
func TestNoTargetForChannel(t *testing.T) {
	ns := newNamespace(t)
	q := withGaugeInflow(queue(ns, "q", "p"))
	q.Spec.Channel = supportv1alpha1.ChannelPhone
	create(t, policy(ns, "p", 80), q)
	eventually(t, 30*time.Second, func() error {
		c := condition(getQueue(t, ns, "q"), supportv1alpha1.ConditionSLAPolicyResolved)
		if c == nil || c.Reason != supportv1alpha1.ReasonNoTargetForChannel {
			return fmt.Errorf("SLAPolicyResolved %+v", c)
		}
		return nil
	})
}

// markDeploymentReady does what the controller-manager and kubelets would
// (envtest runs neither): every replica of the Deployment is ready.
func markDeploymentReady(t *testing.T, ns, name string) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		d := &appsv1.Deployment{}
		if err := env.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, d); err != nil {
			return err
		}
		r := ptr.Deref(d.Spec.Replicas, 0)
		d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: r, UpdatedReplicas: r, ReadyReplicas: r, AvailableReplicas: r}
		return env.Client.Status().Update(ctx, d)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNoOpReconcileMakesNoWrites: once a queue has converged and traffic is
// steady, polls and reconciles go on but no API write is made for two
// minutes, and the queue, sized exactly for its target, is not at risk
// (while its pods were not ready, it was, and said why).
func TestNoOpReconcileMakesNoWrites(t *testing.T) {
	t.Parallel() // minutes of waiting on the clock, in a namespace of its own
	ns := newNamespace(t)
	setGaugeInflow(ns, "q", 600)
	q := withGaugeInflow(queue(ns, "q", "p"))
	q.Spec.Chatbot = &supportv1alpha1.ChatbotSpec{
		Template:    supportv1alpha1.WorkloadTemplate{Image: "bot:1", Env: []corev1.EnvVar{{Name: "MODEL", Value: "faq-small"}}},
		MinReplicas: 1, MaxReplicas: 20, ConversationsPerReplica: 50, HandleTime: metav1.Duration{Duration: 90 * time.Second},
		Containment: "0.5", Port: 8080,
		KnowledgeBase: &supportv1alpha1.KnowledgeBaseSource{ConfigMapRef: supportv1alpha1.LocalObjectReference{Name: "faq"}},
	}
	create(t, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "faq"}, Data: map[string]string{"fees": "Q: fees?\nA: 0.1%"}},
		policy(ns, "p", 80), q)
	waitReplicas(t, ns, "q-agents", agentsFor(300, 80), 60*time.Second)
	// Let everything settle: the other tests' queues too.
	time.Sleep(8 * time.Second)
	cm := &corev1.ConfigMap{}
	if err := env.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: "q-knowledge"}, cm); err != nil || cm.Data["fees"] == "" {
		t.Fatalf("knowledge ConfigMap %v %v", cm.Data, err)
	}
	if c := condition(getQueue(t, ns, "q"), supportv1alpha1.ConditionSLAAtRisk); c == nil || c.Status != metav1.ConditionTrue || c.Reason != supportv1alpha1.ReasonPodsNotReady {
		t.Errorf("no pod ready yet: SLAAtRisk %+v, want True/%s", c, supportv1alpha1.ReasonPodsNotReady)
	}
	markDeploymentReady(t, ns, "q-agents")
	markDeploymentReady(t, ns, "q-chatbot")
	eventually(t, 30*time.Second, func() error {
		q := getQueue(t, ns, "q")
		if c := condition(q, supportv1alpha1.ConditionSLAAtRisk); c == nil || c.Status != metav1.ConditionFalse || c.Reason != supportv1alpha1.ReasonWithinTarget {
			return fmt.Errorf("SLAAtRisk %+v (prediction %+v)", c, q.Status.Prediction)
		}
		p := &supportv1alpha1.SLAPolicy{}
		if err := env.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: "p"}, p); err != nil {
			return err
		}
		if c := meta.FindStatusCondition(p.Status.Conditions, supportv1alpha1.ConditionSLAAtRisk); c == nil || c.Status != metav1.ConditionFalse ||
			len(p.Status.Queues) != 1 || p.Status.Queues[0].State != supportv1alpha1.QueueSLAMet {
			return fmt.Errorf("policy status %+v", p.Status)
		}
		return nil
	})
	time.Sleep(6 * time.Second)
	before := writes.in(ns)
	time.Sleep(2 * time.Minute)
	if n := writes.in(ns) - before; n != 0 {
		t.Errorf("%d API writes in two minutes with nothing changing, want 0", n)
	}
	if c := condition(getQueue(t, ns, "q"), supportv1alpha1.ConditionSLAAtRisk); c == nil || c.Status != metav1.ConditionFalse {
		t.Errorf("a steady, correctly sized queue: SLAAtRisk %+v", c)
	}
}

// eventSeen waits up to 10 s for the Event: the recorder writes it after
// the status that reports the same cause.
func eventSeen(t *testing.T, ns, name, reason string) bool {
	t.Helper()
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		return hasEvent(t, ns, name, reason), nil
	})
	return err == nil
}

func hasEvent(t *testing.T, ns, name, reason string) bool {
	t.Helper()
	var list corev1.EventList
	if err := env.Client.List(ctx, &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	for _, e := range list.Items {
		if e.InvolvedObject.Name == name && e.Reason == reason {
			return true
		}
	}
	return false
}

// TestObservedServiceLevelReported: a queue that reads its observed service
// level reports it, and its policy flags a breach when the observation is
// below target even though the prediction meets it.
func TestObservedServiceLevelReported(t *testing.T) {
	ns := newNamespace(t)
	setGaugeInflow(ns, "q", 600)
	sim.Gauges.WithLabelValues(ns, "q", "observed_sl").Set(0.62)
	q := withGaugeInflow(queue(ns, "q", "p"))
	q.Spec.Metrics.Queries.ServiceLevel = fmt.Sprintf(`sum(frontline_sim_signal{namespace=%q,queue="q",signal="observed_sl"})`, ns)
	create(t, policy(ns, "p", 80), q)
	eventually(t, 60*time.Second, func() error {
		got := getQueue(t, ns, "q")
		if m := got.Status.Measured; m == nil || m.ServiceLevel != "0.62" {
			return fmt.Errorf("measured %+v", got.Status.Measured)
		}
		p := &supportv1alpha1.SLAPolicy{}
		if err := env.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: "p"}, p); err != nil {
			return err
		}
		if len(p.Status.Queues) != 1 || p.Status.Queues[0].ObservedServiceLevel != "0.62" || p.Status.Queues[0].State != supportv1alpha1.QueueSLABreached || p.Status.BreachedCount != 1 {
			return fmt.Errorf("policy status %+v", p.Status)
		}
		return nil
	})
}

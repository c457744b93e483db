package controllers

import (
	"fmt"
	"strings"
	"testing"
	"time"

	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

// setSource points a queue at another metrics source, as its owner would
// with kubectl apply.
func setSource(t *testing.T, ns, name string, src supportv1alpha1.PrometheusSource) {
	t.Helper()
	q := getQueue(t, ns, name)
	edited := q.DeepCopy()
	edited.Spec.Metrics.Prometheus = &src
	if err := env.Client.Patch(ctx, edited, client.MergeFrom(q)); err != nil {
		t.Fatal(err)
	}
}

func waitMetricsReason(t *testing.T, ns, name string, status metav1.ConditionStatus, reason string) *metav1.Condition {
	t.Helper()
	var c *metav1.Condition
	eventually(t, 30*time.Second, func() error {
		c = condition(getQueue(t, ns, name), supportv1alpha1.ConditionMetricsAvailable)
		if c == nil || c.Status != status || c.Reason != reason {
			return fmt.Errorf("MetricsAvailable %+v, want %s/%s", c, status, reason)
		}
		return nil
	})
	return c
}

// TestRefusedSourceHoldsReplicas: a queue reads a source the platform
// named; pointed at a name the platform did not define, or at an address
// its allow-list does not admit, it reads nothing, says why in
// MetricsAvailable and an Event, and holds its replicas however traffic
// moves; pointed back, it reads again.
func TestRefusedSourceHoldsReplicas(t *testing.T) {
	ns := newNamespace(t)
	setGaugeInflow(ns, "q", 1500)
	q := withGaugeInflow(queue(ns, "q", "p"))
	q.Spec.Metrics.Prometheus = &supportv1alpha1.PrometheusSource{Source: "local"}
	create(t, policy(ns, "p", 80), q)
	high := agentsFor(1500, 80)
	waitReplicas(t, ns, "q-agents", high, 60*time.Second)

	setSource(t, ns, "q", supportv1alpha1.PrometheusSource{Source: "missing"})
	c := waitMetricsReason(t, ns, "q", metav1.ConditionFalse, supportv1alpha1.ReasonSourceNotFound)
	for _, says := range []string{`metrics source "missing" is not defined`, "(defined: default, local)", "never scaling down"} {
		if !strings.Contains(c.Message, says) {
			t.Errorf("message %q does not say %q", c.Message, says)
		}
	}
	// Were the source read, this would lower the need; past the 20 s
	// scale-down window, the replicas are still held.
	setGaugeInflow(ns, "q", 300)
	time.Sleep(25 * time.Second)
	if r, _ := deploymentReplicas(ns, "q-agents"); r != high {
		t.Fatalf("replicas %d with the source refused, want %d held", r, high)
	}
	got := getQueue(t, ns, "q")
	if r := condition(got, supportv1alpha1.ConditionReady); r == nil || r.Status != metav1.ConditionTrue {
		t.Errorf("a refused source flipped Ready: %+v", r)
	}
	if a := condition(got, supportv1alpha1.ConditionSLAAtRisk); a == nil || a.Reason != supportv1alpha1.ReasonMetricsHeld {
		t.Errorf("SLAAtRisk %+v, want MetricsHeld", a)
	}
	if !eventSeen(t, ns, "q", supportv1alpha1.ReasonSourceNotFound) {
		t.Error("no SourceNotFound Event")
	}

	// An address outside the allow-list (the suite admits loopback only).
	setSource(t, ns, "q", supportv1alpha1.PrometheusSource{Address: "http://10.255.255.1:9090"})
	c = waitMetricsReason(t, ns, "q", metav1.ConditionFalse, supportv1alpha1.ReasonSourceNotAllowed)
	if !strings.Contains(c.Message, "not among the addresses the platform team allows") || strings.Contains(c.Message, "10.255.255.1") {
		t.Errorf("message %q", c.Message)
	}
	if !eventSeen(t, ns, "q", supportv1alpha1.ReasonSourceNotAllowed) {
		t.Error("no SourceNotAllowed Event")
	}
	if r, _ := deploymentReplicas(ns, "q-agents"); r != high {
		t.Fatalf("replicas %d with the address refused, want %d held", r, high)
	}

	setSource(t, ns, "q", supportv1alpha1.PrometheusSource{Source: "local"})
	waitMetricsReason(t, ns, "q", metav1.ConditionTrue, supportv1alpha1.ReasonMetricsOK)
}

// TestRefusedSourceOnAPlan: a plan whose source is not defined reads no
// trigger, says why in TriggersAvailable and an Event, and does not fire.
func TestRefusedSourceOnAPlan(t *testing.T) {
	ns := newNamespace(t)
	setVolatility(ns, 0.5) // would fire at once, were it read
	plan := volatilityPlan(ns, "plan")
	plan.Spec.Prometheus = &supportv1alpha1.PrometheusSource{Source: "missing"}
	plan.Spec.Triggers.External[0].For = metav1.Duration{}
	create(t, plan)
	eventually(t, 30*time.Second, func() error {
		c := apimeta.FindStatusCondition(getPlan(t, ns, "plan").Status.Conditions, supportv1alpha1.ConditionTriggersAvailable)
		if c == nil || c.Status != metav1.ConditionFalse || c.Reason != supportv1alpha1.ReasonSourceNotFound ||
			!strings.Contains(c.Message, `metrics source "missing" is not defined`) {
			return fmt.Errorf("TriggersAvailable %+v", c)
		}
		return nil
	})
	if !eventSeen(t, ns, "plan", supportv1alpha1.ReasonSourceNotFound) {
		t.Error("no SourceNotFound Event on the plan")
	}
	if p := getPlan(t, ns, "plan"); p.Status.Phase == supportv1alpha1.SurgePhaseActive {
		t.Errorf("a plan with no readable trigger went Active: %s", p.Status.Message)
	}
}

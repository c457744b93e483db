package controllers

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/capacity"
	"github.com/frontline-dev/frontline/test/ticketsim"
)

var ctx = context.Background()

func policy(ns, name string, percent int32) *supportv1alpha1.SLAPolicy {
	return &supportv1alpha1.SLAPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: supportv1alpha1.SLAPolicySpec{
			Targets: []supportv1alpha1.SLATarget{{
				Channel:      supportv1alpha1.ChannelChat,
				ServiceLevel: &supportv1alpha1.ServiceLevelTarget{Percent: percent, Within: metav1.Duration{Duration: 20 * time.Second}},
			}},
			MaxOccupancy: "0.85", Shrinkage: "0.3", WarningMargin: "0.05",
		},
	}
}

// queue is a chat queue polled every 5 s on a 10 s rate window, with a
// 20 s scale-down window and 50% steps, so tests run in seconds.
func queue(ns, name, policyName string) *supportv1alpha1.SupportQueue {
	return &supportv1alpha1.SupportQueue{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: supportv1alpha1.SupportQueueSpec{
			Channel:      supportv1alpha1.ChannelChat,
			Languages:    []string{"en", "ko"},
			Category:     "trading",
			SLAPolicyRef: supportv1alpha1.LocalObjectReference{Name: policyName},
			Agents: supportv1alpha1.AgentsSpec{
				Template:          supportv1alpha1.WorkloadTemplate{Image: "agent:1"},
				MinReplicas:       2,
				MaxReplicas:       200,
				Concurrency:       1,
				AverageHandleTime: metav1.Duration{Duration: 3 * time.Minute},
			},
			Metrics: supportv1alpha1.MetricsSpec{
				PollInterval: metav1.Duration{Duration: 5 * time.Second},
				MaxSampleAge: metav1.Duration{Duration: 30 * time.Second},
				OnError:      supportv1alpha1.OnMetricsErrorHold, FallbackAfter: 4,
			},
			Scaling: supportv1alpha1.ScalingSpec{
				ScaleDown: supportv1alpha1.ScaleDownSpec{
					StabilizationWindow: metav1.Duration{Duration: 20 * time.Second}, MaxStepPercent: 50,
				},
			},
		},
	}
}

// withGaugeInflow reads inflow from a test gauge through a query override,
// so a step in traffic is a step in the reading (no rate window ramp).
func withGaugeInflow(q *supportv1alpha1.SupportQueue) *supportv1alpha1.SupportQueue {
	q.Spec.Metrics.Queries = &supportv1alpha1.QueryOverrides{
		InflowPerSecond: fmt.Sprintf(`sum(frontline_sim_signal{namespace=%q,queue=%q,signal="inflow_per_second"})`, q.Namespace, q.Name),
	}
	return q
}

func setGaugeInflow(ns, name string, perHour float64) {
	sim.Gauges.WithLabelValues(ns, name, "inflow_per_second").Set(perHour / 3600)
}

func agentsFor(perHour float64, percent float64) int32 {
	r, err := capacity.Agents(capacity.Request{ArrivalsPerSecond: perHour / 3600, HandleTimeSeconds: 180,
		TargetServiceLevel: percent / 100, TargetSeconds: 20, MaxOccupancy: 0.85, Shrinkage: 0.3, Concurrency: 1})
	if err != nil {
		panic(err)
	}
	return int32(r.Agents)
}

func create(t *testing.T, objs ...client.Object) {
	t.Helper()
	for _, o := range objs {
		if err := env.Client.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
}

func getQueue(t *testing.T, ns, name string) *supportv1alpha1.SupportQueue {
	t.Helper()
	q := &supportv1alpha1.SupportQueue{}
	if err := env.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, q); err != nil {
		t.Fatal(err)
	}
	return q
}

func deploymentReplicas(ns, name string) (int32, error) {
	d := &appsv1.Deployment{}
	if err := env.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, d); err != nil {
		return 0, err
	}
	return ptr.Deref(d.Spec.Replicas, -1), nil
}

func waitReplicas(t *testing.T, ns, name string, want int32, timeout time.Duration) {
	t.Helper()
	eventually(t, timeout, func() error {
		got, err := deploymentReplicas(ns, name)
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("%s replicas %d, want %d", name, got, want)
		}
		return nil
	})
}

func condition(q *supportv1alpha1.SupportQueue, t string) *metav1.Condition {
	return meta.FindStatusCondition(q.Status.Conditions, t)
}

// TestSteadyTrafficSizedByCapacityModel: the default metrics, read
// as raw counter samples through a real Prometheus, are measured exactly
// (a smooth counter: no Poisson noise to blur the check) and size agents
// as the capacity model does for the inflow the estimator sizes for.
func TestSteadyTrafficSizedByCapacityModel(t *testing.T) {
	ns := newNamespace(t)
	sim.Set(ns, "retail", ticketsim.Queue{InflowPerHour: 720, Backlog: 3, Smooth: true})
	create(t, policy(ns, "retail", 80), queue(ns, "retail", "retail"))

	eventually(t, 60*time.Second, func() error {
		q := getQueue(t, ns, "retail")
		m := q.Status.Measured
		if m == nil || m.InflowPerHour == nil {
			return fmt.Errorf("no measurement yet")
		}
		measured := float64(*m.InflowPerHour)
		if math.Abs(measured-720)/720 > 0.05 {
			return fmt.Errorf("measured %v/h, want about 720", measured)
		}
		if m.SizedForInflowPerHour == nil || *m.SizedForInflowPerHour < *m.InflowPerHour {
			return fmt.Errorf("sized for %v, below the level %v", m.SizedForInflowPerHour, measured)
		}
		sized := float64(*m.SizedForInflowPerHour)
		lo, hi := agentsFor(sized-0.5, 80), agentsFor(sized+0.5, 80)
		got := q.Status.Agents.DesiredReplicas
		if got != lo && got != hi {
			return fmt.Errorf("desired %d agents, capacity model says %d for %v/h", got, lo, sized)
		}
		if r, _ := deploymentReplicas(ns, "retail-agents"); r != got {
			return fmt.Errorf("deployment has %d, status says %d", r, got)
		}
		if c := condition(q, supportv1alpha1.ConditionMetricsAvailable); c == nil || c.Status != metav1.ConditionTrue {
			return fmt.Errorf("MetricsAvailable %+v", c)
		}
		if c := condition(q, supportv1alpha1.ConditionReady); c == nil || c.Status != metav1.ConditionTrue {
			return fmt.Errorf("Ready %+v", c)
		}
		if q.Status.Prediction == nil || q.Status.Prediction.ServiceLevel < "0.800" {
			return fmt.Errorf("prediction %+v", q.Status.Prediction)
		}
		if m.Backlog == nil || *m.Backlog != 3 {
			return fmt.Errorf("backlog %v", m.Backlog)
		}
		return nil
	})

	// Every child exists and is owned by the queue.
	q := getQueue(t, ns, "retail")
	for _, obj := range []client.Object{&appsv1.Deployment{}, &policyv1.PodDisruptionBudget{}} {
		if err := env.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: "retail-agents"}, obj); err != nil {
			t.Fatal(err)
		}
		if refs := obj.GetOwnerReferences(); len(refs) != 1 || refs[0].UID != q.UID || !ptr.Deref(refs[0].Controller, false) {
			t.Errorf("%T owner references %+v", obj, refs)
		}
	}
	d := &appsv1.Deployment{}
	_ = env.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: "retail-agents"}, d)
	sc := d.Spec.Template.Spec.Containers[0].SecurityContext
	if sc == nil || !ptr.Deref(sc.RunAsNonRoot, false) || ptr.Deref(sc.AllowPrivilegeEscalation, true) || len(sc.Capabilities.Drop) != 1 {
		t.Errorf("container security context not restricted: %+v", sc)
	}
	// The queue's category reaches the pods as a label and in the env.
	if got := d.Spec.Template.Labels["support.frontline.dev/category"]; got != "trading" {
		t.Errorf("pod category label %q, want trading", got)
	}
	var category string
	for _, e := range d.Spec.Template.Spec.Containers[0].Env {
		if e.Name == "FRONTLINE_CATEGORY" {
			category = e.Value
		}
	}
	if category != "trading" {
		t.Errorf("FRONTLINE_CATEGORY %q, want trading", category)
	}
}

// TestGaugeOverrideJumpScalesUpInOneStepAndDropWaitsForWindow: a gauge read
// through a query override (no estimator) ×5 moves replicas
// to the computed need in one decision; a drop holds for the stabilization
// window, then steps down by at most 50% per poll.
func TestGaugeOverrideJumpScalesUpInOneStepAndDropWaitsForWindow(t *testing.T) {
	ns := newNamespace(t)
	setGaugeInflow(ns, "crash", 300)
	create(t, policy(ns, "p", 80), withGaugeInflow(queue(ns, "crash", "p")))
	low, high := agentsFor(300, 80), agentsFor(1500, 80)
	waitReplicas(t, ns, "crash-agents", low, 60*time.Second)

	// Watch every value spec.replicas takes while scaling up.
	seen := map[int32]bool{}
	setGaugeInflow(ns, "crash", 1500)
	start := time.Now()
	eventually(t, 30*time.Second, func() error {
		r, err := deploymentReplicas(ns, "crash-agents")
		if err != nil {
			return err
		}
		seen[r] = true
		if r != high {
			return fmt.Errorf("replicas %d, want %d", r, high)
		}
		return nil
	})
	t.Logf("scale-up %d -> %d agents took %v (poll interval 5s)", low, high, time.Since(start).Round(100*time.Millisecond))
	for r := range seen {
		if r != low && r != high {
			t.Errorf("intermediate replica count %d seen between %d and %d", r, low, high)
		}
	}

	// Drop back: nothing happens for the 20 s window.
	setGaugeInflow(ns, "crash", 300)
	dropped := time.Now()
	var firstDown time.Duration
	steps := []int32{}
	eventually(t, 90*time.Second, func() error {
		r, err := deploymentReplicas(ns, "crash-agents")
		if err != nil {
			return err
		}
		if r < high && firstDown == 0 {
			firstDown = time.Since(dropped)
		}
		if len(steps) == 0 || steps[len(steps)-1] != r {
			steps = append(steps, r)
		}
		if r != low {
			return fmt.Errorf("replicas %d, want %d", r, low)
		}
		return nil
	})
	t.Logf("scale-down steps %v, first step after %v", steps, firstDown.Round(100*time.Millisecond))
	if firstDown < 18*time.Second {
		t.Errorf("first scale-down after %v, before the 20s stabilization window", firstDown)
	}
	for i := 1; i < len(steps); i++ {
		if maxStep := int32(math.Ceil(float64(steps[i-1]) * 0.5)); steps[i-1]-steps[i] > maxStep {
			t.Errorf("step %d -> %d removes more than 50%%", steps[i-1], steps[i])
		}
	}
	if len(steps) < 3 {
		t.Errorf("scale-down in %d steps %v, want gradual", len(steps)-1, steps)
	}
}

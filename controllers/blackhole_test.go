package controllers

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

// blackhole is a Prometheus address that accepts requests and never
// answers: every query against it runs into its timeout.
func blackhole(t *testing.T) string {
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop: // the test is over: answer, so Close does not wait on the operator's next poll
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(func() { close(stop); srv.Close() })
	return srv.URL
}

// TestBlackholedPrometheusHoldsUpOnlyItsOwn: a queue and a plan on a
// Prometheus that never answers (every read waits out its 10 s timeout)
// do not delay the queues and plans on a healthy one: those react within
// one poll or evaluation interval plus a scrape, step after step.
func TestBlackholedPrometheusHoldsUpOnlyItsOwn(t *testing.T) {
	ns := newNamespace(t)
	dead := blackhole(t)

	stuck := withGaugeInflow(queue(ns, "stuck", "p"))
	stuck.Spec.Metrics.Prometheus = &supportv1alpha1.PrometheusSource{Address: dead}
	stuck.Spec.Metrics.PollInterval = metav1.Duration{Duration: 10 * time.Second} // reads time out at 10 s
	stuckPlan := volatilityPlan(ns, "stuck-plan")
	stuckPlan.Spec.Prometheus = &supportv1alpha1.PrometheusSource{Address: dead}
	stuckPlan.Spec.EvaluationInterval = metav1.Duration{Duration: 10 * time.Second}
	stuckPlan.Spec.QueueSelector = metav1.LabelSelector{MatchLabels: map[string]string{"desk": "none"}}

	setGaugeInflow(ns, "live", 300)
	setVolatility(ns, 0.01)
	live := retailQueue(ns, "live")
	livePlan := volatilityPlan(ns, "live-plan")
	livePlan.Spec.Triggers.External[0].For = metav1.Duration{}
	create(t, policy(ns, "p", 80), stuck, stuckPlan, live, livePlan)

	eventually(t, 60*time.Second, func() error {
		c := condition(getQueue(t, ns, "stuck"), supportv1alpha1.ConditionMetricsAvailable)
		if c == nil || c.Status != metav1.ConditionFalse {
			return fmt.Errorf("stuck queue MetricsAvailable %+v, want False", c)
		}
		return nil
	})
	waitPhase(t, ns, "live-plan", supportv1alpha1.SurgePhaseArmed, 30*time.Second)
	waitReplicas(t, ns, "live-agents", agentsFor(150, 80), 30*time.Second) // the bot contains half

	// A poll every 5 s, a scrape every 1 s, a 250 ms tick: 9 s is one
	// interval and a few seconds of slack. Polling behind the blackholed
	// group (10 s a read) would miss it.
	for _, perHour := range []float64{900, 2700, 6000} {
		setGaugeInflow(ns, "live", perHour)
		waitReplicas(t, ns, "live-agents", agentsFor(perHour/2, 80), 9*time.Second)
	}
	// The plan evaluates every 5 s with `for: 0s`; one worker stuck on the
	// other plan's 10 s reads would miss 12 s.
	setVolatility(ns, 0.08)
	waitPhase(t, ns, "live-plan", supportv1alpha1.SurgePhaseActive, 12*time.Second)

	c := condition(getQueue(t, ns, "stuck"), supportv1alpha1.ConditionMetricsAvailable)
	if c == nil || c.Status != metav1.ConditionFalse {
		t.Errorf("stuck queue MetricsAvailable %+v, want False throughout", c)
	}
	p := getPlan(t, ns, "stuck-plan")
	if tc := apimeta.FindStatusCondition(p.Status.Conditions, supportv1alpha1.ConditionTriggersAvailable); tc == nil || tc.Status != metav1.ConditionFalse {
		t.Errorf("stuck plan TriggersAvailable %+v, want False", tc)
	}
}

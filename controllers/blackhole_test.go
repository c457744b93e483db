package controllers

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/test/ticketsim"
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

// TestBlackholedPrometheusHoldsUpOnlyItsOwn: a queue and forty plans on a
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
	// Ten times as many plans on the dead source as the reconciler has
	// workers (4): were their reads on the workers, each would hold one
	// for 10 s of every 20 (a read, then its interval), and the live plan
	// would wait its turn behind them (it did, with reads on the workers:
	// still Armed after 12 s).
	for i := range 39 {
		more := stuckPlan.DeepCopy()
		more.Name = fmt.Sprintf("stuck-plan-%d", i)
		more.ResourceVersion = ""
		create(t, more)
	}

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
	// The plan evaluates every 5 s with `for: 0s`; workers stuck on the
	// other plans' 10 s reads would miss 12 s.
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

// slowProxy is a Prometheus address in front of the suite's Prometheus
// that answers every query as it does, but holds a query containing
// marker for 40 s first (or until the caller gives up).
func slowProxy(t *testing.T, marker string) string {
	target, err := url.Parse(prom.URL())
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(target)
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		if strings.Contains(r.URL.Query().Get("query")+form.Get("query"), marker) {
			select {
			case <-r.Context().Done():
				return
			case <-stop:
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			case <-time.After(40 * time.Second):
			}
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { close(stop); srv.Close() })
	return srv.URL
}

// TestSlowOverrideHoldsUpOnlyItsQueue: tenant A's queue has a backlog
// override that takes 40 s to answer; tenant B's queue reads the default
// queries of the same Prometheus. B's ×10 step on the counter is sized as
// if A were not there, and A reports its own failure.
func TestSlowOverrideHoldsUpOnlyItsQueue(t *testing.T) {
	nsA, nsB := newNamespace(t), newNamespace(t)
	shared := slowProxy(t, `signal="slow"`)
	sim.Set(nsB, "desk", ticketsim.Queue{InflowPerHour: 300})
	time.Sleep(20 * time.Second) // some history before the queue exists

	slow := queue(nsA, "slow", "p")
	slow.Spec.Metrics.Prometheus = &supportv1alpha1.PrometheusSource{Address: shared}
	slow.Spec.Metrics.Queries = &supportv1alpha1.QueryOverrides{Backlog: `max(frontline_sim_signal{signal="slow"})`}
	desk := queue(nsB, "desk", "p")
	desk.Spec.Metrics.Prometheus = &supportv1alpha1.PrometheusSource{Address: shared}
	create(t, policy(nsA, "p", 80), slow)
	create(t, policy(nsB, "p", 80), desk)
	waitReplicas(t, nsB, "desk-agents", agentsFor(300, 80), 60*time.Second)

	sim.Set(nsB, "desk", ticketsim.Queue{InflowPerHour: 3000})
	stepped := time.Now()
	// At least the new rate's need: the first accepted change sizes for
	// its upper bound, as TestCounterStepScalesUpInOneStep says.
	eventually(t, 60*time.Second, func() error {
		if r, err := deploymentReplicas(nsB, "desk-agents"); err != nil || r < agentsFor(3000, 80) {
			return fmt.Errorf("replicas %d, want at least %d (%v)", r, agentsFor(3000, 80), err)
		}
		return nil
	})
	t.Logf("×10 beside a 40 s override on the same Prometheus: sized in %v", time.Since(stepped).Round(time.Second))
	if c := condition(getQueue(t, nsB, "desk"), supportv1alpha1.ConditionMetricsAvailable); c == nil || c.Status != metav1.ConditionTrue {
		t.Errorf("tenant B's queue MetricsAvailable %+v, want True", c)
	}
	eventually(t, 30*time.Second, func() error {
		c := condition(getQueue(t, nsA, "slow"), supportv1alpha1.ConditionMetricsAvailable)
		if c == nil || c.Status != metav1.ConditionFalse {
			return fmt.Errorf("slow queue MetricsAvailable %+v, want False", c)
		}
		return nil
	})
}

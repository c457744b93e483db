//go:build e2e

package e2e

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/test/figures"
)

// TestYoungQueueStep: a quiet desk's queue is created with its counter
// at 100/h, and 75 s later the counter steps ×10: the young-series case
// (a new queue, a restarted exporter) that the other reaction tests, with
// their long histories, never meet. YOUNG_RUNS runs (1 here, 5 in make
// bench); each is printed with the time to the new rate's need and every
// pod Running, and the peak ask. As in TestReactionTimes, a run fails only when the
// agents are not even at the need for the tickets that came: with two
// tickets of history the evidence of a step is thin (the estimator's
// TestYoungStepSizedSoon gives the bound per history).
func TestYoungQueueStep(t *testing.T) {
	youngSteps(t, "YOUNG", "young queue, 100→1000/h 75 s after creation", func(name string) (*supportv1alpha1.SupportQueue, int32) {
		counter(t, name, 100, 0)
		q := chatQueue(t, name, 60, "")
		created := time.Now()
		need := needAt(t, q, 1000)
		time.Sleep(time.Until(created.Add(75 * time.Second)))
		counter(t, name, 1000, 0)
		return q, need
	}, nil)
}

// youngSteps runs a step on a young queue ${PREFIX}_RUNS times (1 by
// default), each named after prefix: step creates the queue, steps its
// traffic and returns it with the new rate's need. Each run is timed to
// that need with every pod Running, then watched a minute for its peak
// ask, printed, and checked (a run not at the need in 4 minutes fails
// only when the agents are not even at the need for the tickets that
// came); after, when not nil, checks the run further. The runs are
// written to ${PREFIX}_OUT when set.
func youngSteps(t *testing.T, prefix, what string, step func(name string) (*supportv1alpha1.SupportQueue, int32), after func(run int, name string)) {
	runs := 1
	if n, err := strconv.Atoi(os.Getenv(prefix + "_RUNS")); err == nil && n > 0 {
		runs = n
	}
	var out []figures.YoungStep
	for i := range runs {
		name := fmt.Sprintf("%s-%d", strings.ToLower(prefix), i)
		q, need := step(name)
		start := time.Now()
		run := figures.YoungStep{Case: what, Need: need, ControllerManagerQPS: controllerManagerQPS()}
		run.ToSpec, run.ToRunning = timeToNeed(t, name, need, start)
		if run.ToRunning == 0 {
			run.NotReached = true
			followsArrivals(t, q, name, start, fmt.Sprintf("%s, run %d", what, i))
			run.ToRunning = time.Since(start)
		} else {
			peakUntil := time.Now().Add(time.Minute)
			for time.Now().Before(peakUntil) {
				if r, _, err := tryDeployment(name + "-agents"); err == nil {
					run.Peak = max(run.Peak, r)
				}
				time.Sleep(500 * time.Millisecond)
			}
		}
		// Read after the run, not at the step, so the query does not delay
		// the timing; the queue's series all started after its creation.
		run.HistoryTickets, _ = ticketsBetween(t, name, start.Add(-10*time.Minute), start)
		t.Logf("%s, run %d: tickets before the step %.0f; need %d agents: spec %.1f s, all Running %s%.1f s, peak %d in the minute after",
			what, i, run.HistoryTickets, need, run.ToSpec.Seconds(), map[bool]string{true: "over "}[run.NotReached], run.ToRunning.Seconds(), run.Peak)
		if after != nil {
			after(i, name)
		}
		out = append(out, run)
		removeCounter(t, name)
		if err := k8s.Delete(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	writeFigures(t, prefix+"_OUT", out)
}

// TestRestartedReplicaStep: a queue's tickets are exported by two
// replicas, each counting half of 600/h in its own series (pod a and b).
// 65 s after the queue is created replica b restarts (its series ends; a
// new one, b2, counts from zero), and 10 s later both replicas' traffic
// steps ×10: 6,000/h in all, on a young queue as the estimator's tests
// have it. It times the step on a queue whose evidence includes a
// restarted replica's new series; that the joint test and a sibling
// taking on a rise are what catch it is the estimator's
// TestYoungStepSizedSoon (two series, one restarted). RESTARTED_RUNS runs (1
// here, 5 in make bench), each printed with the time to the new rate's
// need and every pod Running, and the peak ask; as in TestYoungQueueStep a
// run fails only when the agents are not even at the need for the tickets
// that came.
func TestRestartedReplicaStep(t *testing.T) {
	var created time.Time
	youngSteps(t, "RESTARTED", "two replicas' series, one restarted 10 s before 600→6000/h, 75 s after creation", func(name string) (*supportv1alpha1.SupportQueue, int32) {
		counterPod(t, name, "a", 300)
		counterPod(t, name, "b", 300)
		q := chatQueue(t, name, 150, "")
		created = time.Now()
		need := needAt(t, q, 6000)
		time.Sleep(time.Until(created.Add(65 * time.Second)))
		removeCounterPod(t, name, "b")
		counterPod(t, name, "b2", 300)
		time.Sleep(10 * time.Second)
		counterPod(t, name, "a", 3000)
		counterPod(t, name, "b2", 3000)
		return q, need
	}, func(run int, name string) {
		// What the run claims to have gone through: Prometheus holds the
		// replicas' three series (a, the stopped b, the restarted b2).
		if series, err := rawSamples(name, time.Since(created)+time.Minute, time.Now()); err != nil || len(series) != 3 {
			t.Errorf("run %d: want the series of replicas a, b and b2 in Prometheus, got %d (%v)", run, len(series), err)
		}
	})
}

// TestYoungCalmQueues: three queues are created together with their
// counters at a calm 600/h (Poisson), selected by a plan surging on
// inflowSpike ratio "2" (its other settings the defaults), and watched
// from 90 s after creation for YOUNG_CALM_MINUTES (3 here, 15 in make
// bench). Young series are where false alarms and undersizing hide: the
// test fails on any surge, and on agents more than one below the need for
// the lowest rate the queue's own tickets since creation allow (two
// standard errors under their mean): a few minutes of Poisson arrivals can
// read well under 600/h, and the operator can only follow what came. It
// prints the share of time within ±1 of the need for 600/h and the lowest
// agents; the targets on those (95 %, never more than one below) are the
// bench report's.
func TestYoungCalmQueues(t *testing.T) {
	minutes := 3
	if n, err := strconv.Atoi(os.Getenv("YOUNG_CALM_MINUTES")); err == nil && n > 0 {
		minutes = n
	}
	names := []string{"young-calm-a", "young-calm-b", "young-calm-c"}
	var queues []*supportv1alpha1.SupportQueue
	for _, name := range names {
		counter(t, name, 600, 0)
		queues = append(queues, chatQueue(t, name, 60, ""))
	}
	created := time.Now()
	manifest := fmt.Sprintf(`apiVersion: support.frontline.dev/v1alpha1
kind: SurgePlan
metadata: {name: young-calm, namespace: %s}
spec:
  queueSelector: {matchLabels: {frontline.dev/young-calm: "true"}}
  triggers: {inflowSpike: {ratio: "2"}}
  actions: {agents: {extraReplicas: 5}}
`, ns)
	plan := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(manifest), &plan.Object); err != nil {
		t.Fatal(err)
	}
	for _, q := range queues {
		patch := client.MergeFrom(q.DeepCopy())
		q.Labels = map[string]string{"frontline.dev/young-calm": "true"}
		if err := k8s.Patch(ctx, q, patch); err != nil {
			t.Fatal(err)
		}
	}
	if err := k8s.Create(ctx, plan); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = k8s.Delete(ctx, plan)
		for i, q := range queues {
			removeCounter(t, names[i])
			_ = k8s.Delete(ctx, q)
		}
	}()
	need := needAt(t, queues[0], 600)
	time.Sleep(time.Until(created.Add(90 * time.Second)))
	end := time.Now().Add(time.Duration(minutes) * time.Minute)
	within, total := 0, 0
	byReplicas := map[int32]int{}
	for time.Now().Before(end) {
		for i, name := range names {
			r, _, err := tryDeployment(name + "-agents")
			if err != nil {
				t.Fatal(err)
			}
			byReplicas[r]++
			total++
			if r >= need-1 && r <= need+1 {
				within++
			}
			if r < need-1 {
				belowArrivals(t, queues[i], name, created, r)
			}
		}
		time.Sleep(2 * time.Second)
	}
	got := &supportv1alpha1.SurgePlan{}
	if err := k8s.Get(ctx, client.ObjectKeyFromObject(plan), got); err != nil {
		t.Fatal(err)
	}
	watch := figures.YoungCalm{Minutes: minutes, Need: need, WithinShare: float64(within) / float64(total), Lowest: math.MaxInt32}
	for r := range byReplicas {
		watch.Lowest, watch.Highest = min(watch.Lowest, r), max(watch.Highest, r)
	}
	for _, h := range got.Status.History {
		if h.To == supportv1alpha1.SurgePhaseActive {
			watch.Surges++
			t.Errorf("a surge on calm young queues: %+v", h)
		}
	}
	t.Logf("three young queues at a calm 600/h, from 90 s after creation for %d min: agents (samples by replicas) %v; within ±1 of %d for %.1f%% of the time (target: %.0f%%); plan %s, %d transitions",
		minutes, byReplicas, need, 100*watch.WithinShare, 100*figures.CalmShare, got.Status.Phase, len(got.Status.History))
	writeFigures(t, "YOUNG_CALM_OUT", watch)
}

// belowArrivals fails the test when a queue's r agents are more than one
// below the need for the lowest rate its tickets since created allow, and
// logs the tickets that came when they are not.
func belowArrivals(t *testing.T, q *supportv1alpha1.SupportQueue, name string, created time.Time, r int32) {
	t.Helper()
	tickets, span := ticketsBetween(t, name, created, time.Now())
	if span <= 0 {
		t.Errorf("%s: %d agents, more than one below the need for 600/h, and its counter could not be read", name, r)
		return
	}
	lowest, floor := arrivalsFloor(t, q, tickets, span)
	if r < floor-1 {
		t.Errorf("%s: %d agents, more than one below the need %d for the %.0f/h its %.0f tickets in %s allow at the least",
			name, r, floor, lowest, tickets, span.Round(time.Second))
		return
	}
	t.Logf("%s: %d agents, more than one below the need for 600/h: %.0f tickets in %s came (at least %.0f/h, need %d)",
		name, r, tickets, span.Round(time.Second), lowest, floor)
}

// TestYoungQueueFailover: a queue is created with its counter at 600/h; 30
// s later the counter steps ×10 and, at that moment, every operator
// running is stopped but a standby started beforehand. The standby takes
// the lease (it waits out the stopped leader's, 15 s) and sizes the young
// queue from Prometheus's history alone. It prints the time from the kill
// to the new rate's need with every pod Running (the target: 45 s); as in
// TestReactionTimes the run fails only when the agents are not even at the need for
// the tickets that came. It runs last: the standby is then the operator.
func TestYoungQueueFailover(t *testing.T) {
	if err := script("run-operator.sh", "frontline-3", thirdOperatorBase); err != nil {
		t.Fatal(err)
	}
	const name = "young-failover"
	counter(t, name, 600, 0)
	q := chatQueue(t, name, 150, "")
	created := time.Now()
	need := needAt(t, q, 6000)
	defer func() {
		removeCounter(t, name)
		if err := k8s.Delete(ctx, q); err != nil {
			t.Error(err)
		}
	}()
	time.Sleep(time.Until(created.Add(30 * time.Second)))
	counter(t, name, 6000, 0)
	for _, leader := range []string{"frontline", "frontline-2"} { // whichever holds the lease
		if err := script("cluster.sh", "stop", leader); err != nil {
			t.Fatal(err)
		}
	}
	killed := time.Now()
	run := figures.Failover{Case: "young queue, 600→6000/h 30 s after creation, leader killed at the step", Need: need}
	var toSpec time.Duration
	toSpec, run.ToRunning = timeToNeed(t, name, need, killed)
	if run.ToRunning == 0 {
		followsArrivals(t, q, name, killed, "young failover")
		run.ToRunning, run.NotReached = time.Since(killed), true
		t.Logf("%s: need %d agents not reached within 4 minutes of the kill (target: %s)", run.Case, need, figures.FailoverWithin)
	} else {
		t.Logf("%s: need %d agents: spec %.1f s, all Running %.1f s after the kill (target: %s, the lease's 15 s included)",
			run.Case, need, toSpec.Seconds(), run.ToRunning.Seconds(), figures.FailoverWithin)
	}
	writeFigures(t, "FAILOVER_OUT", run)
}

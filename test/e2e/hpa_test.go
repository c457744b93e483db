//go:build e2e

package e2e

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/frontline-dev/frontline/test/figures"
)

// sideBySide is one step of TestHPASideBySide, as make bench's report
// reads it.
type sideBySide = figures.SideBySide

// TestHPASideBySide runs the same ×10 steps (600 → 6,000/h and 100 →
// 1,000/h) on twin counters at the same moment: one read by Frontline (a
// queue with default settings), one by a plain Kubernetes HPA scaling a
// Deployment on the external metric prometheus-adapter serves from the
// same Prometheus, sum(rate(frontline_tickets_created_total[1m])), its
// target one agent per (new rate / Frontline's need there), so both aim at
// the same replicas. It prints both times to the need with every pod
// Running per run, and the ratio of the medians. HPA_RUNS runs per step (1
// unless set; 5 in make bench); HPA_OUT gets the figures. It needs the
// cluster started with EXTERNAL_METRICS=1 (make bench does; the adapter
// is built from its Go module, about 12 minutes the first time), and says
// so in a skip otherwise. Times are not asserted: a side fails only when
// it never reaches the need within the cap.
func TestHPASideBySide(t *testing.T) {
	if os.Getenv("EXTERNAL_METRICS") != "1" {
		t.Skip("the HPA baseline needs prometheus-adapter: run with EXTERNAL_METRICS=1 (make bench)")
	}
	runs := 1
	if n, err := strconv.Atoi(os.Getenv("HPA_RUNS")); err == nil && n > 0 {
		runs = n
	}
	var out []sideBySide
	for _, step := range reactionSteps {
		name := func(side string, run int) string { return fmt.Sprintf("side-%s-%.0f-%d", side, step.from, run) }
		// Every run's counters start together, so each has minutes of
		// history at its step.
		for i := range runs {
			counter(t, name("fl", i), step.from, 0)
			counter(t, name("hpa", i), step.from, 0)
		}
		started := time.Now()
		res := sideBySide{Step: fmt.Sprintf("%.0f→%.0f/h", step.from, step.to), ControllerManagerQPS: controllerManagerQPS()}
		for i := range runs {
			q := chatQueue(t, name("fl", i), 150, "")
			res.Need = needAt(t, q, step.to)
			hpa := hpaDeployment(t, name("hpa", i), needAt(t, q, step.from), step.to/float64(res.Need))
			// The HPA's rate window full, two of its syncs done, and both
			// sides settled at calm.
			time.Sleep(time.Until(latest(started.Add(3*time.Minute), time.Now().Add(30*time.Second))))
			settled(t, name("fl", i)+"-agents", needAt(t, q, step.from)-1)
			settled(t, name("hpa", i), 1)
			counter(t, name("fl", i), step.to, 0)
			counter(t, name("hpa", i), step.to, 0)
			start := time.Now()
			var fl, hp, hp90 time.Duration
			nearly := int32(math.Ceil(0.9 * float64(res.Need)))
			for time.Since(start) < 4*time.Minute && (fl == 0 || hp == 0) {
				if r, running, err := tryDeployment(name("fl", i) + "-agents"); err == nil && fl == 0 && r >= res.Need && int32(running) >= res.Need {
					fl = time.Since(start)
				}
				r, running, err := tryDeployment(name("hpa", i))
				if err == nil && hp90 == 0 && r >= nearly && int32(running) >= nearly {
					hp90 = time.Since(start)
				}
				if err == nil && hp == 0 && r >= res.Need && int32(running) >= res.Need {
					hp = time.Since(start)
				}
				time.Sleep(200 * time.Millisecond)
			}
			res.FrontlineNotReached, res.HPANotReached = append(res.FrontlineNotReached, fl == 0), append(res.HPANotReached, hp == 0)
			if fl == 0 {
				t.Errorf("%s run %d: Frontline not at %d agents within 4 minutes", res.Step, i, res.Need)
				fl = time.Since(start)
			}
			if hp == 0 {
				hp = time.Since(start) // the HPA's tolerance (10 %) may stop it short: a lower bound
			}
			if hp90 == 0 {
				hp90 = time.Since(start)
			}
			res.Frontline, res.HPA, res.HPAWithinTolerance = append(res.Frontline, fl), append(res.HPA, hp), append(res.HPAWithinTolerance, hp90)
			t.Logf("%s run %d, need %d agents: Frontline %.1f s, HPA %s%.1f s (90 %% of the need: %.1f s) (controller-manager %s)",
				res.Step, i, res.Need, fl.Seconds(), map[bool]string{true: "over "}[res.HPANotReached[i]], hp.Seconds(), hp90.Seconds(), res.ControllerManagerQPS)
			for _, obj := range hpa {
				_ = k8s.Delete(ctx, obj)
			}
			_ = k8s.Delete(ctx, q)
			removeCounter(t, name("fl", i))
			removeCounter(t, name("hpa", i))
		}
		res.Ratio = median(res.HPA).Seconds() / median(res.Frontline).Seconds()
		t.Logf("%s, %d run(s): median to the need with every pod Running: Frontline %.1f s, HPA %.1f s (to 90 %% of it %.1f s): the HPA takes %.1f× as long",
			res.Step, runs, median(res.Frontline).Seconds(), median(res.HPA).Seconds(), median(res.HPAWithinTolerance).Seconds(), res.Ratio)
		out = append(out, res)
	}
	writeFigures(t, "HPA_OUT", out)
}

// hpaDeployment creates the HPA side: a Deployment of agents at replicas,
// scaled by an autoscaling/v2 HPA on the queue's tickets per hour from
// prometheus-adapter, one replica per perReplica tickets/h. Each run has
// its own names: an HPA deleted and created again under the same name
// within a sync period reuses stale recommendations.
func hpaDeployment(t *testing.T, name string, replicas int32, perReplica float64) []*unstructured.Unstructured {
	t.Helper()
	manifests := []string{fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s, namespace: %[2]s}
spec:
  replicas: %[3]d
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata: {labels: {app: %[1]s}}
    spec:
      containers: [{name: agent, image: agent:1}]
`, name, ns, replicas), fmt.Sprintf(`apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: %[1]s, namespace: %[2]s}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: %[1]s}
  minReplicas: 1
  maxReplicas: 150
  metrics:
  - type: External
    external:
      metric:
        name: frontline_tickets_created_per_hour
        selector: {matchLabels: {queue: %[1]s}}
      target: {type: AverageValue, averageValue: %[3]dm}
`, name, ns, int64(math.Round(perReplica*1000)))}
	var objs []*unstructured.Unstructured
	for _, m := range manifests {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(m), &u.Object); err != nil {
			t.Fatal(err)
		}
		if err := k8s.Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, u)
	}
	return objs
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

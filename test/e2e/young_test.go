//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// youngRun is one step on a queue created moments before it.
type youngRun struct {
	ToSpec    time.Duration `json:"toSpec"`
	ToRunning time.Duration `json:"toRunning"`
	// Peak is the most agents asked for within a minute of reaching the
	// target: the overshoot of the first accepted change.
	Peak       int32 `json:"peak"`
	Need       int32 `json:"need"`
	NotReached bool  `json:"notReached"`
}

// TestYoungQueueStep: a quiet desk's queue is created with its counter
// at 100/h, and 75 s later the counter steps ×10: the young-series case
// (a new queue, a restarted exporter) that the other reaction tests, with
// their long histories, never meet. YOUNG_RUNS runs (1 here, 5 in make
// bench); each is printed with the time to the new rate's need and every
// pod Running, and the peak ask. As in Test08, a run fails only when the
// agents are not even at the need for the tickets that came: with two
// tickets of history the evidence of a step is thin (the estimator's
// TestYoungStepSizedSoon gives the bound per history).
func TestYoungQueueStep(t *testing.T) {
	runs := 1
	if n, err := strconv.Atoi(os.Getenv("YOUNG_RUNS")); err == nil && n > 0 {
		runs = n
	}
	var out []youngRun
	for i := range runs {
		name := fmt.Sprintf("young-%d", i)
		counter(t, name, 100, 0)
		q := chatQueue(t, name, 60, "")
		created := time.Now()
		need := needAt(t, q, 1000)
		time.Sleep(time.Until(created.Add(75 * time.Second)))
		counter(t, name, 1000, 0)
		start := time.Now()
		run := youngRun{Need: need}
		for time.Since(start) < 4*time.Minute && run.ToRunning == 0 {
			r, running, err := tryDeployment(name + "-agents")
			if err == nil && run.ToSpec == 0 && r >= need {
				run.ToSpec = time.Since(start)
			}
			if err == nil && run.ToSpec > 0 && int32(running) >= need {
				run.ToRunning = time.Since(start)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if run.ToRunning == 0 {
			run.NotReached = true
			followsArrivals(t, q, name, start, fmt.Sprintf("young run %d", i))
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
		t.Logf("young queue, 100→1000/h 75 s after creation, run %d: need %d agents: spec %.1f s, all Running %s%.1f s, peak %d in the minute after",
			i, need, run.ToSpec.Seconds(), map[bool]string{true: "over "}[run.NotReached], run.ToRunning.Seconds(), run.Peak)
		out = append(out, run)
		removeCounter(t, name)
		if err := k8s.Delete(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if path := os.Getenv("YOUNG_OUT"); path != "" {
		raw, _ := json.MarshalIndent(out, "", "  ")
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

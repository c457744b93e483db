package metrics

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/internal/inflow"
	"github.com/frontline-dev/frontline/internal/scaling"
)

// youngCalmRun is one calm queue created at t=0 and polled every 5 s the
// way the operator polls it: its counter's scrapes into an inflow.Queue,
// the estimate read as a Reading, the decision by scaling.DecideQueue
// with the default scale-down policy. It returns the agents after each
// poll.
func youngCalmRun(seed uint64, perHour float64, scrape, until time.Duration) []int32 {
	const poll = 5 * time.Second
	rng := rand.New(rand.NewPCG(seed, 11))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	phase := time.Duration(rng.Float64() * float64(scrape))
	next := time.Duration(rng.ExpFloat64() / (perHour / 3600) * float64(time.Second))
	var count float64
	scrapeAt := phase
	q := inflow.NewQueue(inflow.Params{})
	shape := scaling.Shape{Agents: scaling.Agents{Min: 1, Max: 150, Concurrency: 1, DefaultHandleTime: time.Minute}}
	target := scaling.Target{RealTime: true, ServiceLevel: 0.8, Within: 20 * time.Second, MaxOccupancy: 0.85, Shrinkage: 0.3}
	var agents scaling.RoleState
	var out []int32
	for now := poll; now <= until; now += poll {
		var samples []inflow.Sample
		for ; scrapeAt < now; scrapeAt += scrape {
			for next <= scrapeAt {
				count++
				next += time.Duration(rng.ExpFloat64() / (perHour / 3600) * float64(time.Second))
			}
			samples = append(samples, inflow.Sample{T: t0.Add(scrapeAt), V: count})
		}
		q.Observe("counter", samples)
		in := scaling.QueueInput{Now: t0.Add(now), Shape: shape, Target: &target,
			ScaleDown: scaling.ScaleDownPolicy{Window: 30 * time.Second, MaxStepPercent: 25, StepPeriod: poll}}
		EstimateReading(q.Estimate()).Feed(&in)
		in.Agents = agents
		d := scaling.DecideQueue(in)
		if agents.Replicas == nil || *agents.Replicas != d.Agents.Replicas {
			agents.LastChange = in.Now
		}
		r := d.Agents.Replicas
		agents.Replicas, agents.ScaleDown = &r, d.Agents.ScaleDown
		out = append(out, r)
	}
	return out
}

// TestYoungCalmQueueDecisions: calm queues at 600/h (13 agents) created at
// t=0, 50 seeds, 5 s and 15 s scrapes, decided as the operator decides
// them. It prints the share of polls within ±1 of the need from 90 s to
// 4.5 and to 16.5 minutes (the cluster's young calm watch), and fails on
// more than 3 % of polls after 90 s more than one below the need (a few
// seeds draw half their rate for minutes, which no estimate sizes right).
// It also prints the highest agents of the first 90 s against a target it
// does not assert, and says whether it is met: above twice the need in at
// most 2 of 50 seeds. A new queue's first minute is sized for its mean, so
// three tickets in its first 5 s ask for 43 agents, and capacity falls
// only on evidence, minutes later. And it prints what a queue created at
// 6,000/h (118 agents) has 10, 30 and 60 s after creation, which a
// first-minute rule that damped the mean would cost.
func TestYoungCalmQueueDecisions(t *testing.T) {
	const need, seeds = 13, 50
	for _, scrape := range []time.Duration{5 * time.Second, 15 * time.Second} {
		var peaks []int
		var short, within3, polls3, within16, polls16 int
		for seed := uint64(1); seed <= seeds; seed++ {
			agents := youngCalmRun(seed, 600, scrape, 990*time.Second)
			peak := int32(0)
			for i, r := range agents {
				at := time.Duration(i+1) * 5 * time.Second
				if at <= 90*time.Second {
					peak = max(peak, r)
					continue
				}
				if r < need-1 {
					short++
				}
				in := r >= need-1 && r <= need+1
				if at <= 270*time.Second {
					polls3++
					if in {
						within3++
					}
				}
				polls16++
				if in {
					within16++
				}
			}
			peaks = append(peaks, int(peak))
		}
		slices.Sort(peaks)
		high := 0
		for _, p := range peaks {
			if p > 2*need {
				high++
			}
		}
		shortShare := 100 * float64(short) / float64(polls16)
		t.Logf("600/h new queue, %v scrape, %d seeds: peak agents in the first 90 s median %d, max %d, above %d in %d seeds; within ±1 of %d from 90 s to 4.5 min %.1f %%, to 16.5 min %.1f %%; more than one short %.1f %% of polls",
			scrape, seeds, peaks[len(peaks)/2], peaks[len(peaks)-1], 2*need, high, need,
			100*float64(within3)/float64(polls3), 100*float64(within16)/float64(polls16), shortShare)
		met := "met"
		if high > 2 {
			met = "not met"
		}
		t.Logf("%v scrape: first-90 s peak above twice the need in at most 2 of %d seeds (not asserted): %s", scrape, seeds, met)
		if shortShare > 3 {
			t.Errorf("%v scrape: %.1f %% of polls after 90 s more than one below the need (at most 3 %%)", scrape, shortShare)
		}
		var at10, at30, at60 []int
		for seed := uint64(1); seed <= seeds; seed++ {
			agents := youngCalmRun(seed, 6000, scrape, time.Minute)
			at10, at30, at60 = append(at10, int(agents[1])), append(at30, int(agents[5])), append(at60, int(agents[11]))
		}
		for _, v := range [][]int{at10, at30, at60} {
			slices.Sort(v)
		}
		t.Logf("6000/h new queue, %v scrape: agents (need 118) after 10 s median %d (min %d), 30 s %d (%d), 60 s %d (%d)",
			scrape, at10[seeds/2], at10[0], at30[seeds/2], at30[0], at60[seeds/2], at60[0])
	}
}

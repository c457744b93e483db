package surge

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/internal/inflow"
)

// youngSpikeRun is one plan reading a young queue's counter as the
// operator does: Poisson arrivals at calm per hour from the series' start,
// stepped to stepped per hour at step (none when zero), scraped every
// second; every 5 s the plan reads the window's samples and the
// baseline's sample count and tickets, and runs the trigger. It returns
// how long after the step the trigger first alarmed, or -1.
func youngSpikeRun(spec TriggerSpec, seed uint64, calm, stepped float64, step, until time.Duration) time.Duration {
	rng := rand.New(rand.NewPCG(seed, 7))
	var samples []inflow.Sample
	t0, v := time.Unix(1e9, 0), 0.0
	for at := time.Duration(0); at <= until; at += time.Second {
		rate := calm / 3600
		if stepped > 0 && at > step {
			rate = stepped / 3600
		}
		if at > 0 {
			for wait := rng.ExpFloat64() / rate; wait < 1; wait += rng.ExpFloat64() / rate {
				v++
			}
		}
		samples = append(samples, inflow.Sample{T: t0.Add(at), V: v})
	}
	for now := spec.Every; now <= until; now += spec.Every {
		start := t0.Add(now - spec.Window)
		inWindow := func(s inflow.Sample) bool { return s.T.After(start) && !s.T.After(t0.Add(now)) }
		window := slices.DeleteFunc(slices.Clone(samples), func(s inflow.Sample) bool { return !inWindow(s) })
		before := slices.DeleteFunc(slices.Clone(samples), func(s inflow.Sample) bool {
			return s.T.After(start) || !s.T.After(start.Add(-spec.Baseline))
		})
		if len(before) < 2 {
			continue
		}
		base := SpikeBaseline{Samples: float64(len(before)), Tickets: before[len(before)-1].V - before[0].V}
		series, ok := spec.SpikeSeries(window, base)
		if !ok {
			continue
		}
		if tr := spec.Spike([]inflow.SpikeSeries{series}); *tr.Alarm {
			return max(now-step, 0)
		}
	}
	return -1
}

// TestYoungSpike: a ratio-2 spike plan (1 m window, 5 m baseline, read
// every 5 s, the default one-year budget) over a queue whose counter
// starts at 600/h, so its baseline is young for the whole run. A ×10 step
// is seen once the data before it can tell "at least twice" apart at that
// budget: after 75 s of history (about 12 tickets) often not within two
// minutes; after 150 s (25 tickets) within two minutes in nearly every
// seed. Calm young series raise nothing.
func TestYoungSpike(t *testing.T) {
	spec := TriggerSpec{Name: KindInflowSpike, Kind: KindInflowSpike, Enter: 2, Exit: 1.5, Window: time.Minute,
		Baseline: 5 * time.Minute, MinInflowPerHour: 60, FalseAlarmEvery: inflow.DefaultSpikeFalseAlarmEvery, Every: 5 * time.Second}
	const seeds = 500
	for _, history := range []time.Duration{75 * time.Second, 150 * time.Second} {
		var delays []time.Duration
		missed := 0
		for seed := range uint64(seeds) {
			d := youngSpikeRun(spec, seed, 600, 6000, history, history+2*time.Minute)
			if d < 0 {
				missed++
				continue
			}
			delays = append(delays, d)
		}
		slices.Sort(delays)
		median := time.Duration(0)
		if len(delays) > 0 {
			median = delays[len(delays)/2]
		}
		t.Logf("×10 from 600/h after %v of history: %d of %d seen within 2m, median %v; %d missed", history, len(delays), seeds, median, missed)
		if history == 150*time.Second && missed > seeds/100 {
			t.Errorf("after %v of history %d of %d steps missed within 2m, want at most 1 %%", history, missed, seeds)
		}
	}
	for _, rate := range []float64{60, 600} {
		alarms := 0
		for seed := range uint64(seeds) {
			if youngSpikeRun(spec, seed, rate, 0, 0, 10*time.Minute) >= 0 {
				alarms++
			}
		}
		t.Logf("calm %v/h for the first 10 minutes: %d of %d young series alarmed", rate, alarms, seeds)
		if alarms > 0 {
			t.Errorf("calm %v/h: %d false surges", rate, alarms)
		}
	}
}

// TestYoungSpikeAtTheLongestInterval: a tenant's plan read at the longest
// evaluation interval the API allows (10m) tests each look at a lower
// threshold (it looks 120 times less often), so its false alarms per unit
// of time stay within the budget. With the default 1h baseline, a series
// is read by the young rule for its first hour: 2,000 calm series at
// 600/h, five looks each, about 69 days of looks against the default
// budget of one false surge a year, may alarm at most once. A ×10 step in
// the minute before a look is still seen at that look.
func TestYoungSpikeAtTheLongestInterval(t *testing.T) {
	spec := TriggerSpec{Name: KindInflowSpike, Kind: KindInflowSpike, Enter: 2, Exit: 1.5, Window: time.Minute,
		Baseline: time.Hour, MinInflowPerHour: 60, FalseAlarmEvery: inflow.DefaultSpikeFalseAlarmEvery, Every: 10 * time.Minute}
	const seeds, young = 2000, 59 * time.Minute
	alarms, seen := 0, 0
	for seed := range uint64(seeds) {
		if youngSpikeRun(spec, seed, 600, 0, 0, young) >= 0 {
			alarms++
		}
	}
	for seed := range uint64(50) {
		if youngSpikeRun(spec, seed, 600, 6000, 29*time.Minute, 30*time.Minute) >= 0 {
			seen++
		}
	}
	t.Logf("calm 600/h read every 10m: %d of %d young series alarmed in their first %v; a ×10 step a minute before a look seen at it in %d of 50", alarms, seeds, young, seen)
	if alarms > 1 {
		t.Errorf("%d false surges in %d looks at 10m, want at most 1", alarms, seeds*5)
	}
	if seen < 45 {
		t.Errorf("a ×10 step from 600/h a minute before a 10m look was seen at it in %d of 50 series, want at least 45", seen)
	}
}

package inflow

import (
	"math"
	"sort"
	"time"
)

// DefaultSpikeFalseAlarmEvery is a surge trigger's budget: a false surge
// pages people, so it is far stricter than scaling's.
const DefaultSpikeFalseAlarmEvery = 365 * 24 * time.Hour

// SpikeSeries is one counter series inside the detection window, with the
// baseline rate (per second) it is compared with.
type SpikeSeries struct {
	Samples  []Sample
	Baseline float64
	// BaselineSeconds is how many seconds of counter data the baseline
	// rests on (0: not said, and the baseline is trusted). A baseline on
	// little data (a young series: a new queue, a restarted exporter) is
	// no reference: the series is tested by the estimator's young rule,
	// the two-sample test, its baseline's data counting as the time before
	// the window.
	BaselineSeconds float64
}

// young reports whether the series' baseline rests on too little data to
// be a chart's reference (the estimator's rule, littleData).
func (s SpikeSeries) young() bool {
	return s.BaselineSeconds > 0 && s.Baseline >= 0 && littleData(s.Baseline*s.BaselineSeconds, s.BaselineSeconds)
}

// Spike is the detector's verdict on a window.
type Spike struct {
	// Alarm: a rise is accepted now, and the post-change rate is
	// significantly at or above ratio times the baseline.
	Alarm bool
	// Ratio is inflow over baseline: after the change point when alarmed,
	// over the whole window otherwise.
	Ratio float64
	// Since is the change point when alarmed.
	Since     time.Time
	Statistic float64
	Threshold float64
	// Known is false when the window held no increment.
	Known bool
	// InflowPerSecond is the window's mean inflow.
	InflowPerSecond float64
}

// minBaseline floors a series' baseline at one ticket an hour, so a queue
// with no history still has a finite reference.
const minBaseline = 1.0 / 3600

// DetectSpike runs the same Poisson CUSUM bank the scaling estimator uses,
// stateless over a window of raw samples, against each series' baseline:
// charts for ratio, 2·ratio and 4·ratio, threshold from budget. The
// verdict is the charts' state at the window's end. Series whose baseline
// rests on little data are left out of the charts and tested together by
// the two-sample test, against "the rate after the split is ratio times
// the rate before", with the estimator's young rule: youngThreshold for
// the budget, run every look (the plan's evaluation interval; a scrape
// when shorter).
func DetectSpike(series []SpikeSeries, ratio float64, budget, look time.Duration) Spike {
	type obs struct {
		Increment
		base  float64
		young bool
	}
	var all []obs
	var young [][]Increment
	var scrape intervals
	inflow := 0.0
	for _, s := range series {
		incs, typical := Increments(s.Samples)
		if typical > 0 {
			scrape.add(typical)
		}
		if s.young() && len(incs) > 0 {
			baseline := Increment{End: incs[0].Start(), Count: s.Baseline * s.BaselineSeconds, Seconds: s.BaselineSeconds}
			young = append(young, append([]Increment{baseline}, incs...))
		}
		var c, d float64
		for _, inc := range incs {
			all = append(all, obs{inc, math.Max(s.Baseline, minBaseline), s.young()})
			c, d = c+inc.Count, d+inc.Seconds
		}
		if d > 0 {
			inflow += c / d
		}
	}
	if len(all) == 0 {
		return Spike{}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].End.Before(all[j].End) })
	det := Detector{Ratios: []float64{ratio, 2 * ratio, 4 * ratio}}
	det.Threshold = ThresholdFor(budget, scrape.typical(), len(det.Ratios))
	det.Reset()
	var count, expected float64
	for _, o := range all {
		if !o.young {
			det.Step(o.Increment, o.base)
		}
		count += o.Count
		expected += o.base * o.Seconds
	}
	out := Spike{Known: true, Statistic: det.Statistic(), Threshold: det.Threshold, Ratio: count / expected, InflowPerSecond: inflow}
	if a := det.Current(); a != nil {
		var c, e float64
		for _, o := range all {
			if !o.young && o.End.After(a.Since) {
				c += o.Count
				e += o.base * o.Seconds
			}
		}
		// A chart also drifts up on a sustained rise somewhat below its
		// ratio. A surge pages people, so the post-change rate's lower
		// bound must reach the ratio: a slow climb to ×2.8 is no tripling.
		// Real steps above the ratio clear it as soon as the chart fires.
		out.Since, out.Ratio = a.Since, c/e
		out.Alarm = LowerBound(c, e, DefaultZ) >= ratio
	}
	if len(young) > 0 && !out.Alarm {
		// The test's null is the ratio itself, so its alarm already means
		// significantly at or above it.
		s := scanSplits(young, ratio)
		h := youngThreshold(budget, max(look.Seconds(), scrape.typical()), false)
		if s.rise.llr-h > out.Statistic-out.Threshold {
			out.Statistic, out.Threshold = s.rise.llr, h
		}
		if s.rise.llr >= h {
			out.Alarm, out.Since, out.Ratio = true, s.rise.at, s.rise.ratio
		}
	}
	return out
}

package inflow

import (
	"fmt"
	"math"
	"time"
)

// Defaults for Params.
const (
	// DefaultFalseAlarmEvery is the scaling detector's budget: a false
	// change costs a re-estimate and at most minutes of a few replicas.
	DefaultFalseAlarmEvery = 24 * time.Hour
	// DefaultHorizon is how much steady data the level rests on: between
	// changes the rate is steady, and an hour at 600/h bounds it within
	// about 4 % (15 minutes: 8 %, which moves a busy queue's need by a
	// replica or two on noise alone).
	DefaultHorizon = time.Hour
	// DefaultCoverage is the gap-free data needed before an estimate may
	// lower capacity.
	DefaultCoverage = time.Minute
	// DefaultZ is the one-sided confidence multiplier of the sizing bound
	// (about 84 %).
	DefaultZ = 1.0
	// DefaultZFall is the bound a scale-down must clear (about 98 %).
	DefaultZFall = 2.0
)

// fallBudgetFactor makes a fall need stronger evidence than a rise: a
// false fall would lower capacity, a false rise only adds some for a while.
const fallBudgetFactor = 30

// ScalingRatios are the scaling detector's charts: rises of ×1.3 to ×10
// and falls to 1/1.3 to 1/4 of the level.
var ScalingRatios = []float64{1.3, 2, 4, 10, 1 / 1.3, 0.5, 0.25}

// Params tune an Estimator.
type Params struct {
	// FalseAlarmEvery is the mean time between false change alarms on
	// steady traffic that the threshold allows (the budget).
	FalseAlarmEvery time.Duration
	// Horizon is the level's memory: post-change data older than about
	// this weighs less and less, and a change is re-estimated from at most
	// this much data.
	Horizon time.Duration
	// Coverage is how much gap-free data must follow a gap or a series'
	// start before the estimate may lower capacity.
	Coverage time.Duration
	// Z is the confidence multiplier for the sizing bound.
	Z float64
	// ZFall is the stricter multiplier for lowering capacity.
	ZFall float64
}

// WithDefaults fills unset fields.
func (p Params) WithDefaults() Params {
	if p.FalseAlarmEvery <= 0 {
		p.FalseAlarmEvery = DefaultFalseAlarmEvery
	}
	if p.Horizon <= 0 {
		p.Horizon = DefaultHorizon
	}
	if p.Coverage <= 0 {
		p.Coverage = DefaultCoverage
	}
	if p.Z <= 0 {
		p.Z = DefaultZ
	}
	if p.ZFall < p.Z {
		p.ZFall = max(DefaultZFall, p.Z)
	}
	return p
}

// Estimate is what an estimator knows after its latest sample.
type Estimate struct {
	// Known is false until one valid increment was seen.
	Known bool
	// Rate is the level, tickets per second: the post-change mean.
	Rate float64
	// Upper is the level's upper confidence bound: what to size for (the
	// mean itself while a series younger than the coverage span has seen
	// no change).
	Upper float64
	// UpperForFall is a stricter bound (ZFall): capacity is lowered only
	// to what this asks for, so a level that wobbles within its noise never
	// removes replicas; only evidence that the rate is lower does.
	UpperForFall float64
	// LevelSince is when the current level began (the last accepted
	// change, or the first sample).
	LevelSince time.Time
	// LastChange is the last accepted change (nil before any).
	LastChange *Alarm
	// Newest is the newest sample's time.
	Newest time.Time
	// CoveredSince is where the gap-free run of samples ending at Newest
	// begins.
	CoveredSince time.Time
	// Complete is true when that run spans at least Params.Coverage: only
	// then may the estimate lower capacity.
	Complete bool
	// Gaps counts the gaps and counter resets skipped so far.
	Gaps int
	// Scrape is the typical interval between samples (0 before two).
	Scrape time.Duration
}

// Covered is the span of gap-free samples behind the estimate.
func (e Estimate) Covered() time.Duration { return e.Newest.Sub(e.CoveredSince) }

// Estimator follows one counter series. The zero value is not usable; use
// New.
type Estimator struct {
	p   Params
	det Detector

	last   *Sample
	iv     intervals
	recent []Increment // the last Horizon of valid increments
	levelC float64     // post-change count behind the level
	levelD float64     // post-change seconds behind the level
	// justChanged: the level is re-estimated from the buffer this step.
	justChanged bool
	est         Estimate
	changeAt    time.Time // the current level's change point
}

// New returns an estimator with the given parameters (defaults filled).
func New(p Params) *Estimator {
	p = p.WithDefaults()
	e := &Estimator{p: p, det: Detector{Ratios: ScalingRatios}}
	e.det.Reset()
	return e
}

// Params returns the estimator's parameters.
func (e *Estimator) Params() Params { return e.p }

// Observe feeds samples; those not newer than the newest seen are ignored
// (a range query's overlap with the previous poll, or out-of-order data).
func (e *Estimator) Observe(samples []Sample) {
	for _, s := range Clean(samples) {
		if e.last != nil && !s.T.After(e.last.T) {
			continue
		}
		e.observe(s)
	}
}

func (e *Estimator) observe(s Sample) {
	prev := e.last
	e.last = &s
	e.est.Newest = s.T
	if prev == nil {
		e.est.CoveredSince, e.est.LevelSince, e.changeAt = s.T, s.T, s.T
		return
	}
	d := s.T.Sub(prev.T).Seconds()
	inc, b := Step(*prev, s, e.iv.typical())
	if b != Reset {
		e.iv.add(d)
		e.est.Scrape = time.Duration(e.iv.typical() * float64(time.Second))
	}
	if b != NoBreak {
		// Skipped, never read as zero; lowering waits for fresh coverage.
		e.est.Gaps++
		e.est.CoveredSince = s.T
		e.est.Complete = false
		return
	}
	e.add(inc)
}

func (e *Estimator) add(inc Increment) {
	e.recent = append(e.recent, inc)
	cut := 0
	for cut < len(e.recent) && inc.End.Sub(e.recent[cut].End) > e.p.Horizon {
		cut++
	}
	e.recent = e.recent[cut:]

	if e.est.Known {
		e.det.Threshold = ThresholdFor(e.p.FalseAlarmEvery, e.iv.typical(), len(e.det.Ratios))
		e.det.FallThreshold = ThresholdFor(fallBudgetFactor*e.p.FalseAlarmEvery, e.iv.typical(), len(e.det.Ratios))
		if a := e.det.Step(inc, e.reference()); a != nil {
			e.accept(*a)
		}
	}
	if e.est.Known && e.levelD > 0 && !e.justChanged {
		// Calm: the level is the post-change mean, forgetting with the
		// horizon so a long quiet stretch still answers a slow drift.
		keep := math.Exp(-inc.Seconds / e.p.Horizon.Seconds())
		e.levelC = e.levelC*keep + inc.Count
		e.levelD = e.levelD*keep + inc.Seconds
	} else {
		e.levelC, e.levelD = e.postChange()
	}
	e.justChanged = false
	e.est.Known = true
	e.est.Complete = e.est.Newest.Sub(e.est.CoveredSince) >= e.p.Coverage
	e.est.Rate = e.levelC / math.Max(e.levelD, 1e-9)
	e.est.Upper = UpperBound(e.levelC, e.levelD, e.p.Z)
	e.est.UpperForFall = UpperBound(e.levelC, e.levelD, e.p.ZFall)
	if e.est.LastChange == nil && e.levelD < e.p.Coverage.Seconds() {
		// A brand-new series: the bound of a few seconds of data is mostly
		// width, and partial data may not lower what it raised; size for
		// the mean until the series spans the coverage.
		e.est.Upper = e.est.Rate
	}
}

// reference is the rate the charts test against: the level, floored at
// one ticket per horizon so a silent queue still has a finite reference.
func (e *Estimator) reference() float64 {
	floor := 1 / e.p.Horizon.Seconds()
	return math.Max(e.levelC/math.Max(e.levelD, 1e-9), floor)
}

// accept starts a new level at the change point, estimated from
// post-change increments only. The alarming chart's excursion start is a
// first guess: a chart tuned for a small change may have drifted up on
// noise before a large one, so the change point is the maximum-likelihood
// split of the recent increments against the old level (a Poisson GLR
// over the suffixes, in the alarm's direction).
func (e *Estimator) accept(a Alarm) {
	lambda0 := e.reference()
	best, bestLLR := a.Since, math.Inf(-1)
	var c, d float64
	for i := len(e.recent) - 1; i >= 0; i-- {
		inc := e.recent[i]
		if !inc.End.After(e.changeAt) {
			break
		}
		c, d = c+inc.Count, d+inc.Seconds
		rate := c / d
		if (rate > lambda0) != a.Up() {
			continue
		}
		llr := -(c - lambda0*d)
		if c > 0 {
			llr = c*math.Log(rate/lambda0) - (c - lambda0*d)
		}
		if llr > bestLLR {
			bestLLR = llr
			best = inc.End.Add(-time.Duration(inc.Seconds * float64(time.Second)))
		}
	}
	a.Since = best
	e.changeAt = best
	e.est.LevelSince = best
	e.est.LastChange = &a
	e.justChanged = true
	e.det.Reset()
}

// postChange sums the recent increments after the level's change point.
// The first one straddles the change (part of it is the old rate), so it
// is left out once a later one exists.
func (e *Estimator) postChange() (count, seconds float64) {
	first := true
	n := 0
	for _, inc := range e.recent {
		if inc.End.After(e.changeAt) {
			n++
		}
	}
	for _, inc := range e.recent {
		if !inc.End.After(e.changeAt) {
			continue
		}
		if first && n > 1 && e.est.LastChange != nil {
			first = false
			continue
		}
		first = false
		count += inc.Count
		seconds += inc.Seconds
	}
	return count, seconds
}

// Estimate returns the current estimate.
func (e *Estimator) Estimate() Estimate { return e.est }

// UpperBound is a one-sided upper confidence bound for a Poisson rate from
// count events in seconds (a score interval, sound at small counts).
func UpperBound(count, seconds, z float64) float64 {
	if seconds <= 0 {
		return math.Inf(1)
	}
	return (count + z*z/2 + z*math.Sqrt(count+z*z/4)) / seconds
}

// LowerBound is the matching one-sided lower bound (0 without time).
func LowerBound(count, seconds, z float64) float64 {
	if seconds <= 0 {
		return 0
	}
	return max(0, count+z*z/2-z*math.Sqrt(count+z*z/4)) / seconds
}

// NextSample is when the first sample after the given time is expected,
// from the newest sample and the typical interval (false while unknown).
func (e Estimate) NextSample(after time.Time) (time.Time, bool) {
	if e.Scrape <= 0 || e.Newest.IsZero() {
		return time.Time{}, false
	}
	next := e.Newest.Add(e.Scrape)
	if next.Before(after) {
		next = next.Add(after.Sub(next).Truncate(e.Scrape) + e.Scrape)
	}
	return next, true
}

// Describe says in words what the estimate rests on, for conditions.
func (e Estimate) Describe(coverage time.Duration) string {
	if !e.Known {
		return "no ticket counter increment yet"
	}
	if !e.Complete {
		return fmt.Sprintf("samples cover %s without a gap, %s needed before capacity may be lowered", e.Covered().Round(time.Second), coverage)
	}
	return fmt.Sprintf("level %.0f/h since %s", e.Rate*3600, e.LevelSince.UTC().Format(time.RFC3339))
}

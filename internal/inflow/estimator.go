package inflow

import (
	"fmt"
	"math"
	"sort"
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
	// no change; after a young series' change, or a queue's rise taken
	// on, a bound widening from the mean until the new level spans the
	// coverage).
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
	// compactAt is the length of recent at which its increments older
	// than fine are next merged into bins (FineSpan; longer in a test
	// that compares with no merging).
	compactAt int
	fine      time.Duration
	levelC    float64 // post-change count behind the level
	levelD    float64 // post-change seconds behind the level
	// justChanged: the level is re-estimated from the buffer this step.
	justChanged bool
	est         Estimate
	changeAt    time.Time // the current level's change point
	// earlier are the levels before the last changes, newest first: a
	// level the traffic returns to (calm after a burst) is known already.
	earlier []level
	// join is the earlier level the traffic is back at (nil: none).
	join *joined
	// youngChange: the level began at a change the young test accepted
	// (the series' own or its queue's) or the queue's rise it took on,
	// not at a change of its charts.
	youngChange bool
}

// level is a level's data: its count and seconds, as of end.
type level struct {
	c, d float64
	end  time.Time
}

// maxEarlierLevels bounds the levels kept: a burst that rises and decays
// in a few steps passes through about as many.
const maxEarlierLevels = 6

// New returns an estimator with the given parameters (defaults filled).
func New(p Params) *Estimator {
	p = p.WithDefaults()
	e := &Estimator{p: p, det: Detector{Ratios: ScalingRatios}, fine: FineSpan}
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
	if len(e.recent) >= e.compactAt || len(e.recent) == cap(e.recent) {
		e.compact()
	}
	e.recent = append(e.recent, inc)
	cut := 0
	for cut < len(e.recent) && inc.End.Sub(e.recent[cut].End) > e.p.Horizon {
		cut++
	}
	e.recent = e.recent[cut:]

	if e.est.Known {
		young := e.young()
		e.det.Threshold = ThresholdFor(e.p.FalseAlarmEvery, e.iv.typical(), len(e.det.Ratios))
		e.det.FallThreshold = ThresholdFor(fallBudgetFactor*e.p.FalseAlarmEvery, e.iv.typical(), len(e.det.Ratios))
		a := e.det.Step(inc, e.reference())
		switch {
		case young:
			e.testYoung(a != nil)
		case a != nil:
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
	e.refresh()
}

// refresh derives the estimate from the level.
func (e *Estimator) refresh() {
	e.est.Complete = e.est.Newest.Sub(e.est.CoveredSince) >= e.p.Coverage
	c, d := e.pooled()
	e.est.Rate = c / math.Max(d, 1e-9)
	e.est.Upper = UpperBound(c, d, e.p.Z)
	e.est.UpperForFall = UpperBound(c, d, e.p.ZFall)
	if e.est.LastChange == nil && e.levelD < e.p.Coverage.Seconds() {
		// A brand-new series: the bound of a few seconds of data is mostly
		// width, and partial data may not lower what it raised; size for
		// the mean until the series spans the coverage.
		e.est.Upper = e.est.Rate
	}
	if e.youngChange && e.levelD < e.p.Coverage.Seconds() {
		// So for a level begun at a young series' change or taken on from
		// the queue: its seconds of data are mostly width, and the test
		// picked them when they ran high (their full bound sized for about
		// 1.5 times the new rate in the median). The bound widens from the
		// mean to its full multiplier as the level's span reaches the
		// coverage.
		e.est.Upper = UpperBound(c, d, e.p.Z*e.levelD/e.p.Coverage.Seconds())
	}
}

// pooled is the data the sizing bounds rest on: the level's own, joined
// with an earlier level's when the traffic is back at it. After a burst
// the post-change data are minutes old and their bound is wide, so
// capacity would stay raised for half an hour on width alone; calm after
// a burst is usually the calm before it, whose hour of data is at hand.
// A burst that decays over a minute or two puts its change point inside
// the decay, so the level's newest data are tested, not all of it: the
// longest run of them, at least the coverage long, whose rate agrees with
// an earlier level within one standard error is joined with that level.
// The join holds while the data since its start stay within three standard
// errors (hysteresis, so capacity does not flap on a burst); data
// that leave it undo the join, which raises capacity, never lowers it.
// The earlier data age with the horizon, as the level's own do.
func (e *Estimator) pooled() (count, seconds float64) {
	c, d := e.levelC, e.levelD
	if e.join != nil {
		lc, ld := e.aged(e.join.level)
		runs := e.runsSince(e.join.since)
		if all := runs[len(runs)-1]; agrees(runs, len(runs)-1, lc, ld, 3) {
			return all.c + lc, all.d + ld
		}
		e.join = nil
	}
	if len(e.earlier) == 0 || d < e.p.Coverage.Seconds() {
		return c, d
	}
	runs := e.runsSince(e.changeAt)
	var best *joined
	bestC, bestD := c, d
	for _, l := range e.earlier {
		lc, ld := e.aged(l)
		if ld <= e.p.Coverage.Seconds() {
			continue
		}
		for k := 1; k < len(runs); k++ {
			sd := runs[k].d
			if sd >= e.p.Coverage.Seconds() && sd*lc/ld >= minJoinTickets && sd+ld > bestD && agrees(runs, k, lc, ld, 1) {
				bestC, bestD = runs[k].c+lc, sd+ld
				best = &joined{level: l, since: e.recent[len(e.recent)-k].Start()}
			}
		}
	}
	if best != nil {
		e.join = best
	}
	return bestC, bestD
}

// sum is a count of tickets over seconds.
type sum struct{ c, d float64 }

// Increments newer than FineSpan keep their own resolution: the
// change-point search reads them one by one to place a fast change to the
// scrape. Older ones are only summed, or split to place a slow change,
// which 15 s hardly moves; so consecutive ones are merged into bins of up
// to BinSeconds, and an hour of a 1 s scrape costs little more than at
// 15 s. A young series is not merged: its test reads every increment.
// The operator's warm-up reads history at the same resolutions.
const (
	FineSpan   = 5 * time.Minute
	BinSeconds = 15.0
)

// compact merges the increments older than FineSpan into bins, in place,
// before recent grows by a quarter or fills its array, and gives it an
// array with room for that quarter: the work per increment stays
// constant, and the array is never much larger than what it holds (the
// horizon's cut at its front would leave append doubling it).
func (e *Estimator) compact() {
	if !e.young() {
		e.recent = mergeOld(e.recent, e.est.Newest.Add(-e.fine))
	}
	n := len(e.recent)
	e.compactAt = n + max(n/4, 64)
	if cap(e.recent) == n || cap(e.recent) > e.compactAt {
		e.recent = append(make([]Increment, 0, e.compactAt), e.recent...)
	}
}

// mergeOld merges the increments that ended before cutoff into bins, in
// place.
func mergeOld(incs []Increment, cutoff time.Time) []Increment {
	n := 0
	for i, inc := range incs {
		if !inc.End.Before(cutoff) {
			n += copy(incs[n:], incs[i:])
			break
		}
		if n > 0 && mergeable(incs[n-1], inc) {
			b := &incs[n-1]
			b.End, b.Count, b.Seconds = inc.End, b.Count+inc.Count, b.Seconds+inc.Seconds
			continue
		}
		incs[n] = inc
		n++
	}
	return incs[:n]
}

// mergeable tells whether inc continues bin without a gap or a reset
// between them and fits in it.
func mergeable(bin, inc Increment) bool {
	between := inc.Start().Sub(bin.End)
	return bin.Seconds+inc.Seconds <= BinSeconds && between > -time.Millisecond && between < time.Millisecond
}

// runsSince sums the newest increments that began at or after t: element
// k holds the newest k (element 0 none), so any run of the newest data and
// its newer half are at hand in constant time.
func (e *Estimator) runsSince(t time.Time) []sum {
	runs := []sum{{}}
	for i := len(e.recent) - 1; i >= 0 && !e.recent[i].Start().Before(t); i-- {
		last := runs[len(runs)-1]
		runs = append(runs, sum{last.c + e.recent[i].Count, last.d + e.recent[i].Seconds})
	}
	return runs
}

// agrees tells whether the newest k increments, and their newer half,
// have the earlier level's rate within z standard errors. The half
// matters: data that straddle the tail of a decay and a lower rate after
// it can average to the earlier rate; their newer half cannot.
func agrees(runs []sum, k int, lc, ld, z float64) bool {
	half := runs[sort.Search(k, func(j int) bool { return runs[j].d >= runs[k].d/2 })]
	return sameRate(runs[k].c, runs[k].d, lc, ld, z) && sameRate(half.c, half.d, lc, ld, z)
}

// minJoinTickets is the least the earlier level expects in the run of new
// data it is joined with: with fewer, a rate twice as high can agree with
// it by luck (at 20, a ×2 run reads as the earlier level in about 1 % of
// runs; at 10, in 10 %).
const minJoinTickets = 20

// joined is an earlier level the traffic came back to, and since when.
type joined struct {
	level level
	since time.Time
}

// aged is an earlier level's data weighed down by its age, as the
// level's own forget with the horizon.
func (e *Estimator) aged(l level) (count, seconds float64) {
	keep := math.Exp(-e.est.Newest.Sub(l.end).Seconds() / e.p.Horizon.Seconds())
	return l.c * keep, l.d * keep
}

// sameRate: two Poisson rates' difference is within k standard errors of
// their pooled rate.
func sameRate(c1, d1, c2, d2, k float64) bool {
	if d1 <= 0 || d2 <= 0 {
		return false
	}
	pool := (c1 + c2) / (d1 + d2)
	se := math.Sqrt(pool * (1/d1 + 1/d2))
	return math.Abs(c1/d1-c2/d2) <= k*se
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
		if (c/d > lambda0) != a.Up() {
			continue
		}
		if llr := poissonLLR(c, d, lambda0); llr > bestLLR {
			bestLLR = llr
			best = inc.Start()
		}
	}
	a.Since = best
	e.startLevel(a, false)
}

// startLevel keeps the current level among the earlier ones and starts a
// new one at the alarm's change point, accepted by the young test or the
// charts; the caller re-estimates it.
func (e *Estimator) startLevel(a Alarm, young bool) {
	if e.levelD > 0 {
		e.earlier = append([]level{{c: e.levelC, d: e.levelD, end: e.est.Newest}}, e.earlier...)
		e.earlier = e.earlier[:min(len(e.earlier), maxEarlierLevels)]
	}
	e.changeAt = a.Since
	e.youngChange = young
	e.join = nil
	e.est.LevelSince = a.Since
	e.est.LastChange = &a
	e.justChanged = true
	e.det.Reset()
}

// young reports whether the series is still on its first level and that
// level rests on too little data for the charts' reference (littleData).
func (e *Estimator) young() bool {
	return e.est.LastChange == nil && littleData(e.levelC, e.levelD)
}

// testYoung decides a young series' changes: the two-sample test over
// every split of its data since it began, which needs no reference. An
// alarm of the charts is not accepted, their reference being mostly
// noise, and starts them over so it is not carried past the young period.
func (e *Estimator) testYoung(chartsAlarmed bool) {
	if chartsAlarmed {
		e.det.Reset()
	}
	if a := youngAlarm([][]Increment{e.levelIncrements()}, e.iv.typical(), e.p.FalseAlarmEvery, true); a != nil {
		e.startLevel(*a, true)
	}
}

// levelIncrements are the recent increments since the level began.
func (e *Estimator) levelIncrements() []Increment {
	i := sort.Search(len(e.recent), func(i int) bool { return e.recent[i].End.After(e.changeAt) })
	return e.recent[i:]
}

// youngIncrements are a young series' increments since it began, for a
// queue's joint test (nil once the series is no longer young).
func (e *Estimator) youngIncrements() []Increment {
	if !e.est.Known || !e.young() {
		return nil
	}
	return e.levelIncrements()
}

// relevel starts a new level at a change the series' queue accepted,
// estimated from the increments after it, as if the series had accepted
// it itself.
func (e *Estimator) relevel(a Alarm) {
	e.startLevel(a, true)
	e.levelC, e.levelD = e.postChange()
	e.justChanged = false
	e.refresh()
}

// follows reports whether the series should take on a rise its queue
// accepted at a.Since: its level began before, it has data after (beyond
// the increment that straddles it, whose count is partly the old rate),
// no more than the coverage span of them, and those data point up (their
// rate is above the level's). The change is established on the queue; a
// sibling only has to agree with it, and one that has not within the
// coverage span is left to its own test.
func (e *Estimator) follows(a Alarm) bool {
	if !e.est.Known || !e.est.LevelSince.Before(a.Since) || e.est.Newest.Sub(a.Since) > e.p.Coverage {
		return false
	}
	var c, d float64
	for _, inc := range e.levelIncrements() {
		if !inc.Start().Before(a.Since) {
			c, d = c+inc.Count, d+inc.Seconds
		}
	}
	return d > 0 && c/d > e.reference()
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

// Describe says in words what the estimate rests on, for conditions. The
// words stay the same from poll to poll while the state does (times, not
// ages), so a condition is not rewritten at every poll.
func (e Estimate) Describe(coverage time.Duration) string {
	if !e.Known {
		return "no ticket counter increment yet"
	}
	if !e.Complete {
		return fmt.Sprintf("samples run without a gap since %s, %s of them needed before capacity may be lowered",
			e.CoveredSince.UTC().Format(time.RFC3339), coverage)
	}
	return fmt.Sprintf("level %.0f/h since %s", e.Rate*3600, e.LevelSince.UTC().Format(time.RFC3339))
}

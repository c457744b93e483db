package inflow

import (
	"math"
	"slices"
	"sync"
	"time"
)

// A young level: the charts test against a reference, the level itself,
// and while it rests on few tickets that reference is mostly noise (a
// first scrape of zero puts it at the floor, and the first tickets after
// read as a ×10 rise) and it absorbs a change as fast as the change
// brings tickets. Until a series' first level rests on youngTickets or
// spans youngSpan, changes are decided by the two-sample test below,
// which needs no reference.
const (
	// youngTickets: at 100 tickets the reference is within 10 % (one
	// standard error), well inside the smallest chart's step of 30 %.
	youngTickets = 100
	// youngSpan caps the young period of a slow series: the scan's work
	// grows with its length, its threshold is calibrated up to it, and
	// after ten minutes of history the charts react to a ×10 step from
	// 100/h within about a minute.
	youngSpan = 10 * time.Minute
)

// littleData reports whether a level or baseline resting on count tickets
// over seconds is too little to be a chart's reference.
func littleData(count, seconds float64) bool {
	return seconds < youngSpan.Seconds() && count < youngTickets
}

// poissonLLR is the log-likelihood ratio of count events in seconds at
// their own rate against rate lambda: the evidence that the rate is not
// lambda.
func poissonLLR(count, seconds, lambda float64) float64 {
	if count == 0 {
		return -(count - lambda*seconds)
	}
	return count*math.Log(count/seconds/lambda) - (count - lambda*seconds)
}

// part is one series' data either side of a split: count and seconds
// before it (c0, d0) and after it (c1, d1).
type part struct{ c0, d0, c1, d1 float64 }

// informative reports whether the part tells anything of a change at the
// split: data both sides, and a ticket.
func (p part) informative() bool { return p.d0 > 0 && p.d1 > 0 && p.c0+p.c1 > 0 }

// ratioGLR is the generalized likelihood ratio statistic (its log) of
// "every part's rate changed by one common factor at the split" against
// "no part's rate changed", each part with a rate of its own, and the
// factor's estimate. With one part it is the two-sample Poisson GLR,
// Σ poissonLLR of each side against the pooled rate. Parts are the
// series of one queue: replicas of one traffic change together.
func ratioGLR(parts []part) (llr, ratio float64) {
	var c0, d0, c1, d1, null float64
	used := 0
	for _, p := range parts {
		if !p.informative() {
			continue
		}
		used++
		c0, d0, c1, d1 = c0+p.c0, d0+p.d0, c1+p.c1, d1+p.d1
		pooled := (p.c0 + p.c1) / (p.d0 + p.d1)
		null += poissonLLR(p.c0, p.d0, pooled) + poissonLLR(p.c1, p.d1, pooled)
	}
	switch {
	case used == 0:
		return 0, 1
	case c0 == 0:
		return null, math.Inf(1) // every part fits exactly: nothing, then its tickets
	case c1 == 0:
		return null, 0
	}
	ratio = (c1 / d1) / (c0 / d0)
	if used == 1 {
		return null, ratio // the alternative fits a single part exactly
	}
	ratio = commonRatio(parts, ratio)
	var alt float64
	for _, p := range parts {
		if !p.informative() {
			continue
		}
		lambda := (p.c0 + p.c1) / (p.d0 + ratio*p.d1)
		alt += poissonLLR(p.c0, p.d0, lambda) + poissonLLR(p.c1, p.d1, ratio*lambda)
	}
	return math.Max(0, null-alt), ratio
}

// commonRatio is the maximum-likelihood common factor: with each part's
// total given, its count after the split is binomial with logit
// θ + ln(d1/d0), so the score Σc1 − Σ N·q(θ) falls in θ = ln(factor) and
// its root is found by Newton's method from the guess, kept inside a
// bracket.
func commonRatio(parts []part, guess float64) float64 {
	score := func(theta float64) (s, info float64) {
		for _, p := range parts {
			if !p.informative() {
				continue
			}
			n := p.c0 + p.c1
			q := 1 / (1 + p.d0/(math.Exp(theta)*p.d1))
			s += p.c1 - n*q
			info += n * q * (1 - q)
		}
		return s, info
	}
	theta := math.Log(guess)
	lo, hi := math.Inf(-1), math.Inf(1)
	for range 100 {
		s, info := score(theta)
		step := s / info
		if info == 0 || math.Abs(step) < 1e-12 {
			break
		}
		if s > 0 {
			lo = theta
		} else {
			hi = theta
		}
		next := theta + step
		if next <= lo || next >= hi {
			if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
				next = theta + math.Copysign(1, s) // widen the bracket
			} else {
				next = (lo + hi) / 2
			}
		}
		theta = next
	}
	return math.Exp(theta)
}

// split is the strongest split found in one direction.
type split struct {
	at         time.Time
	llr, ratio float64
}

// splitScan holds the strongest rise and fall over every split of some
// series' increments.
type splitScan struct{ rise, fall split }

// boundary is a split time scanSplits tries.
type boundary struct {
	at    time.Time
	quiet bool // no ticket in the increments either side
}

// boundaryBuffers are scanSplits' buffers, reused: a young series is
// scanned at each of its increments, and at a 1 s scrape allocating the
// buffer each time was a fifth of what 2,000 new queues allocated.
var boundaryBuffers = sync.Pool{New: func() any { return new([]boundary) }}

// scanSplits tries every split time: each increment's end but the
// newest, over all series (time-ordered increments each). An increment
// that straddles a split counts after it. The test is of a change against
// "the rate after is null times the rate before" (1: no change; a surge
// trigger's ratio: a rise to at least that): the time after the split
// counts null times. A split inside a run of empty increments is skipped:
// moving it to the run's end (rise) or start (fall) keeps the counts and
// widens the gap between the rates, so the strongest split is never
// there.
func scanSplits(series [][]Increment, null float64) splitScan {
	n := 0
	for _, incs := range series {
		n += len(incs)
	}
	buf := boundaryBuffers.Get().(*[]boundary)
	bounds := slices.Grow((*buf)[:0], n)
	defer func() { *buf = bounds[:0]; boundaryBuffers.Put(buf) }()
	var newest time.Time
	totals := make([]part, len(series))
	for s, incs := range series {
		for i, inc := range incs {
			quiet := inc.Count == 0 && i+1 < len(incs) && incs[i+1].Count == 0
			bounds = append(bounds, boundary{inc.End, quiet})
			if inc.End.After(newest) {
				newest = inc.End
			}
			totals[s].c1 += inc.Count
			totals[s].d1 += inc.Seconds
		}
	}
	if len(series) > 1 {
		slices.SortFunc(bounds, func(a, b boundary) int { return a.at.Compare(b.at) })
	}
	var out splitScan
	next := make([]int, len(series)) // per series, the first increment after the split
	parts := make([]part, len(series))
	for i, b := range bounds {
		if !b.at.Before(newest) {
			continue
		}
		if i+1 < len(bounds) && b.at.Equal(bounds[i+1].at) {
			bounds[i+1].quiet = bounds[i+1].quiet && b.quiet
			continue // one split, tried at its last boundary
		}
		if b.quiet {
			continue
		}
		for s, incs := range series {
			for next[s] < len(incs) && !incs[next[s]].End.After(b.at) {
				totals[s].c0 += incs[next[s]].Count
				totals[s].d0 += incs[next[s]].Seconds
				next[s]++
			}
			t := totals[s]
			parts[s] = part{c0: t.c0, d0: t.d0, c1: t.c1 - t.c0, d1: null * (t.d1 - t.d0)}
		}
		llr, ratio := ratioGLR(parts)
		ratio *= null
		best := &out.fall
		if ratio > null {
			best = &out.rise
		}
		if llr > best.llr {
			*best = split{at: b.at, llr: llr, ratio: ratio}
		}
	}
	return out
}

// youngAlarm is the two-sample test of a young level: the strongest split
// of the series' increments, accepted when its GLR reaches youngThreshold.
// Falls, when tested, get the stricter budget the charts use for them.
func youngAlarm(series [][]Increment, look float64, budget time.Duration, falls bool) *Alarm {
	s := scanSplits(series, 1)
	if s.rise.llr >= youngThreshold(budget, look, falls) {
		return &Alarm{Ratio: s.rise.ratio, Since: s.rise.at, Statistic: s.rise.llr}
	}
	if falls && s.fall.llr >= youngThreshold(fallBudgetFactor*budget, look, falls) {
		return &Alarm{Ratio: s.fall.ratio, Since: s.fall.at, Statistic: s.fall.llr}
	}
	return nil
}

// youngThreshold is the two-sample test's threshold for a mean time
// between false alarms of at least budget when it runs every look
// seconds: ThresholdFor one chart per direction tested. The scan over
// splits is not charged to the budget; that is calibrated by simulation
// (TestYoungThresholdCalibration): on calm young series of 20–6000/h
// scraped every 1–30 s the false changes stay within the budget's
// allowance even at half the budget (over thousands of series a case, at
// most a third of it, for budgets of an hour to a week), splits
// overlapping and a split's GLR at young counts staying far below its
// Chernoff bound e^-h. A union (Bonferroni) bound,
// each split a chart, would hold without simulation but sits 2–7 nats
// higher than the budget needs: a ×10 step from 100/h with 75 s of
// history would be sized for after about 4 minutes in the median, not 2.
func youngThreshold(budget time.Duration, look float64, falls bool) float64 {
	charts := 1
	if falls {
		charts = 2
	}
	return ThresholdFor(budget, look, charts)
}

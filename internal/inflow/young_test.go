package inflow

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/internal/capacity"
)

// The young-series rule (glr.go): a series on its first level, resting on
// fewer than youngTickets tickets and less than youngSpan, has its changes
// decided by the two-sample GLR over every split; a queue tests its young
// series together and siblings take on a rise one of them accepted.

const (
	youngStep  = 75 * time.Second // the series starts at 0, the step comes here
	youngPoll  = 5 * time.Second
	youngSeeds = 50
	youngCap   = 2 * time.Minute
)

// history is one series' data before a step: its span and tickets.
type history struct {
	span    time.Duration
	tickets float64
}

// expected is the history of a span at a rate per hour.
func expected(span time.Duration, perHour float64) history {
	return history{span, perHour / 3600 * span.Seconds()}
}

// reactionBound is when the young test, fed the series' histories and
// then the expected counts of after per hour (a queue's total, shared
// evenly by its series), first reaches its threshold, the test running on
// each series' own data and, for several, on their joint data, once per
// scrape, as the code does: its reaction at the expected counts. Infinite
// when the evidence never gets there within the young span: a split's
// GLR is bounded by what the history can tell (historyLimit).
func reactionBound(histories []history, after float64, scrape time.Duration) float64 {
	m := float64(len(histories))
	dt := scrape.Seconds()
	for t := 0.1; t <= youngSpan.Seconds(); t += 0.1 {
		var parts []part
		for _, h := range histories {
			p := part{c0: h.tickets, d0: h.span.Seconds(), c1: after / 3600 / m * t, d1: t}
			if llr, _ := ratioGLR([]part{p}); p.d0+p.d1 >= 2*dt && llr >= youngThreshold(DefaultFalseAlarmEvery, dt, true) {
				return t
			}
			parts = append(parts, p)
		}
		if llr, _ := ratioGLR(parts); len(parts) > 1 && llr >= youngThreshold(DefaultFalseAlarmEvery, dt/m, false) {
			return t
		}
	}
	return math.Inf(1)
}

// historyLimit is the most evidence a history can give against a new rate
// (per second), however much post-step data come: the limit of the
// two-sample GLR, c0·ln(c0/(λ1·T0)) + λ1·T0 − c0.
func historyLimit(h history, after float64) float64 {
	return poissonLLR(h.tickets, h.span.Seconds(), after)
}

// reaction is one seed's run through a step.
type reaction struct {
	// sized: seconds from the step until the estimate is sized for the new
	// rate (Upper, what the operator sizes on); Inf if not within the run.
	sized float64
	// sizedCame: the same, for the lower of the new rate and the rate of
	// the tickets that came in the two minutes after it (Poisson luck can
	// keep those short of the rate for minutes; no estimate follows the
	// rate the tickets do not show).
	sizedCame float64
	// overshoot: Upper over the new rate at the first accepted rise after
	// the step (NaN: none).
	overshoot float64
	// histories: the data before the step of the series that saw it.
	histories []history
}

// youngRun runs one seed through a ×10 step youngStep after its series
// start: one series, or a queue of two at half the rate each, the second
// restarted (a new series counting from zero) 10 s before the step.
func youngRun(seed uint64, before float64, scrape time.Duration, restart bool) reaction {
	after := 10 * before
	until := youngStep + 5*time.Minute
	var observe func(from, to time.Duration) Estimate
	var counts []*seen // per series the samples fed, for the tickets that came
	if !restart {
		c := newCounter(seed, scrape, stepAt(youngStep, before, after))
		e := New(Params{})
		s := &seen{}
		counts = append(counts, s)
		observe = func(from, to time.Duration) Estimate {
			samples := c.samples(from, to)
			s.add(samples)
			e.Observe(samples)
			return e.Estimate()
		}
	} else {
		a := newCounter(2*seed, scrape, stepAt(youngStep, before/2, after/2))
		b := newCounter(2*seed+1, scrape, stepAt(youngStep, before/2, after/2))
		restartAt := t0.Add(youngStep - 10*time.Second)
		q := NewQueue(Params{})
		sa, sb1, sb2 := &seen{}, &seen{}, &seen{}
		counts = append(counts, sa, sb1, sb2)
		var offset float64 // b's count when it restarted
		observe = func(from, to time.Duration) Estimate {
			samples := a.samples(from, to)
			sa.add(samples)
			q.Observe("a", samples)
			var old, young []Sample
			for _, s := range b.samples(from, to) {
				if s.T.Before(restartAt) {
					old = append(old, s)
					offset = s.V
					continue
				}
				young = append(young, Sample{T: s.T, V: s.V - offset})
			}
			sb1.add(old)
			sb2.add(young)
			q.Observe("b-1", old)
			if len(young) > 0 {
				q.Observe("b-2", young)
			}
			q.Prune(t0.Add(to))
			return q.Estimate()
		}
	}
	r := reaction{sized: math.Inf(1), sizedCame: math.Inf(1), overshoot: math.NaN()}
	var est []Estimate
	var at []time.Duration
	for now := time.Duration(0); now < until; now += youngPoll {
		est = append(est, observe(now, now+youngPoll))
		at = append(at, now+youngPoll)
	}
	came := after
	for _, s := range counts {
		if h, ok := s.history(t0.Add(youngStep)); ok {
			r.histories = append(r.histories, h)
		}
	}
	if rate, ok := cameRate(counts, t0.Add(youngStep), t0.Add(youngStep+youngCap)); ok {
		came = min(came, rate*3600)
	}
	for i, e := range est {
		if at[i] <= youngStep {
			continue
		}
		since := (at[i] - youngStep).Seconds()
		if e.Upper*3600 >= after && math.IsInf(r.sized, 1) {
			r.sized = since
		}
		if e.Upper*3600 >= came && math.IsInf(r.sizedCame, 1) {
			r.sizedCame = since
		}
		if c := e.LastChange; math.IsNaN(r.overshoot) && c != nil && c.Up() && c.Since.After(t0.Add(youngStep-youngPoll-scrape)) {
			r.overshoot = e.Upper * 3600 / after
		}
	}
	return r
}

// seen keeps the samples one series was fed.
type seen struct{ samples []Sample }

func (s *seen) add(samples []Sample) { s.samples = append(s.samples, samples...) }

// history is the series' data before a step at t, if it has data after.
func (s *seen) history(t time.Time) (history, bool) {
	var last int
	for i, x := range s.samples {
		if x.T.Before(t) {
			last = i
		}
	}
	if len(s.samples) == 0 || !s.samples[len(s.samples)-1].T.After(t) {
		return history{}, false
	}
	first := s.samples[0]
	return history{s.samples[last].T.Sub(first.T), s.samples[last].V - first.V}, true
}

// cameRate is the tickets that came in (from, to]: each series' count from
// its first sample after from to its last by to, over that span, summed.
func cameRate(series []*seen, from, to time.Time) (float64, bool) {
	rate, ok := 0.0, false
	for _, s := range series {
		var a, b *Sample
		for i := range s.samples {
			x := &s.samples[i]
			if x.T.After(from) && !x.T.After(to) {
				if a == nil {
					a = x
				}
				b = x
			}
		}
		if a != nil && b != a {
			rate += (b.V - a.V) / b.T.Sub(a.T).Seconds()
			ok = true
		}
	}
	return rate, ok
}

// quantile of v, NaN left out (Inf counts, as the largest).
func quantile(v []float64, q float64) float64 {
	var keep []float64
	for _, x := range v {
		if !math.IsNaN(x) {
			keep = append(keep, x)
		}
	}
	if len(keep) == 0 {
		return math.NaN()
	}
	sort.Float64s(keep)
	return keep[min(len(keep)-1, int(q*float64(len(keep))))]
}

// seconds prints a delay in seconds, Inf as never.
func seconds(v float64) string {
	if math.IsInf(v, 1) {
		return "never"
	}
	return fmt.Sprintf("%.0f s", v)
}

// A ×10 step 75 s after a young series starts: the estimate is sized for
// the new rate within 1.5× the two-sample bound for that history (the
// time its expected counts reach the threshold, plus a scrape and a poll)
// in the median, and the overshoot at the first accepted rise is at most
// 1.5 in the median. A queue of two series at half the rate, one
// restarted 10 s before the step, is held to the bound of its joint
// evidence. Where every seed's own history allows it, every seed is sized
// for the tickets that came within 2 minutes.
//
// From 100/h the history holds 2 tickets in the mean, and whether the
// step can be seen in 2 minutes depends on how many it holds: a history
// of 4 is beyond even a test that knew where the step was (oracleReaction).
// There the test holds each seed to the bound of its own history in the
// median, and prints how many seeds the cap was possible for.
func TestYoungStepSizedSoon(t *testing.T) {
	for _, restart := range []bool{false, true} {
		for _, before := range []float64{100, 600} {
			for _, scrape := range []time.Duration{5 * time.Second, 15 * time.Second} {
				youngStepCase(t, before, scrape, restart)
			}
		}
	}
}

func youngStepCase(t *testing.T, before float64, scrape time.Duration, restart bool) {
	t.Helper()
	after := 10 * before
	histories := []history{expected(youngStep, before)}
	name := fmt.Sprintf("%v→%v/h, %v scrape", before, after, scrape)
	if restart {
		histories = []history{expected(youngStep, before/2), expected(10*time.Second, before/2)}
		name += ", two series, one restarted 10 s before"
	}
	lag := (scrape + youngPoll).Seconds()
	bound := reactionBound(histories, after, scrape) + lag
	var sized, came, over, ownRatio []float64
	withinCap, capPossible := 0, 0
	for seed := uint64(1); seed <= youngSeeds; seed++ {
		r := youngRun(seed, before, scrape, restart)
		sized, came, over = append(sized, r.sized), append(came, r.sizedCame), append(over, r.overshoot)
		own := reactionBound(r.histories, after, scrape) + lag
		if !math.IsInf(own, 1) {
			ownRatio = append(ownRatio, r.sized/own)
		}
		if r.sizedCame <= youngCap.Seconds() {
			withinCap++
		}
		if own <= youngCap.Seconds() {
			capPossible++
		}
	}
	med := quantile(sized, 0.5)
	t.Logf("%s: sized for the new rate after median %s (bound %s), p90 %s; for the tickets that came: median %s, max %s, within %v in %d of %d seeds (possible for %d); overshoot at the first accepted rise median %.2f, p90 %.2f, max %.2f",
		name, seconds(med), seconds(bound), seconds(quantile(sized, 0.9)), seconds(quantile(came, 0.5)), seconds(quantile(came, 1)),
		youngCap, withinCap, youngSeeds, capPossible, quantile(over, 0.5), quantile(over, 0.9), quantile(over, 1))
	t.Logf("%s: %d of %d seeds' own histories allow a reaction; sized after median %.2f× their own bound", name, len(ownRatio), youngSeeds, quantile(ownRatio, 0.5))
	if math.IsInf(bound, 1) {
		var limits []string
		for _, h := range histories {
			limits = append(limits, fmt.Sprintf("%.1f", historyLimit(h, after/3600/float64(len(histories)))))
		}
		t.Logf("%s: the expected histories can give at most %s, under the threshold %.1f: no bound",
			name, strings.Join(limits, " and "), youngThreshold(DefaultFalseAlarmEvery, scrape.Seconds(), true))
	} else if med > 1.5*bound {
		t.Errorf("%s: median %s, over 1.5× the bound %s", name, seconds(med), seconds(bound))
	}
	if m := quantile(ownRatio, 0.5); len(ownRatio) > 0 && m > 1.5 {
		t.Errorf("%s: sized after median %.2f× the bound of the seed's own history, over 1.5", name, m)
	}
	if m := quantile(over, 0.5); !math.IsInf(bound, 1) && m > 1.5 {
		t.Errorf("%s: median overshoot %.2f at the first accepted rise, over 1.5", name, m)
	}
	if capPossible == youngSeeds && withinCap < youngSeeds {
		t.Errorf("%s: %d of %d seeds not sized for the tickets that came within %v", name, youngSeeds-withinCap, youngSeeds, youngCap)
	}
	if !restart && before == 100 {
		logOracle(t, scrape, before, after)
	}
}

// oracleReaction is when a test that knew the step came after a history
// of c0 tickets over span, and looked once per scrape at the exact
// binomial tail of the expected post-step count given the total, would
// accept it at the budget (a per-look level of scrape/budget): no test of
// the data can do better. Infinite if not within the young span.
func oracleReaction(c0 int, span time.Duration, after float64, scrape time.Duration) float64 {
	alpha := scrape.Seconds() / DefaultFalseAlarmEvery.Seconds()
	for t := scrape.Seconds(); t <= youngSpan.Seconds(); t += scrape.Seconds() {
		n := c0 + int(math.Round(after/3600*t))
		if binomialAtMost(c0, n, span.Seconds()/(span.Seconds()+t)) <= alpha {
			return t
		}
	}
	return math.Inf(1)
}

// binomialAtMost is P(Binomial(n, p) ≤ k).
func binomialAtMost(k, n int, p float64) float64 {
	sum := 0.0
	for j := 0; j <= k && j <= n; j++ {
		ln, _ := math.Lgamma(float64(n + 1))
		lj, _ := math.Lgamma(float64(j + 1))
		lr, _ := math.Lgamma(float64(n - j + 1))
		sum += math.Exp(ln - lj - lr + float64(j)*math.Log(p) + float64(n-j)*math.Log(1-p))
	}
	return sum
}

// logOracle prints, per history count, how likely it is and when the
// oracle and the young test (expected counts after the step) react.
func logOracle(t *testing.T, scrape time.Duration, before, after float64) {
	t.Helper()
	mean := before / 3600 * youngStep.Seconds()
	var rows []string
	for c0 := range 7 {
		lg, _ := math.Lgamma(float64(c0 + 1))
		p := math.Exp(-mean + float64(c0)*math.Log(mean) - lg)
		own := reactionBound([]history{{youngStep, float64(c0)}}, after, scrape)
		rows = append(rows, fmt.Sprintf("%d tickets (%.0f %%): oracle %s, test %s", c0, 100*p, seconds(oracleReaction(c0, youngStep, after, scrape)), seconds(own)))
	}
	t.Logf("%v→%v/h, %v scrape, by history: %s", before, after, scrape, strings.Join(rows, "; "))
}

// Calm young series raise no more false changes in their young period than
// the budget allows over as many series-young-periods; nor does a queue of
// two young series, whose joint test is one more detector.
func TestYoungCalmWithinBudget(t *testing.T) {
	const seeds = 250
	for _, rate := range []float64{60, 600} {
		for _, scrape := range []time.Duration{5 * time.Second, 15 * time.Second} {
			for _, series := range []int{1, 2} {
				changes := 0
				for seed := uint64(1); seed <= seeds; seed++ {
					changes += youngCalmChanges(seed, rate, scrape, series)
				}
				detectors := series
				if series > 1 {
					detectors++ // the joint test
				}
				allowed := float64(seeds*detectors) * youngSpan.Seconds() / DefaultFalseAlarmEvery.Seconds()
				t.Logf("%v/h, %v scrape, %d series: %d changes in %d × %v young; the budget allows %.1f (%d detectors)", rate, scrape, series, changes, seeds, youngSpan, allowed, detectors)
				if float64(changes) > allowed {
					t.Errorf("%v/h, %v scrape, %d series: %d false changes, the budget allows %.1f", rate, scrape, series, changes, allowed)
				}
			}
		}
	}
}

// youngCalmChanges counts the changes accepted over the young span of a
// calm queue of series series sharing rate: distinct change points, a
// sibling taking on its queue's change counting with it.
func youngCalmChanges(seed uint64, rate float64, scrape time.Duration, series int) int {
	q := NewQueue(Params{})
	var counters []*counter
	for i := range series {
		counters = append(counters, newCounter(seed*uint64(series)+uint64(i), scrape, steady(rate/float64(series))))
	}
	changes := map[time.Time]bool{}
	for now := time.Duration(0); now < youngSpan; now += youngPoll {
		for i, c := range counters {
			q.Observe(fmt.Sprint(i), c.samples(now, now+youngPoll))
		}
		for _, e := range q.series {
			if a := e.Estimate().LastChange; a != nil {
				changes[a.Since] = true
			}
		}
	}
	return len(changes)
}

// TestYoungThresholdCalibration is the simulation youngThreshold rests on:
// calm young series, Poisson counts per scrape over the young period as
// the rule ends it, the test run after every scrape as the estimator runs
// it. The strongest split's excess over the threshold is kept per series;
// those reaching 0 are false changes, held to what the budget allows over
// the young periods run, with room to spare: even with the threshold
// ln 2 lower (a budget half as long) they stay within that budget's
// allowance. Seeds are scaled so the budget allows about three.
func TestYoungThresholdCalibration(t *testing.T) {
	grid := []struct {
		rate   float64
		scrape time.Duration
	}{{20, 5 * time.Second}, {20, 30 * time.Second}, {100, 5 * time.Second}, {100, 15 * time.Second}, {100, 30 * time.Second},
		{600, time.Second}, {600, 5 * time.Second}, {600, 15 * time.Second}, {600, 30 * time.Second},
		{6000, 5 * time.Second}, {6000, 15 * time.Second}, {6000, 30 * time.Second}}
	for _, g := range grid {
		young := youngPeriod(g.rate)
		seeds := int(math.Ceil(3 * DefaultFalseAlarmEvery.Seconds() / young.Seconds()))
		rng := rand.New(rand.NewPCG(uint64(g.rate), uint64(g.scrape)))
		atBudget, atHalf := 0, 0
		for range seeds {
			excess := calmYoungExcess(rng, g.rate, g.scrape)
			if excess >= 0 {
				atBudget++
			}
			if excess >= -math.Ln2 {
				atHalf++
			}
		}
		allowed := float64(seeds) * young.Seconds() / DefaultFalseAlarmEvery.Seconds()
		t.Logf("%v/h, %v scrape, %d young periods of %v: %d false changes (the budget allows %.1f); %d at a budget half as long (allowed %.1f)",
			g.rate, g.scrape, seeds, young, atBudget, allowed, atHalf, 2*allowed)
		if float64(atHalf) > 2*allowed {
			t.Errorf("%v/h, %v scrape: %d false changes at half the budget, allowed %.1f", g.rate, g.scrape, atHalf, 2*allowed)
		}
	}
}

// youngPeriod is how long a calm series at rate per hour stays young.
func youngPeriod(rate float64) time.Duration {
	return min(youngSpan, time.Duration(youngTickets/rate*float64(time.Hour)))
}

// calmYoungExcess runs the young test after every scrape of a calm young
// series and returns its largest excess over the threshold, either way.
func calmYoungExcess(rng *rand.Rand, rate float64, scrape time.Duration) float64 {
	var incs []Increment
	var count float64
	excess := math.Inf(-1)
	dt := scrape.Seconds()
	for end := scrape; littleData(count, (end - scrape).Seconds()); end += scrape {
		c := poissonCount(rng, rate/3600*dt)
		incs = append(incs, Increment{End: t0.Add(end), Count: c, Seconds: dt})
		count += c
		s := scanSplits([][]Increment{incs}, 1)
		rise := s.rise.llr - youngThreshold(DefaultFalseAlarmEvery, dt, true)
		fall := s.fall.llr - youngThreshold(fallBudgetFactor*DefaultFalseAlarmEvery, dt, true)
		excess = max(excess, rise, fall)
	}
	return excess
}

// poissonCount draws a Poisson count of the given mean (Knuth).
func poissonCount(rng *rand.Rand, mean float64) float64 {
	limit, k, p := math.Exp(-mean), 0.0, rng.Float64()
	for p > limit {
		k++
		p *= rng.Float64()
	}
	return k
}

// A surge trigger over a series whose baseline rests on a minute of data
// (600/h: 10 tickets): trusted as a reference, a low draw of it reads a
// calm window as a tripling; under the young rule calm windows raise none,
// and a ×10 step inside the window alarms once the data after it tell
// "at least three times the rate before" apart at the trigger's budget.
func TestSpikeOnYoungBaseline(t *testing.T) {
	const seeds, rate, ratio = 2000, 600.0, 3.0
	window, span := 5*time.Minute, time.Minute
	var falseTrusted, falseYoung int
	stepsSeen := map[time.Duration]int{}
	ago := []time.Duration{time.Minute, 90 * time.Second}
	for seed := uint64(1); seed <= seeds; seed++ {
		rng := rand.New(rand.NewPCG(seed, 11))
		baseline := poissonCount(rng, rate/3600*span.Seconds()) / span.Seconds()
		spike := func(samples []Sample, baselineSeconds float64) bool {
			s := SpikeSeries{Samples: samples, Baseline: baseline, BaselineSeconds: baselineSeconds}
			return DetectSpike([]SpikeSeries{s}, ratio, DefaultSpikeFalseAlarmEvery, 5*time.Second).Alarm
		}
		calm := newCounter(seed, 5*time.Second, steady(rate)).samples(0, window)
		if spike(calm, 0) {
			falseTrusted++
		}
		if spike(calm, span.Seconds()) {
			falseYoung++
		}
		for _, a := range ago {
			if spike(newCounter(seed, 5*time.Second, stepAt(window-a, rate, 10*rate)).samples(0, window), span.Seconds()) {
				stepsSeen[a]++
			}
		}
	}
	t.Logf("%v/h, baseline from %v of data: calm windows alarmed %d of %d times trusted, %d under the young rule; a ×10 step %v before the window's end alarmed %d times, %v before %d times",
		rate, span, falseTrusted, seeds, falseYoung, ago[0], stepsSeen[ago[0]], ago[1], stepsSeen[ago[1]])
	if falseYoung > 0 || stepsSeen[ago[1]] < seeds*95/100 {
		t.Errorf("young baseline: %d false alarms, %d of %d steps seen after %v", falseYoung, stepsSeen[ago[1]], seeds, ago[1])
	}
}

// ratioGLR: one part is the two-sample GLR, each side's LLR against the
// pooled rate; parts of equal spans with one factor weigh as their sum;
// a part without data either side adds nothing.
func TestRatioGLR(t *testing.T) {
	c0, d0, c1, d1 := 3.0, 75.0, 12.0, 30.0
	pooled := (c0 + c1) / (d0 + d1)
	want := poissonLLR(c0, d0, pooled) + poissonLLR(c1, d1, pooled)
	if got, r := ratioGLR([]part{{c0, d0, c1, d1}}); math.Abs(got-want) > 1e-12 || math.Abs(r-(c1/d1)/(c0/d0)) > 1e-12 {
		t.Errorf("one part: %v ×%v, want %v", got, r, want)
	}
	a, b := part{2, 60, 9, 20}, part{5, 60, 21, 20}
	sum, _ := ratioGLR([]part{{a.c0 + b.c0, a.d0, a.c1 + b.c1, a.d1}})
	joint, r := ratioGLR([]part{a, b, {0, 40, 0, 0}})
	if math.Abs(joint-sum) > 1e-9 || math.Abs(r-(30.0/20)/(7.0/60)) > 1e-9 {
		t.Errorf("two parts of equal spans: %v ×%v, their sum %v", joint, r, sum)
	}
	if llr, _ := ratioGLR([]part{{1, 60, 1, 60}}); llr != 0 {
		t.Errorf("no change: GLR %v", llr)
	}
}

// TestYoungCalmSizing is what a calm young series allows: a queue at 600/h
// (13 agents for 80 % within 20 s, AHT 60 s, occupancy ≤ 0.85), the series
// starting at 0, read from 90 s to 16.5 minutes as the cluster's young calm
// test reads it, 50 seeds, 5 s and 15 s scrapes. It prints the share of
// polls within ±1 of the need, and more than one short of it, for agents
// sized on the estimator's upper bound and on its level's mean (no
// margin). It fails when the bound sizes two or more short in more than
// 3 % of polls or within one in less than 60 % (the figures docs/inflow.md
// gives), and when even the mean holds ±1 in 95 % of polls: at 600/h one
// agent is about 10 % of the rate, which a Poisson count of a few minutes
// does not resolve, and were that wrong the estimator should be held to
// the 95 %.
func TestYoungCalmSizing(t *testing.T) {
	need := func(perHour float64) int {
		r, err := capacity.Agents(capacity.Request{ArrivalsPerSecond: perHour / 3600, HandleTimeSeconds: 60,
			TargetServiceLevel: 0.8, TargetSeconds: 20, MaxOccupancy: 0.85, Concurrency: 1})
		if err != nil {
			t.Fatal(err)
		}
		return r.Agents
	}
	want := need(600)
	if want != 13 {
		t.Fatalf("the need at 600/h is %d, not the 13 this test describes", want)
	}
	for _, scrape := range []time.Duration{5 * time.Second, 15 * time.Second} {
		var polls, upperWithin, meanWithin, upperShort, meanShort int
		for seed := uint64(1); seed <= youngSeeds; seed++ {
			e := New(Params{})
			c := newCounter(seed, scrape, steady(600))
			for now := time.Duration(0); now < 990*time.Second; now += youngPoll {
				e.Observe(c.samples(now, now+youngPoll))
				est := e.Estimate()
				if now < 90*time.Second || !est.Known {
					continue
				}
				polls++
				for _, r := range []struct {
					agents        int
					within, short *int
				}{{need(est.Upper * 3600), &upperWithin, &upperShort}, {need(est.Rate * 3600), &meanWithin, &meanShort}} {
					if r.agents >= want-1 && r.agents <= want+1 {
						*r.within++
					}
					if r.agents < want-1 {
						*r.short++
					}
				}
			}
		}
		share := func(n int) float64 { return 100 * float64(n) / float64(polls) }
		t.Logf("600/h young, %v scrape, %d seeds, 90 s to 16.5 min, %d polls: within ±1 of %d agents / more than one short: sized on the upper bound %.1f %% / %.1f %%, on the level's mean %.1f %% / %.1f %%",
			scrape, youngSeeds, polls, want, share(upperWithin), share(upperShort), share(meanWithin), share(meanShort))
		if share(upperShort) > 3 || share(upperWithin) < 60 {
			t.Errorf("%v scrape: sized on the upper bound, %.1f %% of polls two or more short (at most 3 %%), %.1f %% within one (at least 60 %%)", scrape, share(upperShort), share(upperWithin))
		}
		if share(meanWithin) >= 95 {
			t.Errorf("%v scrape: the mean holds ±1 in %.1f %% of polls: the 95 %% target is within reach of these data", scrape, share(meanWithin))
		}
	}
}

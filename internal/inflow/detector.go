package inflow

import (
	"math"
	"time"
)

// Detector is a bank of Poisson CUSUM charts, one per rate ratio, against
// a reference rate given with each observation.
type Detector struct {
	// Ratios are the alternatives r·λ0 the charts test: above 1 for rises,
	// below 1 for falls.
	Ratios []float64
	// Threshold h: a chart alarms when its statistic reaches it.
	Threshold float64
	// FallThreshold, when set, replaces Threshold for the falling charts
	// (ratios below 1): lowering capacity on a false alarm costs service,
	// so falls may need stronger evidence.
	FallThreshold float64

	stat  []float64
	since []time.Time // where each chart's excursion began: the change point
}

// Alarm is an accepted change.
type Alarm struct {
	Ratio float64
	// Since is the estimated change point: the end of the last observation
	// before the change.
	Since time.Time
	// Statistic is the alarming chart's value.
	Statistic float64
}

// Up reports whether the alarm is a rise.
func (a Alarm) Up() bool { return a.Ratio > 1 }

// ThresholdFor is the threshold that keeps a bank of charts' mean time
// between false alarms at least budget, with one observation per
// scrape interval: Lorden's ARL ≥ e^h per chart, union over the charts.
func ThresholdFor(budget time.Duration, scrapeSeconds float64, charts int) float64 {
	if scrapeSeconds <= 0 {
		scrapeSeconds = 1
	}
	obs := math.Max(budget.Seconds()/scrapeSeconds, math.E)
	return math.Log(float64(max(charts, 1)) * obs)
}

// DelayBound is Lorden's lower bound on the time a CUSUM needs to accept a
// change λ0 → λ1 (per second) with mean time between false alarms arl:
// ln(ARL)/KL with KL = λ1·ln(λ1/λ0) − (λ1 − λ0), ARL in seconds.
func DelayBound(lambda0, lambda1 float64, arl time.Duration) time.Duration {
	kl := lambda1*math.Log(lambda1/lambda0) - (lambda1 - lambda0)
	if kl <= 0 || math.IsNaN(kl) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(math.Log(arl.Seconds()) / kl * float64(time.Second))
}

// Reset clears every chart.
func (d *Detector) Reset() {
	d.stat = make([]float64, len(d.Ratios))
	d.since = make([]time.Time, len(d.Ratios))
}

// Step adds one observation (count over seconds, ending at end) tested
// against reference rate lambda0 and returns the strongest alarm, if any.
// The charts keep running after an alarm; callers that re-estimate the
// reference Reset them.
func (d *Detector) Step(inc Increment, lambda0 float64) *Alarm {
	if len(d.stat) != len(d.Ratios) {
		d.Reset()
	}
	for i, r := range d.Ratios {
		s := math.Max(0, d.stat[i]+inc.Count*math.Log(r)-(r-1)*lambda0*inc.Seconds)
		if d.stat[i] == 0 && s > 0 {
			// The excursion, and so the change, starts within this observation.
			d.since[i] = inc.Start()
		}
		d.stat[i] = s
	}
	return d.Current()
}

// Statistic is the largest chart value: how much evidence of a change has
// built up (0 when calm).
func (d *Detector) Statistic() float64 {
	m := 0.0
	for _, s := range d.stat {
		m = math.Max(m, s)
	}
	return m
}

// Current is the strongest chart at or above the threshold now, if any.
func (d *Detector) Current() *Alarm {
	var best *Alarm
	for i, s := range d.stat {
		h := d.Threshold
		if d.Ratios[i] < 1 && d.FallThreshold > 0 {
			h = d.FallThreshold
		}
		if s >= h && (best == nil || s > best.Statistic) {
			best = &Alarm{Ratio: d.Ratios[i], Since: d.since[i], Statistic: s}
		}
	}
	return best
}

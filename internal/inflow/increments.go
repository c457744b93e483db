package inflow

import (
	"math"
	"sort"
	"time"
)

// Sample is one scrape of a counter.
type Sample struct {
	T time.Time
	V float64
}

// Increment is the count between two consecutive samples of a counter.
type Increment struct {
	End   time.Time
	Count float64
	// Seconds is the interval's length.
	Seconds float64
}

// Start is when the interval began.
func (i Increment) Start() time.Time {
	return i.End.Add(-time.Duration(i.Seconds * float64(time.Second)))
}

// gapFactor: an interval longer than this many typical scrape intervals is
// a gap (an outage, a lost target), not one observation.
const gapFactor = 2.5

// Clean sorts samples by time and drops the unusable ones: NaN, infinite
// or negative values and repeated timestamps (the first one wins).
func Clean(samples []Sample) []Sample {
	out := make([]Sample, 0, len(samples))
	for _, s := range samples {
		if math.IsNaN(s.V) || math.IsInf(s.V, 0) || s.V < 0 || s.T.IsZero() {
			continue
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].T.Before(out[j].T) })
	dedup := out[:0]
	for i, s := range out {
		if i > 0 && s.T.Equal(dedup[len(dedup)-1].T) {
			continue
		}
		dedup = append(dedup, s)
	}
	return dedup
}

// Break says why two samples do not make an increment.
type Break int

const (
	// NoBreak: the increment is a valid observation.
	NoBreak Break = iota
	// Reset: the counter went down (a restarted exporter): the count
	// since the reset covers an unknown part of the interval.
	Reset
	// Gap: the interval is longer than gapFactor typical intervals.
	Gap
)

// Step turns two consecutive samples into an increment, or says why not.
// typical is the usual scrape interval in seconds (0: not known yet).
func Step(prev, next Sample, typical float64) (Increment, Break) {
	d := next.T.Sub(prev.T).Seconds()
	if next.V < prev.V {
		return Increment{}, Reset
	}
	if typical > 0 && d > gapFactor*typical {
		return Increment{}, Gap
	}
	return Increment{End: next.T, Count: next.V - prev.V, Seconds: d}, NoBreak
}

// intervals keeps the last few scrape intervals to know the typical one.
type intervals struct {
	last [9]float64
	n    int
}

func (iv *intervals) add(d float64) {
	iv.last[iv.n%len(iv.last)] = d
	iv.n++
}

// typical is the median of the recent intervals (0 before any).
func (iv *intervals) typical() float64 {
	n := min(iv.n, len(iv.last))
	if n == 0 {
		return 0
	}
	s := append([]float64(nil), iv.last[:n]...)
	sort.Float64s(s)
	return s[n/2]
}

// Increments turns a run of samples into valid increments (resets and gaps
// skipped) and the typical scrape interval.
func Increments(samples []Sample) ([]Increment, float64) {
	samples = Clean(samples)
	var iv intervals
	for i := 1; i < len(samples); i++ {
		iv.add(samples[i].T.Sub(samples[i-1].T).Seconds())
	}
	typical := iv.typical()
	out := make([]Increment, 0, len(samples))
	for i := 1; i < len(samples); i++ {
		if inc, b := Step(samples[i-1], samples[i], typical); b == NoBreak {
			out = append(out, inc)
		}
	}
	return out, typical
}

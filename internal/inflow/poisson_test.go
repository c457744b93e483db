package inflow

import (
	"math/rand/v2"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// counter draws Poisson arrivals whose rate (per hour) changes over time
// and samples their running count every scrape, as Prometheus would.
type counter struct {
	rng    *rand.Rand
	rate   func(t time.Duration) float64 // per hour
	scrape time.Duration
	next   time.Duration
	count  float64
	phase  time.Duration
}

func newCounter(seed uint64, scrape time.Duration, rate func(time.Duration) float64) *counter {
	c := &counter{rng: rand.New(rand.NewPCG(seed, 7)), rate: rate, scrape: scrape}
	c.phase = time.Duration(c.rng.Float64() * float64(scrape))
	c.next = c.draw(0)
	return c
}

// draw is the next arrival after t by thinning against a 20,000/h ceiling.
func (c *counter) draw(t time.Duration) time.Duration {
	const ceiling = 20000.0 / 3600
	for {
		t += time.Duration(c.rng.ExpFloat64() / ceiling * float64(time.Second))
		if c.rng.Float64()*ceiling <= c.rate(t)/3600 {
			return t
		}
	}
}

// samples returns the scrapes in [from, to).
func (c *counter) samples(from, to time.Duration) []Sample {
	var out []Sample
	first := from - ((from-c.phase)%c.scrape+c.scrape)%c.scrape
	if first < from {
		first += c.scrape
	}
	for t := first; t < to; t += c.scrape {
		for c.next <= t {
			c.count++
			c.next = c.draw(c.next)
		}
		out = append(out, Sample{T: t0.Add(t), V: c.count})
	}
	return out
}

func steady(perHour float64) func(time.Duration) float64 {
	return func(time.Duration) float64 { return perHour }
}

func stepAt(at time.Duration, before, after float64) func(time.Duration) float64 {
	return func(t time.Duration) float64 {
		if t < at {
			return before
		}
		return after
	}
}

package sim

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/frontline-dev/frontline/internal/scaling"
)

// A run holds no list of its tickets. Arrivals are replayed from the seed
// whenever they are needed: each replay draws the same numbers in the same
// order, so every policy, every draw of cheapest-foresight and every rate
// or counter read sees the very same customers, and memory does not grow
// with inflow. A run's time does: it replays every ticket.

// replay walks a run's arrivals in time order: the history before the
// trace (it feeds rates and the counter; nobody is served), then the
// trace's customers, drawn by thinning at the trace's rate with exponential
// handle times and patience.
type replay struct {
	s *setup

	histRNG  *rand.Rand
	histRate float64 // per second; 0 when there is no history
	histAt   float64 // the next history arrival, or +Inf

	rng         *rand.Rand
	maxRate     float64 // per second: the thinning envelope
	containment float64
	next        customer
	hasNext     bool
}

func (s *setup) replay() *replay {
	r := &replay{s: s, histAt: math.Inf(1)}
	for _, p := range s.cfg.Trace {
		r.maxRate = math.Max(r.maxRate, p.InflowPerHour/3600)
	}
	if r.maxRate == 0 {
		return r
	}
	if s.shape.Bots != nil {
		r.containment = s.shape.Bots.Containment
	}
	r.startHistory()
	r.rng = rand.New(rand.NewPCG(s.cfg.Seed, 0x5eed))
	r.next.at = r.rng.ExpFloat64() / r.maxRate
	r.drawCustomer()
	return r
}

// startHistory places arrivals before the trace, at InflowBeforePerHour,
// over the longest look-back any policy reads (a spike trigger's baseline):
// the queue was running before, so its first rates read full windows, as
// Prometheus's would.
func (r *replay) startHistory() {
	cfg := r.s.cfg
	r0 := cfg.Trace[0].InflowPerHour / 3600
	if cfg.InflowBeforePerHour > 0 {
		r0 = cfg.InflowBeforePerHour / 3600
	}
	if r0 <= 0 {
		return
	}
	r.histRNG = rand.New(rand.NewPCG(cfg.Seed, 0x415))
	r.histRate = r0
	r.histAt = -r.s.historySeconds() + r.histRNG.ExpFloat64()/r0
	if r.histAt >= 0 {
		r.histAt = math.Inf(1)
	}
}

// drawCustomer thins candidate arrivals from r.next.at on until one is
// kept (hasNext) or the trace ends.
func (r *replay) drawCustomer() {
	s := r.s
	for t := r.next.at; t < s.end; t += r.rng.ExpFloat64() / r.maxRate {
		p := s.cfg.Trace.At(time.Duration(t * float64(time.Second)))
		if r.rng.Float64()*r.maxRate > p.InflowPerHour/3600 {
			continue
		}
		c := customer{at: t, service: r.rng.ExpFloat64() * p.AHTSeconds, patience: math.Inf(1)}
		if s.cfg.Patience > 0 {
			c.patience = r.rng.ExpFloat64() * s.cfg.Patience.Seconds()
		}
		c.contained = r.rng.Float64() < r.containment
		r.next, r.hasNext = c, true
		return
	}
	r.hasNext = false
}

// peek is the time of the next arrival, history included (+Inf at the end).
func (r *replay) peek() float64 {
	if !math.IsInf(r.histAt, 1) {
		return r.histAt
	}
	if r.hasNext {
		return r.next.at
	}
	return math.Inf(1)
}

// skip consumes the next arrival, whichever it is.
func (r *replay) skip() {
	if !math.IsInf(r.histAt, 1) {
		r.histAt += r.histRNG.ExpFloat64() / r.histRate
		if r.histAt >= 0 {
			r.histAt = math.Inf(1)
		}
		return
	}
	if r.hasNext {
		r.popCustomer()
	}
}

// historySeconds is how far before the trace its history starts.
func (s *setup) historySeconds() float64 {
	back := max(time.Hour, scaling.InflowParams(s.cfg.Queue).Horizon)
	for _, p := range s.cfg.Plans {
		if t := p.Spec.Triggers; t != nil && t.InflowSpike != nil {
			back = max(back, t.InflowSpike.Baseline.Duration+t.InflowSpike.Window.Duration)
		}
	}
	return back.Seconds()
}

// popCustomer returns the next customer of the trace, past any history;
// only when hasNext.
func (r *replay) popCustomer() customer {
	r.histAt = math.Inf(1)
	c := r.next
	r.next.at = c.at + r.rng.ExpFloat64()/r.maxRate
	r.drawCustomer()
	return c
}

// counterCursor counts arrivals up to a time that only moves forward.
type counterCursor struct {
	r    *replay
	n    int     // arrivals consumed
	last float64 // the latest of them (−Inf before any)
}

// through is the number of arrivals at or before t; t ≥ c.last.
func (c *counterCursor) through(t float64) int {
	for c.r.peek() <= t {
		c.last = c.r.peek()
		c.r.skip()
		c.n++
	}
	return c.n
}

// before is the number of arrivals strictly before t; t > c.last.
func (c *counterCursor) before(t float64) int {
	for c.r.peek() < t {
		c.last = c.r.peek()
		c.r.skip()
		c.n++
	}
	return c.n
}

// maxCounterCursors bounds the cursors a setup keeps: one per look-back the
// policies read (the estimator's scrapes, a spike's window and baseline,
// KEDA's minute, the timeline's minute) with room to spare.
const maxCounterCursors = 16

// cursorFor returns a cursor that can count up to t: the one closest behind
// it (strictly behind when strict), so each look-back keeps walking its own
// cursor forward; a new replay when none is behind.
func (s *setup) cursorFor(t float64, strict bool) *counterCursor {
	var best *counterCursor
	for _, c := range s.cursors {
		if (c.last < t || !strict && c.last == t) && (best == nil || c.last > best.last) {
			best = c
		}
	}
	if best != nil {
		return best
	}
	c := &counterCursor{r: s.replay(), last: math.Inf(-1)}
	if len(s.cursors) < maxCounterCursors {
		s.cursors = append(s.cursors, c)
		return c
	}
	// Every cursor is past t (a new run starts over): replace the one
	// furthest ahead.
	far := 0
	for i, o := range s.cursors {
		if o.last > s.cursors[far].last {
			far = i
		}
	}
	s.cursors[far] = c
	return c
}

// scrapeCounts hold the counter at each scrape time from the history's
// start on, filled forward by one cursor as polls ask: every poll re-reads
// its window's scrapes (a spike's baseline is an hour of them), and the
// counter is the same for every policy. Its size grows with the run's
// length over the scrape interval, not with inflow.
type scrapeCounts struct {
	first  int // the scrape index of counts[0]; earlier scrapes read 0
	counts []float64
	cursor *counterCursor
}

// scrapeCount is the counter at scrape k, whose time is t.
func (s *setup) scrapeCount(k int, t float64) float64 {
	g := &s.scrapeCounts
	if g.cursor == nil {
		every := s.cfg.ScrapeInterval.Seconds()
		g.first = int(math.Floor((-s.historySeconds()-s.scrapePhase)/every)) - 1
		g.cursor = &counterCursor{r: s.replay(), last: math.Inf(-1)}
	}
	if k < g.first {
		return 0
	}
	for i := len(g.counts); i < k-g.first; i++ {
		at := s.scrapePhase + float64(g.first+i)*s.cfg.ScrapeInterval.Seconds()
		g.counts = append(g.counts, float64(g.cursor.through(at)))
	}
	if i := k - g.first; i == len(g.counts) {
		g.counts = append(g.counts, float64(g.cursor.through(t)))
	}
	return g.counts[k-g.first]
}

package inflow

import "time"

// Queue follows every series of one queue's counter (several exporters,
// or one that was relabelled) and adds their estimates. Its series count
// one traffic, so a change is tested on their joint evidence: young
// series together (a new queue's replicas), and a rise any series accepts
// is taken on by the siblings whose level predates it (a restarted
// replica's new series would otherwise hide the step the other sees).
type Queue struct {
	p      Params
	series map[string]*Estimator
	// rise is the newest rise accepted on the queue's own evidence.
	rise *Alarm
}

// NewQueue returns an empty queue estimator.
func NewQueue(p Params) *Queue { return &Queue{p: p.WithDefaults(), series: map[string]*Estimator{}} }

// Params returns the parameters in force.
func (q *Queue) Params() Params { return q.p }

// SetParams changes the parameters: a change (the queue's spec was edited)
// starts over, which only costs a warm-up.
func (q *Queue) SetParams(p Params) {
	if p = p.WithDefaults(); p != q.p {
		q.p = p
		q.series = map[string]*Estimator{}
		q.rise = nil
	}
}

// Empty reports whether no series was ever observed (the queue needs a
// warm-up read of its history).
func (q *Queue) Empty() bool { return len(q.series) == 0 }

// Observe feeds one series' samples, then tests the queue's joint
// evidence.
func (q *Queue) Observe(series string, samples []Sample) {
	e, ok := q.series[series]
	if !ok {
		e = New(q.p)
		q.series[series] = e
	}
	before := e.Estimate()
	e.Observe(samples)
	after := e.Estimate()
	if c := after.LastChange; c != before.LastChange && c != nil && c.Up() {
		q.accepted(*c)
	}
	if after.Newest.After(before.Newest) {
		q.testYoung()
	}
	q.follow()
}

// accepted records a rise accepted on the queue's evidence.
func (q *Queue) accepted(a Alarm) {
	if q.rise == nil || a.Since.After(q.rise.Since) {
		q.rise = &a
	}
}

// testYoung runs the two-sample test on the young series together (each
// also runs it alone): with one factor for all, two replicas of a new
// queue weigh as one series of their sum. It looks each time a series
// brings new data; only rises are tested jointly, and the test is one
// more detector on the queue's budget, as a series is.
func (q *Queue) testYoung() {
	var parts [][]Increment
	var looks float64 // tests per second
	newest := q.newest()
	for _, e := range q.series {
		est := e.Estimate()
		// A series that stopped (a replaced exporter) adds splits but no
		// evidence: only current ones take part.
		current := est.Scrape > 0 && newest.Sub(est.Newest).Seconds() <= gapFactor*est.Scrape.Seconds()
		if incs := e.youngIncrements(); len(incs) > 0 && current {
			parts = append(parts, incs)
			looks += 1 / est.Scrape.Seconds()
		}
	}
	if len(parts) < 2 {
		return
	}
	if a := youngAlarm(parts, 1/looks, q.p.FalseAlarmEvery, false); a != nil {
		q.accepted(*a)
	}
}

// follow re-levels at the queue's newest rise the series that take it on.
func (q *Queue) follow() {
	if q.rise == nil {
		return
	}
	for _, e := range q.series {
		if e.follows(*q.rise) {
			e.relevel(*q.rise)
		}
	}
}

// newest is the newest sample of any series.
func (q *Queue) newest() time.Time {
	var newest time.Time
	for _, e := range q.series {
		if n := e.Estimate().Newest; n.After(newest) {
			newest = n
		}
	}
	return newest
}

// Prune drops series that went away. A series that stopped while another
// of the queue's goes on (an exporter replaced under a new name) is gone
// once it lags the newest sample by the coverage span: its last level must
// not add to the new series' for long. Series all silent together (an
// outage, the exporter gone) are kept for a horizon, so the reading says
// stale rather than empty.
func (q *Queue) Prune(now time.Time) {
	newest := q.newest()
	for k, e := range q.series {
		n := e.Estimate().Newest
		if n.IsZero() {
			continue
		}
		if newest.Sub(n) > q.p.Coverage || now.Sub(n) > q.p.Horizon {
			delete(q.series, k)
		}
	}
}

// Estimate adds the series' estimates: rates and bounds add; the queue is
// complete only when every series is; the newest change wins.
func (q *Queue) Estimate() Estimate {
	var out Estimate
	complete := len(q.series) > 0
	for _, e := range q.series {
		est := e.Estimate()
		out.Gaps += est.Gaps
		if est.Newest.After(out.Newest) {
			out.Newest = est.Newest
		}
		if est.CoveredSince.After(out.CoveredSince) {
			out.CoveredSince = est.CoveredSince
		}
		out.Scrape = max(out.Scrape, est.Scrape)
		if !est.Known {
			complete = false
			continue
		}
		out.Known = true
		out.Rate += est.Rate
		out.Upper += est.Upper
		out.UpperForFall += est.UpperForFall
		complete = complete && est.Complete
		if est.LevelSince.After(out.LevelSince) {
			out.LevelSince = est.LevelSince
		}
		if c := est.LastChange; c != nil && (out.LastChange == nil || c.Since.After(out.LastChange.Since)) {
			out.LastChange = c
		}
	}
	out.Complete = complete && out.Known
	return out
}

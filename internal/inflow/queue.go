package inflow

import "time"

// Queue follows every series of one queue's counter (several exporters,
// or one that was relabelled) and adds their estimates.
type Queue struct {
	p      Params
	series map[string]*Estimator
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
	}
}

// Empty reports whether no series was ever observed (the queue needs a
// warm-up read of its history).
func (q *Queue) Empty() bool { return len(q.series) == 0 }

// Observe feeds one series' samples.
func (q *Queue) Observe(series string, samples []Sample) {
	e, ok := q.series[series]
	if !ok {
		e = New(q.p)
		q.series[series] = e
	}
	e.Observe(samples)
}

// Prune drops series that went away. A series that stopped while another
// of the queue's goes on (an exporter replaced under a new name) is gone
// once it lags the newest sample by the coverage span: its last level must
// not add to the new series' for long. Series all silent together (an
// outage, the exporter gone) are kept for a horizon, so the reading says
// stale rather than empty.
func (q *Queue) Prune(now time.Time) {
	var newest time.Time
	for _, e := range q.series {
		if n := e.Estimate().Newest; n.After(newest) {
			newest = n
		}
	}
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

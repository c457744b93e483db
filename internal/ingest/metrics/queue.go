package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/frontline-dev/frontline/internal/ingest/routing"
)

// Queue is the ticket series of one (namespace, queue), resolved once so
// the request path does no label lookups.
type Queue struct {
	Target  routing.Target
	created prometheus.Counter
	handle  prometheus.Observer
	backlog *backlogValue
}

// Created counts a new ticket and raises the backlog.
func (q *Queue) Created() {
	q.created.Inc()
	q.backlog.add(1)
}

// Solved lowers the backlog.
func (q *Queue) Solved() { q.backlog.add(-1) }

// ObserveHandle records one handle time.
func (q *Queue) ObserveHandle(d time.Duration) { q.handle.Observe(d.Seconds()) }

// SetBacklog replaces the backlog (a correction from the helpdesk's count).
func (q *Queue) SetBacklog(open int64) { q.backlog.set(open) }

// Backlog is the current gauge value.
func (q *Queue) Backlog() int64 { return q.backlog.v.Load() }

// Source is the per-source request series.
type Source struct {
	outcomes    [numOutcomes]prometheus.Counter
	duration    prometheus.Observer
	unrouted    prometheus.Counter
	noCreatedAt prometheus.Counter
	negative    prometheus.Counter
}

// Done counts a finished request and its latency.
func (s *Source) Done(o Outcome, elapsed time.Duration) {
	s.outcomes[o].Inc()
	s.duration.Observe(elapsed.Seconds())
}

// Unrouted counts an event no rule matched.
func (s *Source) Unrouted() { s.unrouted.Inc() }

// HandleSkipped counts a handle time that could not be measured: the
// vendor did not send the creation time, or it came after the solve.
func (s *Source) HandleSkipped(noCreatedAt bool) {
	if noCreatedAt {
		s.noCreatedAt.Inc()
		return
	}
	s.negative.Inc()
}

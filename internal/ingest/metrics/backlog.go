package metrics

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/frontline-dev/frontline/internal/ingest/routing"
)

// backlogCollector exports frontline_queue_backlog from atomics at scrape
// time, so concurrent created/solved updates never race a Set.
type backlogCollector struct {
	desc  *prometheus.Desc
	floor bool

	mu     sync.Mutex
	values []*backlogValue
}

type backlogValue struct {
	labels []string
	floor  bool
	v      atomic.Int64
}

func newBacklogCollector(floorAtZero bool) *backlogCollector {
	return &backlogCollector{
		desc: prometheus.NewDesc(QueueBacklog,
			"Open tickets (created − solved seen by this replica; the sum over replicas is the queue's backlog), replaced by the helpdesk's count when a correction runs.",
			[]string{"namespace", "queue"}, nil),
		floor: floorAtZero,
	}
}

func (c *backlogCollector) add(t routing.Target) *backlogValue {
	v := &backlogValue{labels: []string{t.Namespace, t.Queue}, floor: c.floor}
	c.mu.Lock()
	c.values = append(c.values, v)
	c.mu.Unlock()
	return v
}

func (c *backlogCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	values := c.values
	c.mu.Unlock()
	for _, v := range values {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(v.v.Load()), v.labels...)
	}
}

// add moves the gauge; with the floor, a solve at zero (a ticket created
// before this replica started) leaves it at zero instead of below.
func (b *backlogValue) add(d int64) {
	if !b.floor || d >= 0 {
		b.v.Add(d)
		return
	}
	for {
		old := b.v.Load()
		next := max(old+d, 0)
		if b.v.CompareAndSwap(old, next) {
			return
		}
	}
}

func (b *backlogValue) set(v int64) {
	if b.floor && v < 0 {
		v = 0
	}
	b.v.Store(v)
}

// OpenTicketCounter is the correction hook: the helpdesk's own count of
// open tickets for a queue, from its search API. The built-in counters are
// in package opentickets; tests and embedders may bring their own.
type OpenTicketCounter interface {
	// OpenTickets returns the queue's unsolved tickets, or an error wrapping
	// ErrNotCorrected for a queue the counter does not cover (reported once
	// when the counter was built, so a round skips it silently).
	OpenTickets(ctx context.Context, target routing.Target) (int64, error)
}

// ErrNotCorrected marks a queue the counter does not cover.
var ErrNotCorrected = errors.New("queue not covered by an open-ticket count")

// Correct asks the counter once per queue, one queue after the other, and
// replaces each gauge it answers for; a failed queue keeps its
// event-derived value.
func (m *Metrics) Correct(ctx context.Context, counter OpenTicketCounter, log *slog.Logger) {
	m.mu.Lock()
	queues := make([]*Queue, 0, len(m.queues))
	for _, q := range m.queues {
		queues = append(queues, q)
	}
	m.mu.Unlock()
	for _, q := range queues {
		if ctx.Err() != nil {
			return
		}
		open, err := counter.OpenTickets(ctx, q.Target)
		if errors.Is(err, ErrNotCorrected) {
			continue
		}
		if err != nil {
			m.corrections.WithLabelValues("failed").Inc()
			log.Warn("backlog correction failed; keeping the event-derived value", "queue", q.Target.String(), "err", err)
			continue
		}
		q.SetBacklog(open)
		m.corrections.WithLabelValues("applied").Inc()
	}
}

// RunCorrections corrects every interval until ctx ends.
func (m *Metrics) RunCorrections(ctx context.Context, counter OpenTicketCounter, interval time.Duration, log *slog.Logger) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		m.Correct(ctx, counter, log)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Uncorrected marks a queue whose backlog no correction replaces although
// corrections run, with a short reason (the log has the long one).
func (m *Metrics) Uncorrected(t routing.Target, reason string) {
	m.uncorrected.WithLabelValues(t.Namespace, t.Queue, reason).Set(1)
}

// OpenTicketRequest counts one request to a helpdesk's count API by result:
// ok, error, rate_limited (answered 429) or backing_off (not sent: the
// helpdesk's Retry-After had not passed).
func (m *Metrics) OpenTicketRequest(source, result string) {
	m.openTicketRequests.WithLabelValues(source, result).Inc()
}

// Package metrics owns frontline-ingest's dedicated Prometheus registry:
// the ticket series the operator reads (fixed names and labels) and the
// service's own frontline_ingest_* series.
//
// Every series of a configured queue exists from the start (at zero), so
// rate() and the operator's sums see the queue before its first ticket.
package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/frontline-dev/frontline/internal/ingest/routing"
)

// The ticket series; users' dashboards and the operator rely on the names.
const (
	TicketsCreatedTotal = "frontline_tickets_created_total"
	QueueBacklog        = "frontline_queue_backlog"
	HandleSeconds       = "frontline_ticket_handle_seconds" // exposed as _sum and _count
)

// Metrics holds every series. Safe for concurrent use.
type Metrics struct {
	// Registry is served on /metrics; nothing is registered globally.
	Registry *prometheus.Registry

	created       *prometheus.CounterVec
	handle        *prometheus.SummaryVec
	backlog       *backlogCollector
	requests      *prometheus.CounterVec
	unrouted      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	handleSkipped *prometheus.CounterVec
	secretReloads *prometheus.CounterVec
	corrections   *prometheus.CounterVec
	uncorrected   *prometheus.GaugeVec

	openTicketRequests *prometheus.CounterVec

	mu     sync.Mutex
	queues map[routing.Target]*Queue
}

// New registers every series on a fresh registry. floorAtZero keeps each
// backlog gauge at zero or above (single-replica backlog mode).
func New(floorAtZero bool) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		created: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: TicketsCreatedTotal,
			Help: "Tickets or conversations created, as reported by helpdesk webhooks to this replica.",
		}, []string{"namespace", "queue"}),
		// A summary without objectives exposes exactly _sum and _count.
		handle: prometheus.NewSummaryVec(prometheus.SummaryOpts{
			Name: HandleSeconds,
			Help: "Ticket handle time in seconds: created to solved (or to first reply, per source).",
		}, []string{"namespace", "queue"}),
		backlog: newBacklogCollector(floorAtZero),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontline_ingest_requests_total",
			Help: "Webhook requests by source, vendor and outcome.",
		}, []string{"source", "vendor", "outcome"}),
		unrouted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontline_ingest_unrouted_total",
			Help: "Authentic ticket events that matched no routing rule.",
		}, []string{"vendor"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "frontline_ingest_request_duration_seconds",
			Help:    "Time from request start to response, by vendor.",
			Buckets: prometheus.ExponentialBuckets(0.00005, 2.5, 10), // 50µs … 190ms
		}, []string{"vendor"}),
		handleSkipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontline_ingest_handle_time_skipped_total",
			Help: "Solve or first-reply events whose handle time could not be measured, by reason.",
		}, []string{"vendor", "reason"}),
		secretReloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontline_ingest_secret_reloads_total",
			Help: "Secret file re-reads that changed a source's secrets (changed) or failed and kept the old ones (failed).",
		}, []string{"source", "result"}),
		corrections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontline_ingest_backlog_corrections_total",
			Help: "Backlog corrections from the helpdesk's open-ticket count, by result.",
		}, []string{"result"}),
		uncorrected: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "frontline_ingest_backlog_uncorrected",
			Help: "1 for each queue whose backlog no open-ticket count corrects although corrections run, by reason (no_counter, not_expressible, unreachable); the start-up log says why.",
		}, []string{"namespace", "queue", "reason"}),
		openTicketRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontline_ingest_open_ticket_requests_total",
			Help: "Requests to a helpdesk's open-ticket count API by source and result (ok, error, rate_limited, backing_off).",
		}, []string{"source", "result"}),
		queues: map[routing.Target]*Queue{},
	}
	m.Registry.MustRegister(m.created, m.handle, m.backlog, m.requests, m.unrouted, m.duration,
		m.handleSkipped, m.secretReloads, m.corrections, m.uncorrected, m.openTicketRequests,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Queue returns the series of one queue, creating them at zero.
func (m *Metrics) Queue(t routing.Target) *Queue {
	m.mu.Lock()
	defer m.mu.Unlock()
	if q, ok := m.queues[t]; ok {
		return q
	}
	q := &Queue{
		Target:  t,
		created: m.created.WithLabelValues(t.Namespace, t.Queue),
		handle:  m.handle.WithLabelValues(t.Namespace, t.Queue),
		backlog: m.backlog.add(t),
	}
	m.queues[t] = q
	return q
}

// Source returns the per-source series, created at zero for every outcome.
func (m *Metrics) Source(name, vendor string) *Source {
	s := &Source{
		duration:    m.duration.WithLabelValues(vendor),
		unrouted:    m.unrouted.WithLabelValues(vendor),
		noCreatedAt: m.handleSkipped.WithLabelValues(vendor, "no_created_at"),
		negative:    m.handleSkipped.WithLabelValues(vendor, "negative"),
	}
	for o := Outcome(0); o < numOutcomes; o++ {
		s.outcomes[o] = m.requests.WithLabelValues(name, vendor, o.String())
	}
	return s
}

// UnknownSource counts requests to a source name nobody configured, under
// one fixed series so random paths cannot create series.
func (m *Metrics) UnknownSource() {
	m.requests.WithLabelValues("", "", OutcomeUnknownSource.String()).Inc()
}

// SecretReload counts a changed or failed re-read of a source's secret.
func (m *Metrics) SecretReload(source string, failed bool) {
	result := "changed"
	if failed {
		result = "failed"
	}
	m.secretReloads.WithLabelValues(source, result).Inc()
}

// RegisterDedup exposes the de-duplication window's size and evictions.
func (m *Metrics) RegisterDedup(entries func() int, evictions func() uint64) {
	m.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "frontline_ingest_dedup_entries",
			Help: "Delivery keys held in the de-duplication window.",
		}, func() float64 { return float64(entries()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "frontline_ingest_dedup_evictions_total",
			Help: "Keys dropped before their window ended because the window was full (a retry after that would count twice).",
		}, func() float64 { return float64(evictions()) }),
	)
}

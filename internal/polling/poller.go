// Package polling reads every queue's metrics from its Prometheus on the
// queue's interval and keeps the latest reading of each: the poller (a
// leader-only runnable) writes the store, the SupportQueue reconciler reads
// it. Queues of one namespace on the same source and interval are read
// together, one grouped query per metric, so the queries per poll do not
// grow with the queues, and one namespace's series or slow answers hold up
// no other namespace's readings.
package polling

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/metrics"
	"github.com/frontline-dev/frontline/internal/scaling"
	"github.com/frontline-dev/frontline/internal/sources"
	"github.com/frontline-dev/frontline/internal/tenancy"
)

// Reading is the latest poll result for one queue, with the count of
// consecutive failed polls.
type Reading struct {
	metrics.Reading
	Failures int32
	// Seq increases with every poll of the queue.
	Seq uint64
}

// Store holds the latest reading of every queue, shared by the
// poller (writer) and the SupportQueue reconciler (reader).
type Store struct {
	mu sync.RWMutex
	m  map[metrics.QueueKey]Reading
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{m: map[metrics.QueueKey]Reading{}} }

// Get returns the queue's latest reading, if it was polled since start.
func (s *Store) Get(k metrics.QueueKey) (Reading, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.m[k]
	return r, ok
}

func (s *Store) put(k metrics.QueueKey, r metrics.Reading) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.m[k]
	next := Reading{Reading: r, Seq: prev.Seq + 1}
	if !r.Usable() {
		next.Failures = prev.Failures + 1
	}
	s.m[k] = next
}

func (s *Store) forget(keep map[metrics.QueueKey]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.m {
		if !keep[k] {
			delete(s.m, k)
		}
	}
}

// pollGroup is the queues polled together: same namespace, same source,
// same interval.
type pollGroup struct {
	// namespace: a tenant who exports a flood of series, or whose answers
	// are slow, holds up only its own namespace's polls.
	namespace string
	source    supportv1alpha1.PrometheusSource // as sources.Ref normalises it
	interval  time.Duration
	// owner is the one queue of a group of its own: a queue with query
	// overrides is polled alone, so a slow or failing query a tenant wrote
	// holds up only its own queue, never the grouped default queries of
	// the others on its source.
	owner metrics.QueueKey
}

// groupOf is the poll group a queue is read in.
func groupOf(q *supportv1alpha1.SupportQueue) pollGroup {
	g := pollGroup{namespace: q.Namespace, source: sources.Ref(q.Spec.Metrics.Prometheus), interval: scaling.PollInterval(q)}
	if metrics.RequestFor(q).Overrides != (metrics.Overrides{}) {
		g.owner = KeyOf(q)
	}
	return g
}

// Poller reads every queue's metrics on its poll interval, one grouped query
// per metric per namespace and source for the queues on default queries (a
// queue with overrides is polled alone), stores the readings and wakes the
// queues' reconcilers. It runs on the leader only.
type Poller struct {
	Client client.Reader
	// Sources resolves a queue's prometheus to a client, or refuses it.
	Sources *sources.Registry
	Store   *Store
	Events  chan<- event.GenericEvent
	Clock   clock.WithTicker
	Log     logr.Logger
	// Tick is how often due groups are checked: the jitter a poll adds to
	// the reaction. Defaults to 250ms.
	Tick time.Duration

	groups map[pollGroup]*groupState
	wg     sync.WaitGroup
}

// groupState is one poll group's: its estimators and last poll, and
// whether a poll of it is in flight. Groups poll concurrently, so a
// Prometheus that does not answer holds up only its own queues; a group
// is never polled twice at once, so its estimators have one writer.
type groupState struct {
	mu         sync.Mutex
	busy       bool
	lastPoll   time.Time
	estimators *metrics.Estimators
}

// NeedLeaderElection: only the leader polls and wakes reconcilers.
func (p *Poller) NeedLeaderElection() bool { return true }

// Start polls until ctx ends.
func (p *Poller) Start(ctx context.Context) error {
	if p.Tick == 0 {
		p.Tick = 250 * time.Millisecond
	}
	p.groups = map[pollGroup]*groupState{}
	ticker := p.Clock.NewTicker(p.Tick)
	defer ticker.Stop()
	defer p.wg.Wait()
	for {
		if err := p.pollDue(ctx); err != nil {
			p.Log.Error(err, "polling metrics")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C():
		}
	}
}

func (p *Poller) pollDue(ctx context.Context) error {
	// The cache's own objects, not copies: the poller only reads them, and
	// copying every queue four times a second was a seventh of all the
	// operator allocated at 2,000 queues.
	var list supportv1alpha1.SupportQueueList
	if err := p.Client.List(ctx, &list, client.UnsafeDisableDeepCopy); err != nil {
		return fmt.Errorf("listing queues: %w", err)
	}
	now := p.Clock.Now()
	groups := map[pollGroup][]*supportv1alpha1.SupportQueue{}
	keep := map[metrics.QueueKey]bool{}
	for i := range list.Items {
		q := &list.Items[i]
		if q.DecodeError() != nil {
			continue // stalled by its reconciler; nothing to read for it
		}
		g := groupOf(q)
		groups[g] = append(groups[g], q)
		keep[KeyOf(q)] = true
	}
	p.Store.forget(keep)
	for g, st := range p.groups {
		if _, ok := groups[g]; !ok && st.tryLock() {
			delete(p.groups, g) // no queue left; estimators live as long as their group
		}
	}
	for g, queues := range groups {
		st, ok := p.groups[g]
		if !ok {
			// Estimators live as long as the leader's poller: a new
			// leader warms up from Prometheus's history.
			st = &groupState{estimators: metrics.NewEstimators()}
			p.groups[g] = st
		}
		if !st.tryLock() {
			continue // the last poll is still waiting for its Prometheus
		}
		st.estimators.Forget(keep)
		batch := queues
		if !st.lastPoll.IsZero() && !p.due(g, st, queues, now) {
			// A queue never read is read now, alone, rather than after up
			// to a whole interval: a new queue is sized within a tick.
			if batch = p.unread(queues); len(batch) == 0 {
				st.unlock()
				continue
			}
		} else {
			st.lastPoll = now
		}
		p.wg.Go(func() {
			defer st.unlock()
			p.poll(ctx, g, st.estimators, batch, now)
		})
	}
	return nil
}

// tryLock claims the group for one poll; false while one is in flight.
func (s *groupState) tryLock() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.busy {
		return false
	}
	s.busy = true
	return true
}

func (s *groupState) unlock() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy = false
}

// scrapeLag is how long after a sample's timestamp a poll reads it: the
// scrape's own duration and Prometheus's append. A scrape that lands later
// costs a tick, not an interval: due() polls again while it is late, for
// up to half an interval.
const scrapeLag = 500 * time.Millisecond

// due reports whether a group's next poll is due: an interval after the
// last one, moved to just after the counters' next scrape lands, so a poll
// reads a scrape that is a second old rather than up to an interval old
// (at most one poll per scrape when scrapes are slower than polls). Half a
// tick of slack keeps polls on time: a tick landing a hair early would
// otherwise push a poll a whole tick late.
func (p *Poller) due(g pollGroup, st *groupState, queues []*supportv1alpha1.SupportQueue, now time.Time) bool {
	keys := make([]metrics.QueueKey, len(queues))
	for i, q := range queues {
		keys[i] = KeyOf(q)
	}
	last := st.lastPoll
	if late, ok := st.estimators.Late(keys, last.Add(-scrapeLag)); ok && now.Sub(late) < g.interval/2 && now.Sub(last) >= p.Tick/2 {
		return true
	}
	if next, ok := st.estimators.NextScrape(keys, last.Add(-scrapeLag), g.interval); ok {
		return !now.Add(p.Tick / 2).Before(next.Add(scrapeLag))
	}
	return now.Sub(last) >= g.interval-p.Tick/2
}

func (p *Poller) unread(queues []*supportv1alpha1.SupportQueue) []*supportv1alpha1.SupportQueue {
	var out []*supportv1alpha1.SupportQueue
	for _, q := range queues {
		if _, ok := p.Store.Get(KeyOf(q)); !ok {
			out = append(out, q)
		}
	}
	return out
}

// poll reads one group's queues. It runs on its own goroutine, bounded by
// the timeout: the poll interval, at most 10 s. A source that is refused
// (not defined, address not allowed) or has no client gives every queue
// an unusable reading that says why, once an interval: they hold.
func (p *Poller) poll(ctx context.Context, g pollGroup, est *metrics.Estimators, queues []*supportv1alpha1.SupportQueue, now time.Time) {
	reqs := make([]metrics.Request, 0, len(queues))
	for _, q := range queues {
		reqs = append(reqs, metrics.RequestFor(q))
	}
	api, src, err := p.Sources.API(&g.source)
	var readings map[metrics.QueueKey]metrics.Reading
	if err != nil {
		readings = map[metrics.QueueKey]metrics.Reading{}
		for _, r := range reqs {
			readings[r.Key] = metrics.Reading{Reason: sourceFailureReason(err), Message: err.Error()}
		}
	} else {
		var refused map[metrics.QueueKey]metrics.Reading
		if src.Tenancy == sources.TenancyTenant {
			reqs, refused = confineOverrides(reqs)
		}
		timeout := min(g.interval, 10*time.Second)
		qctx, cancel := context.WithTimeout(ctx, timeout)
		queries := len(metrics.Plan(reqs)) + len(est.CounterQueries(reqs))
		readings = metrics.Read(qctx, api, now, reqs, est)
		cancel()
		maps.Copy(readings, refused)
		prometheusQueries.WithLabelValues(src.Label()).Add(float64(queries))
	}
	for _, q := range queues {
		k := KeyOf(q)
		r, ok := readings[k]
		if !ok {
			continue // its history is read first; unread, it is polled again a tick later
		}
		if !r.Usable() {
			metricSourceErrors.WithLabelValues(q.Namespace, q.Name, r.Reason).Inc()
		}
		p.Store.put(k, r)
		select {
		case p.Events <- event.GenericEvent{Object: q}:
		case <-ctx.Done():
			return
		}
	}
}

// confineOverrides restricts each queue's query overrides to its own
// namespace (tenancy.Confine): on a tenant-scoped source a queue reads its
// own series only. A queue whose override cannot be confined (it names
// another namespace, or is not PromQL) is not read: its reading says why.
func confineOverrides(reqs []metrics.Request) ([]metrics.Request, map[metrics.QueueKey]metrics.Reading) {
	out := reqs[:0:0]
	refused := map[metrics.QueueKey]metrics.Reading{}
	for _, r := range reqs {
		o := &r.Overrides
		var err error
		for _, q := range []*string{&o.Inflow, &o.Backlog, &o.HandleTime, &o.ServiceLevel, &o.Resolution, &o.AnswerRate} {
			if *q == "" || err != nil {
				continue
			}
			*q, err = tenancy.Confine(*q, r.Key.Namespace)
		}
		if err != nil {
			refused[r.Key] = metrics.Reading{Reason: supportv1alpha1.ReasonMetricsQueryFailed, Message: "query override: " + err.Error()}
			continue
		}
		out = append(out, r)
	}
	return out, refused
}

// sourceFailureReason is the MetricsAvailable reason when a source has no
// client: its refusal's (SourceNotFound, SourceNotAllowed), else the
// client's.
func sourceFailureReason(err error) string {
	var refused *sources.Refusal
	if errors.As(err, &refused) {
		return refused.Reason
	}
	return metrics.FailureReason(err)
}

// KeyOf is the key a queue is read and stored by.
func KeyOf(q *supportv1alpha1.SupportQueue) metrics.QueueKey {
	return metrics.QueueKey{Namespace: q.Namespace, Name: q.Name}
}

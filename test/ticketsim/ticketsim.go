// Package ticketsim exports the Frontline ticket metrics for a set of
// queues, with inflow, backlog and handle time set at run time, so a real
// Prometheus can scrape realistic traffic in tests and demos. Tickets
// arrive as a Poisson process (seeded), counted as they come, unless a
// queue asks for a smooth counter. A queue can instead hand each ticket to
// a simulated helpdesk (Queue.Via), which sends it on as the helpdesk's
// webhooks; frontline-ingest then exports the queue's series.
package ticketsim

import (
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/frontline-dev/frontline/internal/metrics"
)

// Queue is one simulated queue's traffic.
type Queue struct {
	InflowPerHour     float64
	Backlog           float64
	HandleTimeSeconds float64 // 0: export no handle time
	// Smooth adds rate × elapsed time every tick instead of counting
	// Poisson arrivals: a counter with no noise at all, for tests that
	// compare exact values.
	Smooth bool
	// Via, when set, receives each Poisson arrival at its time instead of
	// the counter, with the handle time: the simulator exports no series
	// for the queue (Backlog and Smooth do not apply), whoever Via
	// delivers to does.
	Via Tickets
}

// Tickets takes a queue's tickets elsewhere, e.g. a simulated helpdesk
// (package helpdesksim) sending them to frontline-ingest as webhooks.
type Tickets interface {
	// Ticket is one ticket created at the given time (at most one tick
	// ahead of now, so it can be sent on at that time) and handled for
	// handle (0: none given).
	Ticket(namespace, queue string, created time.Time, handle time.Duration)
}

// series is one exported series of a queue: a queue exported by several
// replicas has one per replica, told apart by their pod label ("" for the
// one series of a queue with no replicas, which Prometheus stores without
// the label).
type series struct {
	metrics.QueueKey
	pod string
}

// flow is a queue's traffic now: a step in force, or a ramp under way.
type flow struct {
	Queue
	from       float64 // ramp start rate, per hour
	rampStart  time.Time
	rampLength time.Duration
	next       time.Time // next Poisson arrival
	// drawn is how far ahead arrivals were handed to Via already.
	drawn time.Time
}

// rate is the inflow per hour at now.
func (f *flow) rate(now time.Time) float64 {
	if f.rampLength <= 0 || now.Sub(f.rampStart) >= f.rampLength {
		return f.InflowPerHour
	}
	x := max(float64(now.Sub(f.rampStart))/float64(f.rampLength), 0)
	return max(f.from+x*(f.InflowPerHour-f.from), 0)
}

// Sim is a running exporter.
type Sim struct {
	mu     sync.Mutex
	queues map[series]*flow
	rng    *rand.Rand
	tick   time.Duration

	created, handleSum, handleCount *prometheus.CounterVec
	backlog                         *prometheus.GaugeVec
	// Extra gauges tests may set, e.g. a volatility signal.
	Gauges *prometheus.GaugeVec
	// Price is exchange_price{pair}, for volatility triggers.
	Price *prometheus.GaugeVec
	// Mux serves /metrics; commands add their own handlers.
	Mux *http.ServeMux

	srv  *http.Server
	ln   net.Listener
	stop chan struct{}
	done chan struct{}
}

// Start serves /metrics on a free loopback port and counts each queue's
// tickets every tick.
func Start(tick time.Duration) (*Sim, error) { return StartOn("127.0.0.1:0", tick, 1) }

// StartOn is Start on a given address, with the arrivals' seed.
func StartOn(addr string, tick time.Duration, seed uint64) (*Sim, error) {
	reg := prometheus.NewRegistry()
	labels := []string{"namespace", "queue", "pod"}
	s := &Sim{
		queues:      map[series]*flow{},
		rng:         rand.New(rand.NewPCG(seed, 0x71c)),
		tick:        tick,
		created:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: metrics.TicketsCreatedTotal, Help: "Tickets created."}, labels),
		handleSum:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: metrics.HandleSecondsSum, Help: "Handle time sum."}, labels),
		handleCount: prometheus.NewCounterVec(prometheus.CounterOpts{Name: metrics.HandleSecondsCount, Help: "Handled tickets."}, labels),
		backlog:     prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: metrics.QueueBacklog, Help: "Tickets waiting."}, labels),
		Gauges:      prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "frontline_sim_signal", Help: "Test signals."}, []string{"namespace", "queue", "signal"}),
		Price:       prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "exchange_price", Help: "Simulated market price."}, []string{"pair"}),
		stop:        make(chan struct{}),
		done:        make(chan struct{}),
	}
	reg.MustRegister(s.created, s.handleSum, s.handleCount, s.backlog, s.Gauges, s.Price)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.Mux = http.NewServeMux()
	s.Mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	s.ln = ln
	s.srv = &http.Server{Handler: s.Mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	go s.run(tick)
	return s, nil
}

// Address is host:port of the exporter.
func (s *Sim) Address() string { return s.ln.Addr().String() }

// Set changes a queue's traffic from now on: a step.
func (s *Sim) Set(ns, name string, q Queue) { s.Ramp(ns, name, q, 0) }

// Ramp moves a queue's inflow linearly from its current rate to q's over
// the given time (0: a step); backlog and handle time change at once.
func (s *Sim) Ramp(ns, name string, q Queue, over time.Duration) { s.RampPod(ns, name, "", q, over) }

// SetPod is Set for the series one replica (pod) of the queue's exporter
// exports: each replica counts its own share, as two replicas behind a
// Service do. A replica set for the first time is a new series, its
// counter from zero: after RemovePod, a restarted replica.
func (s *Sim) SetPod(ns, name, pod string, q Queue) { s.RampPod(ns, name, pod, q, 0) }

// RampPod is Ramp for one replica's series.
func (s *Sim) RampPod(ns, name, pod string, q Queue, over time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	k := series{metrics.QueueKey{Namespace: ns, Name: name}, pod}
	f := &flow{Queue: q, rampStart: now, rampLength: over}
	old, ok := s.queues[k]
	if ok {
		f.from = old.rate(now)
	}
	// Memoryless: the next arrival is drawn afresh at the new rate, after
	// those already handed on.
	from := now
	if ok && old.Via != nil && q.Via != nil && old.drawn.After(now) {
		from = old.drawn
	}
	f.next, f.drawn = s.arrival(from, f.rate(now)), from
	s.queues[k] = f
	if q.Via != nil {
		if ok && old.Via == nil {
			s.deleteSeries(k)
		}
		return
	}
	s.backlog.WithLabelValues(ns, name, pod).Set(q.Backlog)
	s.created.WithLabelValues(ns, name, pod).Add(0)
}

// Remove stops exporting a queue: its series and every replica's.
func (s *Sim) Remove(ns, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.queues {
		if k.QueueKey == (metrics.QueueKey{Namespace: ns, Name: name}) {
			delete(s.queues, k)
			s.deleteSeries(k)
		}
	}
}

// RemovePod stops exporting one replica's series, as a replica that
// stopped: its series ends.
func (s *Sim) RemovePod(ns, name, pod string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := series{metrics.QueueKey{Namespace: ns, Name: name}, pod}
	delete(s.queues, k)
	s.deleteSeries(k)
}

func (s *Sim) deleteSeries(k series) {
	for _, v := range []*prometheus.CounterVec{s.created, s.handleSum, s.handleCount} {
		v.DeleteLabelValues(k.Namespace, k.Name, k.pod)
	}
	s.backlog.DeleteLabelValues(k.Namespace, k.Name, k.pod)
}

// arrival draws the next Poisson arrival after now at perHour.
func (s *Sim) arrival(now time.Time, perHour float64) time.Time {
	if perHour <= 0 {
		return now.Add(time.Hour) // redrawn at the next tick
	}
	return now.Add(time.Duration(s.rng.ExpFloat64() / (perHour / 3600) * float64(time.Second)))
}

func (s *Sim) run(tick time.Duration) {
	defer close(s.done)
	t := time.NewTicker(tick)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			// The clock, not the tick's value: a late tick's time can
			// trail the previous one's, and a counter never goes back.
			now := time.Now()
			dt := max(now.Sub(last).Seconds(), 0)
			last = now
			s.mu.Lock()
			for k, f := range s.queues {
				s.count(k, f, now, dt)
			}
			s.mu.Unlock()
		}
	}
}

// count adds the tickets that arrived by now.
func (s *Sim) count(k series, f *flow, now time.Time, dt float64) {
	rate := f.rate(now)
	if f.Via != nil {
		s.handOn(k, f, now, rate)
		return
	}
	n := 0.0
	if f.Smooth {
		n = rate / 3600 * dt
	} else {
		for !f.next.After(now) {
			n++
			f.next = s.arrival(f.next, rate)
		}
		if rate > 0 && f.next.Sub(now) > time.Hour {
			f.next = s.arrival(now, rate)
		}
		if f.rampLength > 0 {
			// The rate moves under a ramp: redraw at the current rate
			// (memoryless, so the process stays Poisson tick by tick).
			f.next = s.arrival(now, rate)
		}
	}
	s.created.WithLabelValues(k.Namespace, k.Name, k.pod).Add(n)
	if f.HandleTimeSeconds > 0 {
		s.handleCount.WithLabelValues(k.Namespace, k.Name, k.pod).Add(n)
		s.handleSum.WithLabelValues(k.Namespace, k.Name, k.pod).Add(n * f.HandleTimeSeconds)
	}
}

// handOn gives Via the arrivals up to one tick ahead, each at its own
// time, as count would count them (the same draws, a tick earlier).
func (s *Sim) handOn(k series, f *flow, now time.Time, rate float64) {
	horizon := now.Add(s.tick)
	handle := time.Duration(f.HandleTimeSeconds * float64(time.Second))
	for !f.next.After(horizon) {
		f.Via.Ticket(k.Namespace, k.Name, f.next, handle)
		f.next = s.arrival(f.next, rate)
	}
	f.drawn = horizon
	if rate > 0 && f.next.Sub(horizon) > time.Hour {
		f.next = s.arrival(horizon, rate)
	}
	if f.rampLength > 0 {
		f.next = s.arrival(horizon, rate)
	}
}

// Close stops the exporter.
func (s *Sim) Close() {
	close(s.stop)
	<-s.done
	_ = s.srv.Close()
}

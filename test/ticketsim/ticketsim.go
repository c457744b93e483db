// Package ticketsim exports the FIXED Frontline ticket metrics for a set of
// queues, with inflow, backlog and handle time set at run time, so a real
// Prometheus can scrape realistic traffic in tests and demos.
package ticketsim

import (
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
}

// Sim is a running exporter.
type Sim struct {
	mu     sync.Mutex
	queues map[metrics.QueueKey]Queue

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

// Start serves /metrics on a free loopback port and advances the counters
// every tick so rate() sees a smooth inflow.
func Start(tick time.Duration) (*Sim, error) { return StartOn("127.0.0.1:0", tick) }

// StartOn is Start on a given address.
func StartOn(addr string, tick time.Duration) (*Sim, error) {
	reg := prometheus.NewRegistry()
	labels := []string{"namespace", "queue"}
	s := &Sim{
		queues:      map[metrics.QueueKey]Queue{},
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

// Set changes a queue's traffic from now on.
func (s *Sim) Set(ns, name string, q Queue) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := metrics.QueueKey{Namespace: ns, Name: name}
	s.queues[k] = q
	s.backlog.WithLabelValues(ns, name).Set(q.Backlog)
	s.created.WithLabelValues(ns, name).Add(0)
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
		case now := <-t.C:
			dt := now.Sub(last).Seconds()
			last = now
			s.mu.Lock()
			for k, q := range s.queues {
				n := q.InflowPerHour / 3600 * dt
				s.created.WithLabelValues(k.Namespace, k.Name).Add(n)
				if q.HandleTimeSeconds > 0 {
					s.handleCount.WithLabelValues(k.Namespace, k.Name).Add(n)
					s.handleSum.WithLabelValues(k.Namespace, k.Name).Add(n * q.HandleTimeSeconds)
				}
			}
			s.mu.Unlock()
		}
	}
}

// Close stops the exporter.
func (s *Sim) Close() {
	close(s.stop)
	<-s.done
	_ = s.srv.Close()
}

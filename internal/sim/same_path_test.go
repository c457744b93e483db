package sim

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/frontline-dev/frontline/internal/metrics"
	"github.com/frontline-dev/frontline/internal/scaling"
)

// TestOperatorAndSimulatorDecideAlike: the simulator's Frontline and the
// operator's read path decide the same agents from the same tickets. At
// every poll of a simulated run, the counter's scrapes so far are served as
// Prometheus answers and read through the operator's own path —
// metrics.RequestFor, metrics.Read (the range and warm-up queries, the
// grouped backlog and handle-time queries, the estimators), Reading.Feed and
// scaling.DecideQueue — beside the simulator's Frontline.Decide. Any
// difference in how either builds the estimator, reads the counter, feeds
// the decision or carries its replicas shows as a differing decision.
func TestOperatorAndSimulatorDecideAlike(t *testing.T) {
	for _, scenario := range []string{"btc-crash", "slow-rise", "calm"} {
		for seed := uint64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("%s/seed-%d", scenario, seed), func(t *testing.T) {
				cfg := sampleConfig(t)
				cfg.Plans = nil // the plans' path is the controllers' own (surge.Step), not compared here
				cfg.Seed = seed
				var err error
				if cfg.Trace, err = BuiltinTrace(scenario, 600, 240, seed); err != nil {
					t.Fatal(err)
				}
				s, err := prepare(cfg)
				if err != nil {
					t.Fatal(err)
				}
				// Prometheus keeps milliseconds: on a whole-second phase the
				// samples both paths see have the same times.
				s.scrapePhase = 0
				tw := &twin{t: t, sim: &Frontline{}}
				s.run(tw)
				changes := 0
				for i := 1; i < len(tw.decided); i++ {
					if tw.decided[i] != tw.decided[i-1] {
						changes++
					}
				}
				t.Logf("%d polls, %d changes of agents, %d differing", len(tw.decided), changes, tw.differing)
				if tw.differing > 0 {
					t.Errorf("the operator's path and the simulator's decided differently at %d of %d polls", tw.differing, len(tw.decided))
				}
				if len(tw.decided) < 100 || (scenario != "calm" && changes < 2) {
					t.Errorf("%d polls and %d changes: too little to compare", len(tw.decided), changes)
				}
			})
		}
	}
}

// twin runs the simulator's Frontline and, at the same polls, the operator's
// read path on the same scrapes.
type twin struct {
	t         *testing.T
	sim       *Frontline
	est       *metrics.Estimators
	agents    scaling.RoleState
	decided   []int32
	differing int
}

func (w *twin) Name() string         { return "twin" }
func (w *twin) Every() time.Duration { return w.sim.Every() }

func (w *twin) ReadyDelay(s *setup) time.Duration {
	w.est = metrics.NewEstimators()
	return w.sim.ReadyDelay(s)
}

func (w *twin) Decide(s *setup, st *state) int32 {
	backlog := st.backlog()
	want := w.sim.Decide(s, st)

	q, now := s.cfg.Queue, s.at(st.now)
	aht := s.cfg.Trace.At(time.Duration(st.now * float64(time.Second))).AHTSeconds
	api := &servedScrapes{s: s, now: st.now, queue: metrics.QueueKey{Namespace: q.Namespace, Name: q.Name}, backlog: backlog, aht: aht}
	req := metrics.RequestFor(q)
	rd := metrics.Read(context.Background(), api, now, []metrics.Request{req}, w.est)[req.Key]
	if api.err != nil {
		w.t.Fatal(api.err)
	}
	in := scaling.QueueInputFor(q, s.shape, &s.target, now)
	rd.Feed(&in)
	in.Agents = w.agents
	d := scaling.DecideQueue(in)
	got := d.Agents.Replicas
	if w.agents.Replicas == nil || *w.agents.Replicas != got {
		w.agents.LastChange = now
	}
	w.agents.Replicas, w.agents.ScaleDown = &got, d.Agents.ScaleDown

	if got != want && w.differing < 5 {
		w.t.Logf("at %s: operator %d agents (reading %+v), simulator %d", time.Duration(st.now*float64(time.Second)), got, rd, want)
	}
	if got != want {
		w.differing++
	}
	w.decided = append(w.decided, want)
	return want
}

// servedScrapes answers the operator's queries as a Prometheus that scraped
// the simulated counter would: the counter's scrapes within a range
// selector's window, the backlog and the handle time now.
type servedScrapes struct {
	s            *setup
	now          float64
	queue        metrics.QueueKey
	backlog, aht float64
	err          error
}

func (p *servedScrapes) Query(_ context.Context, query string, _ time.Time, _ ...v1.Option) (model.Value, v1.Warnings, v1.Infos, error) {
	labels := model.Metric{"namespace": model.LabelValue(p.queue.Namespace), "queue": model.LabelValue(p.queue.Name)}
	switch {
	case strings.HasPrefix(query, metrics.TicketsCreatedTotal) && strings.HasSuffix(query, "]"):
		window, err := model.ParseDuration(query[strings.LastIndex(query, "[")+1 : len(query)-1])
		if err != nil {
			p.err = fmt.Errorf("range selector of %q: %w", query, err)
			return nil, nil, nil, p.err
		}
		stream := &model.SampleStream{Metric: labels.Clone()}
		stream.Metric[model.MetricNameLabel] = metrics.TicketsCreatedTotal
		for _, sm := range p.s.scrapes(p.now-time.Duration(window).Seconds(), p.now) {
			stream.Values = append(stream.Values, model.SamplePair{Timestamp: model.TimeFromUnixNano(sm.T.UnixNano()), Value: model.SampleValue(sm.V)})
		}
		return model.Matrix{stream}, nil, nil, nil
	case query == metrics.BacklogQuery(p.queue.Namespace):
		return model.Vector{{Metric: labels, Value: model.SampleValue(p.backlog)}}, nil, nil, nil
	case query == metrics.HandleTimeQuery(p.queue.Namespace):
		return model.Vector{{Metric: labels, Value: model.SampleValue(p.aht)}}, nil, nil, nil
	}
	p.err = fmt.Errorf("the operator asked %q, which this Prometheus does not serve", query)
	return nil, nil, nil, p.err
}

package sim

import (
	"math"
	"time"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/inflow"
	"github.com/frontline-dev/frontline/internal/metrics"
	"github.com/frontline-dev/frontline/internal/scaling"
	"github.com/frontline-dev/frontline/internal/schedule"
	"github.com/frontline-dev/frontline/internal/surge"
)

// epoch is when simulated time begins unless Config.Start says.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// StartTime is the wall-clock time of the trace's first row.
func (c Config) StartTime() time.Time {
	if c.Start.IsZero() {
		return epoch
	}
	return c.Start
}

// at is the wall-clock time sec seconds into the run, for the state
// machines' clocks and scheduled events.
func (s *setup) at(sec float64) time.Time {
	return s.cfg.StartTime().Add(time.Duration(sec * float64(time.Second)))
}

// Frontline is the operator's own policy: scaling.DecideQueue on each poll,
// with the queue's surge plans run through surge.Step and combined with
// surge.Combine — the code the controllers run, not a copy.
type Frontline struct {
	every     time.Duration
	agents    scaling.RoleState
	plans     []planState
	estimator *inflow.Queue
	lastPoll  float64
}

type planState struct {
	plan     supportv1alpha1.SurgePlan
	state    surge.State
	nextEval float64
	// events is the plan's status.events: its open scheduled events.
	events []supportv1alpha1.ScheduledEventStatus
}

// Policy names (stable: scripts read them from the JSON).
const (
	FrontlineName = "frontline"
	KEDAName      = "keda-hpa"
	PerfectName   = "perfect-foresight"
)

func (f *Frontline) Name() string { return FrontlineName }

func (f *Frontline) Every() time.Duration { return f.every }

func (f *Frontline) poll(s *setup) time.Duration {
	if s == nil {
		return 5 * time.Second
	}
	return scaling.PollInterval(s.cfg.Queue)
}

func (f *Frontline) ReadyDelay(s *setup) time.Duration {
	f.agents = scaling.RoleState{}
	f.plans = nil
	f.every = f.poll(s)
	f.estimator = inflow.NewQueue(scaling.InflowParams(s.cfg.Queue))
	// The first poll reads a horizon of history, as the operator's does.
	f.lastPoll = -f.estimator.Params().Horizon.Seconds()
	for _, p := range s.cfg.Plans {
		if selects(p, s.cfg.Queue) {
			f.plans = append(f.plans, planState{plan: p})
		}
	}
	return s.cfg.PodReadyDelay + s.cfg.AgentReadyDelay
}

func (f *Frontline) Decide(s *setup, st *state) int32 {
	q := s.cfg.Queue
	now := s.at(st.now)
	// The operator's estimator on the scraped counter: sized for its bound.
	f.estimator.Observe("counter", s.scrapes(f.lastPoll, st.now))
	f.lastPoll = st.now
	backlog := st.backlog()
	aht := s.cfg.Trace.At(time.Duration(st.now * float64(time.Second))).AHTSeconds

	var active []supportv1alpha1.SurgePlan
	scheduled := 0.0
	st.surging = false
	for i := range f.plans {
		ps := &f.plans[i]
		if st.now >= ps.nextEval {
			f.evaluate(s, st, ps, now, backlog)
		}
		if ps.state.Phase == surge.Active {
			active = append(active, ps.plan)
			st.surging = true
		}
		scheduled = max(scheduled, schedule.QueueInflowPerHour(ps.events, q.Name, now))
	}
	extra, _, _ := surge.Combine(active)
	extra.ScheduledInflowPerSecond = scheduled / 3600

	in := scaling.QueueInputFor(q, s.shape, &s.target, now)
	rd := metrics.EstimateReading(f.estimator.Estimate())
	rd.Backlog, rd.HandleTime = &backlog, &aht
	rd.Feed(&in)
	in.Agents, in.Surge = f.agents, extra
	d := scaling.DecideQueue(in)
	if f.agents.Replicas == nil || *f.agents.Replicas != d.Agents.Replicas {
		f.agents.LastChange = now
	}
	r := d.Agents.Replicas
	f.agents.Replicas, f.agents.ScaleDown = &r, d.Agents.ScaleDown
	st.added = d.AddedAgents
	return r
}

// evaluate runs one plan evaluation with triggers read from the simulation:
// inflow rates for spikes, the waiting count for backlog, the trace's
// volatility column for external triggers.
func (f *Frontline) evaluate(s *setup, st *state, ps *planState, now time.Time, backlog float64) {
	in, evaluating, _ := surge.InputFor(&ps.plan, now)
	// Known events as the operator opens them; the queue's usual inflow is
	// the estimator's level, as its status.measured says.
	var open []schedule.Window
	if !in.Off() {
		open, _ = schedule.Open(ps.plan.Spec.Schedule, now)
	}
	in.Event = schedule.Running(open, now)
	level := []schedule.QueueLevel{{Queue: s.cfg.Queue.Name}}
	if est := f.estimator.Estimate(); est.Known {
		v := int64(math.Round(est.Rate * 3600))
		level[0].PerHour = &v
	}
	ps.events = schedule.Status(ps.plan.Spec.Schedule, ps.events, open, level, now)
	if evaluating {
		point := s.cfg.Trace.At(time.Duration(st.now * float64(time.Second)))
		for _, spec := range surge.TriggerSpecs(&ps.plan) {
			switch spec.Kind {
			case surge.KindInflowSpike:
				// The counter over the window, against the usual rate before it.
				w := spec.Window.Seconds()
				var series []inflow.SpikeSeries
				before := s.scrapes(st.now-w-spec.Baseline.Seconds(), st.now-w)
				base := surge.SpikeBaseline{Rate: s.rate(st.now-w, spec.Baseline), HasRate: true, Samples: float64(len(before))}
				if len(before) > 0 {
					base.Tickets = before[len(before)-1].V - before[0].V
				}
				if one, ok := spec.SpikeSeries(s.scrapes(st.now-w, st.now), base); ok {
					series = append(series, one)
				}
				in.Triggers = append(in.Triggers, spec.Spike(series))
			case surge.KindBacklog:
				in.Triggers = append(in.Triggers, spec.Reading(backlog, true, true))
			default:
				if point.Volatility == nil {
					in.Triggers = append(in.Triggers, spec.Reading(0, false, true))
				} else {
					in.Triggers = append(in.Triggers, spec.Reading(*point.Volatility, true, true))
				}
			}
		}
	}
	next, tr := surge.Step(ps.state, in)
	if tr != nil && tr.To == surge.Active && tr.From != surge.Active {
		st.surgeStarts = append(st.surgeStarts, st.now)
		if st.activated == nil {
			st.activated = map[string]int{}
		}
		st.activated[ps.plan.Name]++
	}
	ps.state = next
	ps.nextEval = st.now + surge.EvaluationInterval(&ps.plan).Seconds()
}

// Static runs the queue at its minimum, whatever the traffic.
type Static struct{}

func (Static) Name() string                    { return "static-minimum" }
func (Static) Every() time.Duration            { return time.Minute }
func (Static) ReadyDelay(*setup) time.Duration { return 0 }
func (Static) Decide(s *setup, _ *state) int32 { return s.shape.Agents.Min }

// KEDA is a KEDA + HPA threshold policy with their documented defaults:
// KEDA polls the inflow (rate over 1 m) every 30 s; the HPA syncs every
// 15 s, targets a fixed inflow per replica (what one replica handles at the
// policy's max occupancy), ignores changes within 10%, scales up by at most
// max(100%, 4 pods) per sync and down to the highest recommendation of the
// last 300 s.
type KEDA struct {
	metric   float64
	nextPoll float64
	history  []rec
	replicas int32
}

type rec struct {
	at float64
	n  int32
}

func (k *KEDA) Name() string         { return KEDAName }
func (k *KEDA) Every() time.Duration { return 15 * time.Second }
func (k *KEDA) ReadyDelay(s *setup) time.Duration {
	*k = KEDA{}
	return s.cfg.PodReadyDelay + s.cfg.AgentReadyDelay
}

func (k *KEDA) Decide(s *setup, st *state) int32 {
	a := s.shape.Agents
	if k.replicas == 0 {
		k.replicas = a.Min
	}
	if st.now >= k.nextPoll {
		k.metric = s.rate(st.now, time.Minute)
		k.nextPoll = st.now + 30
	}
	ratio := k.metric / (s.replicaThroughput() * float64(max(k.replicas, 1)))
	want := k.replicas
	if math.Abs(ratio-1) > 0.1 {
		want = int32(math.Ceil(float64(max(k.replicas, 1)) * ratio))
	}
	want = scaling.Clamp(want, a.Min, a.Max)
	k.history = append(k.history, rec{st.now, want})
	for len(k.history) > 0 && st.now-k.history[0].at > 300 {
		k.history = k.history[1:]
	}
	if want > k.replicas {
		want = min(want, k.replicas+max(k.replicas, 4))
	} else {
		for _, r := range k.history {
			want = max(want, r.n)
		}
		want = min(want, k.replicas)
	}
	k.replicas = want
	return want
}

// Perfect knows the future: every poll it sizes with the capacity model for
// the highest true inflow of the coming interval, and pods are ready at
// once. It sizes for the target itself, with no headroom. People still
// take --agent-ready-delay to log in, as they do for every policy:
// knowing the future, it calls them that long ahead and pays for the wait.
type Perfect struct{}

func (Perfect) Name() string                      { return PerfectName }
func (Perfect) Every() time.Duration              { return 15 * time.Second }
func (Perfect) ReadyDelay(s *setup) time.Duration { return s.cfg.AgentReadyDelay }

func (Perfect) Decide(s *setup, st *state) int32 { return foresight(s, st, 0) }

// CheapestForesight is perfect foresight with a uniform service-level
// headroom (scaling.Target.Headroom). Run searches for the smallest one that
// meets the SLA in at least max(95 %, Frontline's share) of minutes: the
// cheapest policy that is as good, which Frontline's cost is measured
// against.
type CheapestForesight struct{ Headroom float64 }

// CheapestForesightName is the policy's stable name.
const CheapestForesightName = "cheapest-foresight"

func (CheapestForesight) Name() string                      { return CheapestForesightName }
func (CheapestForesight) Every() time.Duration              { return 15 * time.Second }
func (CheapestForesight) ReadyDelay(s *setup) time.Duration { return s.cfg.AgentReadyDelay }

func (c CheapestForesight) Decide(s *setup, st *state) int32 { return foresight(s, st, c.Headroom) }

// foresight sizes with the controllers' own capacity model for the highest
// true inflow and handle time of the coming 15 s, with the given headroom.
// With a login time it looks that much further: a person called now serves
// from then on, and one already in is kept until no later need wants them.
func foresight(s *setup, st *state, headroom float64) int32 {
	peak := 0.0
	aht := 0.0
	for dt := 0.0; dt <= 15+s.cfg.AgentReadyDelay.Seconds(); dt += 5 {
		p := s.cfg.Trace.At(time.Duration((st.now + dt) * float64(time.Second)))
		peak = math.Max(peak, p.InflowPerHour/3600)
		aht = math.Max(aht, p.AHTSeconds)
	}
	target := s.target
	target.Headroom = headroom
	backlog := st.backlog()
	need, err := scaling.ComputeNeed(s.shape, target, scaling.Measurements{InflowPerSecond: &peak, HandleTimeSeconds: &aht, Backlog: &backlog})
	if err != nil {
		return s.shape.Agents.Min
	}
	a := s.shape.Agents
	return scaling.Clamp(need.Agents, a.Min, a.Max)
}

// AllPolicies is Frontline and the four baselines (cheapest-foresight's
// headroom is searched by Run).
func AllPolicies() []Policy {
	return []Policy{&Frontline{}, &KEDA{}, CheapestForesight{}, Perfect{}, Static{}}
}

// replicaThroughput is the inflow, in contacts per second before the bots'
// containment, that one agent replica handles at the policy's max occupancy.
func (s *setup) replicaThroughput() float64 {
	a := s.shape.Agents
	perSecond := float64(max(a.Concurrency, 1)) / a.DefaultHandleTime.Seconds() * s.target.MaxOccupancy
	if s.shape.Bots != nil {
		perSecond /= 1 - s.shape.Bots.Containment
	}
	return perSecond
}

package sim

import (
	"container/heap"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/inflow"
	"github.com/frontline-dev/frontline/internal/scaling"
)

// Config is one simulation: the resources as the user would apply them, the
// traffic, and the simulation's own knobs.
type Config struct {
	Queue  *supportv1alpha1.SupportQueue
	Policy *supportv1alpha1.SLAPolicy
	// Plans are the SurgePlans in the queue's namespace; those whose
	// selector matches the queue act on it.
	Plans []supportv1alpha1.SurgePlan
	Trace Trace
	Seed  uint64
	// Start is the wall-clock time of the trace's first row, against which
	// plans' scheduled events are placed (zero: 2026-01-01T00:00:00Z).
	Start time.Time
	// PodReadyDelay is how long a new replica takes to serve (default 30 s).
	PodReadyDelay time.Duration
	// AgentReadyDelay is how long a person called in takes to log in and
	// take contacts, on top of the pod's start (0: at once). Known events
	// exist for this: a lead time covers it, a reaction cannot.
	AgentReadyDelay time.Duration
	// Patience, when set, makes waiting customers abandon after an
	// exponential time with this mean.
	Patience time.Duration
	// ScrapeInterval is how often the ticket counter is sampled for
	// Frontline's estimator, as Prometheus would (default 15 s).
	ScrapeInterval time.Duration
	// InflowBeforePerHour is the inflow before the trace begins, which the
	// first polls' history and spike baselines read (0: the trace's first
	// row). A built-in scenario's is its calm inflow: a noisy trace's first
	// row is one jittered draw, and history at that draw would read as a
	// step at the start.
	InflowBeforePerHour float64
}

// Result is one policy's outcome (its JSON keys are stable: scripts read them).
type Result struct {
	// Queue is the SupportQueue simulated (set by the caller).
	Queue             string  `json:"queue,omitempty"`
	Policy            string  `json:"policy"`
	SLMetFraction     float64 `json:"slMetFraction"`
	ReplicaMinutes    float64 `json:"replicaMinutes"`
	ASASecondsP95     float64 `json:"asaSecondsP95"`
	AbandonedFraction float64 `json:"abandonedFraction"`
	SurgeActivations  int     `json:"surgeActivations"`
	// SLIntervalsMetFraction is the WFM convention: the share of 15-minute
	// intervals whose contacts met the target (a last, shorter interval
	// counts as one).
	SLIntervalsMetFraction float64 `json:"slIntervalsMetFraction"`
	// SurgeExtraReplicaMinutes are the agent replica-minutes the surge plans
	// added above what the scaling policy alone would run: insurance,
	// apart from the policy's own cost (included in ReplicaMinutes).
	SurgeExtraReplicaMinutes float64 `json:"surgeExtraReplicaMinutes"`
	// Headroom is the service-level headroom cheapest-foresight settled on.
	Headroom *float64 `json:"headroom,omitempty"`
	// ServiceLevel is the share of all human contacts answered within the
	// target (the whole run, not per minute).
	ServiceLevel float64  `json:"serviceLevel"`
	Timeline     []Sample `json:"-"`
	// SurgeStarts are when plans became Active, from the trace's start.
	SurgeStarts []time.Duration `json:"-"`
	// PlansActivated counts, per SurgePlan name, how often it went Active.
	PlansActivated map[string]int `json:"-"`
	// Unreachable: no headroom made cheapest-foresight meet its floor (the
	// queue's maxReplicas is too low for the trace).
	Unreachable bool `json:"unreachable,omitempty"`
	// EventStartSLMetFraction is, on a run with announced events, the
	// share of minutes meeting the SLA in their first EventStartMinutes.
	EventStartSLMetFraction *float64 `json:"eventStartSLMetFraction,omitempty"`
}

// Sample is the state at the end of one simulated minute, for plots.
type Sample struct {
	Minute        int
	InflowPerHour float64
	Desired       int32
	Ready         int32
	ServiceLevel  float64 // of the minute's arrivals, however late answered; -1 when none
	Surging       bool
}

// customer is one contact; demand is drawn once, so every policy faces the
// very same arrivals, handle times and patience.
type customer struct {
	at, service, patience float64 // seconds
	contained             bool
}

type setup struct {
	cfg      Config
	shape    scaling.Shape
	target   scaling.Target
	targetSL float64
	answerBy float64 // seconds: the SL's answer time
	end      float64
	// cursors count arrivals for rates and the counter (see replay); a
	// setup is used by one goroutine at a time.
	cursors      []*counterCursor
	scrapeCounts scrapeCounts
	// scrapePhase is when, within a scrape interval, the counter is read.
	scrapePhase float64
}

// Policy decides agent replicas at its own ticks.
type Policy interface {
	Name() string
	// Every is the decision interval.
	Every() time.Duration
	// ReadyDelay is how long new replicas take: pods and people logging
	// in, or, for the foresight baselines, people logging in only.
	ReadyDelay(s *setup) time.Duration
	// Decide returns the desired agent replicas at now.
	Decide(s *setup, st *state) int32
}

// Run simulates every policy on the same demand. A CheapestForesight
// policy gets its headroom by search, against the floor of max(95 %, the
// share of minutes Frontline meets), on this run's arrivals and on
// OracleDraws − 1 more draws of them.
func Run(cfg Config, policies []Policy) ([]Result, error) {
	s, err := prepare(cfg)
	if err != nil {
		return nil, err
	}
	out := make([]Result, len(policies))
	for i, p := range policies {
		if _, ok := p.(*Frontline); ok {
			out[i] = s.run(p)
		}
	}
	for i, p := range policies {
		switch p.(type) {
		case *Frontline:
		case CheapestForesight:
			r, err := cheapest(cfg, s, Floor(out))
			if err != nil {
				return nil, err
			}
			out[i] = r
		default:
			out[i] = s.run(p)
		}
	}
	return out, nil
}

// MinimumSLMetFraction is the least share of minutes cheapest-foresight
// must meet, whatever Frontline does.
const MinimumSLMetFraction = 0.95

// OracleDraws is how many draws of the arrivals cheapest-foresight's
// headroom must hold on: the run's own and those of the next seeds. The
// oracle knows the future inflow, not which customer arrives when; a
// margin picked after seeing one draw's arrivals would know the noise
// itself (a 52-minute crash can happen to need none), which no policy,
// and no planner setting a headroom, can.
const OracleDraws = 5

// arrivalDraw is one draw of the arrivals with the floor
// cheapest-foresight must meet on it.
type arrivalDraw struct {
	s     *setup
	floor float64
}

// cheapest searches the smallest headroom whose foresight meets every
// draw's floor, by bisection on −log10(1 − headroom) (the sized miss
// rate's decades): more headroom never serves fewer minutes on the same
// arrivals, and most of the range's cost lies near 1. It reports the run's
// own draw. Unreachable when even the most headroom does not meet the
// run's own floor; another draw that nothing meets does not bind.
func cheapest(cfg Config, own *setup, ownFloor float64) (Result, error) {
	draws := []arrivalDraw{{own, ownFloor}}
	for k := uint64(1); k < OracleDraws; k++ {
		c := cfg
		c.Seed = cfg.Seed + k
		s, err := prepare(c)
		if err != nil {
			return Result{}, err
		}
		draws = append(draws, arrivalDraw{s, Floor([]Result{s.run(&Frontline{})})})
	}
	meets := func(h float64, ds []arrivalDraw) (Result, bool) {
		var first Result
		ok := true
		for i, d := range ds {
			r := d.s.run(CheapestForesight{Headroom: h})
			if i == 0 {
				first = r
			}
			if r.SLMetFraction < d.floor {
				ok = false
				break
			}
		}
		first.Headroom = &h
		return first, ok
	}
	top := scaling.MaxHeadroom
	binding := draws[:0:0]
	for _, d := range draws {
		if r := d.s.run(CheapestForesight{Headroom: top}); r.SLMetFraction >= d.floor {
			binding = append(binding, d)
		}
	}
	if len(binding) == 0 || binding[0].s != own {
		r, _ := meets(top, draws[:1])
		r.Unreachable = true
		return r, nil
	}
	if r, ok := meets(0, binding); ok {
		return r, nil
	}
	lo, hi := 0.0, -math.Log10(1-top)
	for range 12 {
		mid := (lo + hi) / 2
		if _, ok := meets(1-math.Pow(10, -mid), binding); ok {
			hi = mid
		} else {
			lo = mid
		}
	}
	r, _ := meets(1-math.Pow(10, -hi), binding)
	return r, nil
}

// The simulator replays every ticket of a run for each policy and each of
// cheapest-foresight's draws, so a run's time grows with its tickets (its
// memory does not): these bounds keep a run within minutes (an exchange's
// busiest queue sees tens of thousands an hour).
const (
	MaxInflowPerHour = 1_000_000
	MaxTickets       = 5_000_000
)

func prepare(cfg Config) (*setup, error) {
	if cfg.Queue == nil || cfg.Policy == nil {
		return nil, errors.New("a SupportQueue and its SLAPolicy are required")
	}
	if len(cfg.Trace) == 0 {
		return nil, errors.New("the trace is empty")
	}
	for _, p := range cfg.Trace {
		if p.InflowPerHour > MaxInflowPerHour || p.InflowPerHour*cfg.Trace.Length().Hours() > MaxTickets {
			return nil, fmt.Errorf("inflow %.0f/h at %s: the simulator replays every ticket, and takes at most %.0f/h and %.0f tickets per run (%s)",
				p.InflowPerHour, p.At, float64(MaxInflowPerHour), float64(MaxTickets), "a larger desk is sized the same way per queue: split it")
		}
	}
	if cfg.PodReadyDelay == 0 {
		cfg.PodReadyDelay = 30 * time.Second
	}
	if cfg.ScrapeInterval <= 0 {
		cfg.ScrapeInterval = 15 * time.Second
	}
	shape, err := scaling.ShapeOf(cfg.Queue)
	if err != nil {
		return nil, err
	}
	target, err := scaling.TargetOf(cfg.Policy, cfg.Queue.Spec.Channel, cfg.Queue.Spec.Priority)
	if err != nil {
		return nil, err
	}
	s := &setup{cfg: cfg, shape: shape, target: target, targetSL: target.TargetServiceLevel(), end: cfg.Trace.Length().Seconds()}
	s.answerBy = target.AnswerWithin().Seconds()
	s.scrapePhase = rand.New(rand.NewPCG(cfg.Seed, 0x5c)).Float64() * cfg.ScrapeInterval.Seconds()
	return s, nil
}

// rate is arrivals per second over (now-window, now].
func (s *setup) rate(now float64, window time.Duration) float64 {
	w := window.Seconds()
	lo := s.cursorFor(now-w, true).before(now - w)
	hi := s.cursorFor(now, true).before(now)
	return float64(hi-lo) / w
}

// scrapes samples the counter (frontline_tickets_created_total: arrivals
// so far, history included) at the scrape times in (from, to], as the
// range query of a poll at to would return them.
func (s *setup) scrapes(from, to float64) []inflow.Sample {
	every := s.cfg.ScrapeInterval.Seconds()
	var out []inflow.Sample
	k := int(math.Floor((from - s.scrapePhase) / every))
	for t := float64(k)*every + s.scrapePhase; t <= to; t += every {
		if t > from {
			out = append(out, inflow.Sample{T: s.at(t), V: s.scrapeCount(k, t)})
		}
		k++
	}
	return out
}

// state is the simulated queue as policies see it.
type state struct {
	now     float64
	desired int32
	waiting []customer // FIFO from head
	head    int
	surging bool
	// surgeStarts are the seconds at which plans became Active.
	surgeStarts []float64
	// added is how many of the desired agents the surge adds.
	added int32
	// activated counts activations per plan.
	activated map[string]int
}

// backlog is how many customers wait now (those who have not given up).
func (st *state) backlog() float64 {
	n := 0
	for _, c := range st.waiting[st.head:] {
		if st.now-c.at < c.patience {
			n++
		}
	}
	return float64(n)
}

// enqueue adds a customer to the FIFO, reusing the space of those served
// once they are most of it: the queue holds who waits, not who came.
func (st *state) enqueue(c customer) {
	if st.head > 1024 && st.head > len(st.waiting)/2 {
		st.waiting = st.waiting[:copy(st.waiting, st.waiting[st.head:])]
		st.head = 0
	}
	st.waiting = append(st.waiting, c)
}

type floatHeap []float64

func (h floatHeap) Len() int           { return len(h) }
func (h floatHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h floatHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *floatHeap) Push(x any)        { *h = append(*h, x.(float64)) }
func (h *floatHeap) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}

type pending struct {
	at    float64
	count int32
}

// engine is one policy's run over the shared demand.
type engine struct {
	s         *setup
	p         Policy
	st        *state
	k         int
	delay     float64
	every     float64
	ready     int32
	queue     []pending // replicas on their way, by ready time
	busy      *floatHeap
	drain     *floatHeap // conversations of removed replicas: they finish, but take no new ones
	customers *replay    // the trace's customers, in arrival order
	tick      float64    // next policy decision
	lastT     float64
	stats     stats
	tl        []Sample
}

type minute struct{ total, met int }

type stats struct {
	minutes []minute
	// waitMillis counts the answered contacts by their wait in whole
	// milliseconds: its size is bounded by the longest wait, not by the
	// tickets, and the p95 it gives is printed to a tenth of a second.
	waitMillis               map[int64]int
	answeredInTime           int
	answered, abandoned, hum int
	// unanswered still wait at the horizon: they missed the target, but
	// did not abandon.
	unanswered                   int
	replicaSeconds, addedSeconds float64
}

// run is the discrete-event loop: arrivals, service completions, policy
// ticks and replicas becoming ready, in time order.
func (s *setup) run(p Policy) Result {
	e := &engine{s: s, p: p, st: &state{}, k: int(max(s.shape.Agents.Concurrency, 1)),
		busy: &floatHeap{}, drain: &floatHeap{}, customers: s.replay()}
	e.stats.waitMillis = map[int64]int{}
	e.delay = p.ReadyDelay(s).Seconds()
	e.every = p.Every().Seconds()
	e.stats.minutes = make([]minute, int(s.end/60)+1)
	horizon := s.end + 3600 // let the queue drain
	for {
		t := e.nextEvent()
		if math.IsInf(t, 1) || t > horizon {
			break
		}
		e.advance(t)
		switch {
		case e.tick <= s.end && t == e.tick:
			e.decide(t)
		case len(e.queue) > 0 && t == e.queue[0].at:
			e.ready += e.queue[0].count
			e.queue = e.queue[1:]
		case e.busy.Len() > 0 && t == (*e.busy)[0]:
			heap.Pop(e.busy)
		case e.drain.Len() > 0 && t == (*e.drain)[0]:
			heap.Pop(e.drain)
		default:
			if c := e.customers.popCustomer(); !c.contained {
				e.stats.hum++
				e.st.enqueue(c)
			}
		}
		e.serve(t)
	}
	return e.result()
}

func (e *engine) nextEvent() float64 {
	t := math.Inf(1)
	if e.customers.hasNext {
		t = e.customers.next.at
	}
	for _, h := range []*floatHeap{e.busy, e.drain} {
		if h.Len() > 0 {
			t = math.Min(t, (*h)[0])
		}
	}
	if len(e.queue) > 0 {
		t = math.Min(t, e.queue[0].at)
	}
	if e.tick <= e.s.end {
		t = math.Min(t, e.tick)
	}
	return t
}

// advance accounts replica time and closes the minutes passed.
func (e *engine) advance(t float64) {
	span := math.Min(t, e.s.end) - math.Min(e.lastT, e.s.end)
	// A removed replica runs until its conversations end: it is paid for
	// (a replica's worth per k of them), or a policy that churns replicas
	// would get that service for free.
	e.stats.replicaSeconds += (float64(e.st.desired) + float64(e.drain.Len())/float64(e.k)) * span
	e.stats.addedSeconds += float64(e.st.added) * span
	for int(t/60) > len(e.tl) && len(e.tl) < len(e.stats.minutes)-1 {
		mi := len(e.tl)
		e.tl = append(e.tl, Sample{Minute: mi, InflowPerHour: e.s.rate(float64(mi+1)*60, time.Minute) * 3600,
			Desired: e.st.desired, Ready: e.ready, Surging: e.st.surging})
	}
	e.lastT, e.st.now = t, t
}

// decide asks the policy and moves replicas: new ones are ready after the
// delay (at once at the start: the queue ran before the trace), removed ones
// go at once, pending ones first.
func (e *engine) decide(t float64) {
	want := e.p.Decide(e.s, e.st)
	switch {
	case want > e.st.desired && (e.delay == 0 || t == 0):
		e.ready += want - e.st.desired
	case want > e.st.desired:
		e.queue = append(e.queue, pending{at: t + e.delay, count: want - e.st.desired})
	case want < e.st.desired:
		cut := e.st.desired - want
		for len(e.queue) > 0 && cut > 0 {
			last := &e.queue[len(e.queue)-1]
			c := min(cut, last.count)
			last.count -= c
			cut -= c
			if last.count == 0 {
				e.queue = e.queue[:len(e.queue)-1]
			}
		}
		e.ready = max(e.ready-cut, 0)
		for e.busy.Len() > int(e.ready)*e.k { // the last slot is a valid heap cut
			x := (*e.busy)[e.busy.Len()-1]
			*e.busy = (*e.busy)[:e.busy.Len()-1]
			heap.Push(e.drain, x)
		}
	}
	e.st.desired = want
	e.tick += e.every
}

// serve starts conversations while servers are free; customers whose
// patience ran out have abandoned.
func (e *engine) serve(now float64) {
	st := e.st
	for e.busy.Len() < int(e.ready)*e.k && st.head < len(st.waiting) {
		c := st.waiting[st.head]
		st.head++
		m := &e.stats.minutes[min(int(c.at/60), len(e.stats.minutes)-1)]
		m.total++
		if now-c.at >= c.patience {
			e.stats.abandoned++
			continue
		}
		wait := now - c.at
		e.stats.waitMillis[int64(math.Round(wait*1000))]++
		e.stats.answered++
		if wait <= e.s.answerBy {
			m.met++
			e.stats.answeredInTime++
		}
		heap.Push(e.busy, now+c.service)
	}
}

func (e *engine) result() Result {
	s, st := e.s, e.stats
	// Whoever still waits at the horizon missed the target; only those
	// whose patience ran out abandoned.
	for _, c := range e.st.waiting[e.st.head:] {
		st.minutes[min(int(c.at/60), len(st.minutes)-1)].total++
		if e.lastT-c.at >= c.patience {
			st.abandoned++
		} else {
			st.unanswered++
		}
	}
	last := min(int(s.end/60)+1, len(st.minutes))
	// A minute's contacts are answered after it closes too: its service
	// level is final only now.
	for i := range e.tl {
		e.tl[i].ServiceLevel = -1
		if m := st.minutes[i]; m.total > 0 {
			e.tl[i].ServiceLevel = float64(m.met) / float64(m.total)
		}
	}
	res := Result{Policy: e.p.Name(), SurgeActivations: len(e.st.surgeStarts), Timeline: e.tl,
		SurgeStarts: secondsToDurations(e.st.surgeStarts), PlansActivated: e.st.activated,
		SLMetFraction:          metFraction(st.minutes[:last], 1, s.targetSL),
		SLIntervalsMetFraction: metFraction(st.minutes[:last], 15, s.targetSL),
		ReplicaMinutes:         st.replicaSeconds / 60, SurgeExtraReplicaMinutes: st.addedSeconds / 60}
	if st.hum > 0 {
		res.AbandonedFraction = float64(st.abandoned) / float64(st.hum)
		res.ServiceLevel = float64(st.answeredInTime) / float64(st.answered+st.abandoned+st.unanswered)
	}
	if st.answered > 0 {
		res.ASASecondsP95 = float64(nthMillis(st.waitMillis, int(float64(st.answered-1)*0.95))) / 1000
	}
	return res
}

// nthMillis is the k-th smallest (from 0) of the counted milliseconds.
func nthMillis(counts map[int64]int, k int) int64 {
	keys := slices.Sorted(maps.Keys(counts))
	for _, ms := range keys {
		if k -= counts[ms]; k < 0 {
			return ms
		}
	}
	return keys[len(keys)-1]
}

// metFraction is the share of intervals of the given minutes whose
// contacts met the target; an interval without contacts meets it.
func metFraction(minutes []minute, per int, target float64) float64 {
	met, n := 0, 0
	for i := 0; i < len(minutes); i += per {
		var sum minute
		for _, m := range minutes[i:min(i+per, len(minutes))] {
			sum.total += m.total
			sum.met += m.met
		}
		n++
		if sum.total == 0 || float64(sum.met)/float64(sum.total) >= target {
			met++
		}
	}
	if n == 0 {
		return 1
	}
	return float64(met) / float64(n)
}

func secondsToDurations(secs []float64) []time.Duration {
	out := make([]time.Duration, len(secs))
	for i, s := range secs {
		out[i] = time.Duration(s * float64(time.Second))
	}
	return out
}

// selects reports whether a plan acts on the queue.
func selects(p supportv1alpha1.SurgePlan, q *supportv1alpha1.SupportQueue) bool {
	if p.Namespace != "" && q.Namespace != "" && p.Namespace != q.Namespace {
		return false
	}
	sel, err := metav1.LabelSelectorAsSelector(&p.Spec.QueueSelector)
	return err == nil && sel.Matches(labels.Set(q.Labels))
}

func (s *setup) String() string {
	return fmt.Sprintf("seed %d over %.0f s", s.cfg.Seed, s.end)
}

package capacity

import (
	"math"
)

// Request is a real-time (chat, phone) staffing question: how many agents
// for this inflow and this service-level target?
type Request struct {
	// ArrivalsPerSecond is λ, the contacts reaching humans per second.
	ArrivalsPerSecond float64
	// HandleTimeSeconds is the average handle time of one contact (one
	// conversation, for chat).
	HandleTimeSeconds float64
	// TargetServiceLevel is the share to answer within TargetSeconds, in (0,1).
	TargetServiceLevel float64
	// TargetSeconds is the answer-time target, zero or more.
	TargetSeconds float64
	// MaxOccupancy caps load per server, in (0,1].
	MaxOccupancy float64
	// Shrinkage is the share of paid time unavailable for contacts, in [0,1).
	Shrinkage float64
	// Concurrency is the conversations one agent serves at once, ≥ 1.
	Concurrency int
	// ConcurrencySlowdown σ in [0,1]: each conversation takes
	// HandleTime·(1 + σ·(Concurrency−1)). Zero when the handle time was
	// measured at the queue's concurrency.
	ConcurrencySlowdown float64
	// MaxAgents, when set, bounds the search by the replicas a queue may
	// run: a load that twice that cannot serve is answered at once with
	// the occupancy bound ⌈A / (occupancy·k)⌉, a lower bound on the need
	// (AtLeast), instead of searching millions of servers for a number
	// the caller clamps anyway.
	MaxAgents int
}

// Result is the staffing that meets a Request.
type Result struct {
	// Agents is the fewest agents (replicas) that must be working.
	Agents int
	// Servers is Agents × Concurrency.
	Servers int
	// ScheduledAgents is Agents grossed up for shrinkage.
	ScheduledAgents int
	// OfferedLoad is A = λ·AHT in Erlangs (conversation handle time).
	OfferedLoad float64
	// Metrics are the predicted figures at Agents (zero when AtLeast).
	Metrics
	// AtLeast: the load is beyond MaxAgents and Agents is the occupancy
	// bound, a lower bound on the need.
	AtLeast bool
}

// maxServers bounds every search: far beyond any real contact centre, so an
// extreme input returns an error instead of looping.
const maxServers = 10_000_000

func (r Request) validate() error {
	switch {
	case !finite(r.ArrivalsPerSecond) || r.ArrivalsPerSecond < 0:
		return invalid("inflow", r.ArrivalsPerSecond, "must be a finite rate, zero or more")
	case !finite(r.HandleTimeSeconds) || r.HandleTimeSeconds <= 0:
		return invalid("handle time", r.HandleTimeSeconds, "must be a positive number of seconds")
	case !finite(r.TargetServiceLevel) || r.TargetServiceLevel <= 0 || r.TargetServiceLevel >= 1:
		return invalid("service level", r.TargetServiceLevel, "must be a fraction between 0 and 1, exclusive, e.g. 0.8")
	case !finite(r.TargetSeconds) || r.TargetSeconds < 0:
		return invalid("target time", r.TargetSeconds, "must be zero or more seconds")
	case !finite(r.MaxOccupancy) || r.MaxOccupancy <= 0 || r.MaxOccupancy > 1:
		return invalid("max occupancy", r.MaxOccupancy, "must be a fraction greater than 0 and at most 1, e.g. 0.85")
	case !finite(r.Shrinkage) || r.Shrinkage < 0 || r.Shrinkage >= 1:
		return invalid("shrinkage", r.Shrinkage, "must be a fraction from 0 up to but excluding 1, e.g. 0.3")
	case r.Concurrency < 1:
		return invalid("concurrency", float64(r.Concurrency), "must be at least 1 conversation per agent")
	case !finite(r.ConcurrencySlowdown) || r.ConcurrencySlowdown < 0 || r.ConcurrencySlowdown > 1:
		return invalid("concurrency slowdown", r.ConcurrencySlowdown, "must be a fraction from 0 to 1")
	}
	return nil
}

// ConversationHandleSeconds is the handle time of one conversation at the
// request's concurrency.
func (r Request) ConversationHandleSeconds() float64 {
	return r.HandleTimeSeconds * (1 + r.ConcurrencySlowdown*float64(r.Concurrency-1))
}

// Agents finds the fewest agents N·k > A whose predicted service level meets
// the target and whose occupancy stays within the cap. No traffic needs no
// agents; replica minimums are the caller's business.
func Agents(r Request) (Result, error) {
	if err := r.validate(); err != nil {
		return Result{}, err
	}
	aht := r.ConversationHandleSeconds()
	load := r.ArrivalsPerSecond * aht
	if !finite(load) || load >= maxServers {
		return Result{}, invalid("offered load", load, "is beyond what this model sizes (10 million Erlangs)")
	}
	if load == 0 {
		return Result{OfferedLoad: 0, Metrics: Metrics{ServiceLevel: 1}}, nil
	}
	k := r.Concurrency
	limit := maxServers
	if r.MaxAgents > 0 {
		limit = min(limit, searchBeyondMax*r.MaxAgents*k)
		if load/r.MaxOccupancy > float64(limit) {
			return atLeast(int(math.Ceil(load/(r.MaxOccupancy*float64(k)))), r.Shrinkage, k, load), nil
		}
	}
	b := 1.0
	for n := 1; n <= limit; n++ {
		b = nextErlangB(b, n, load)
		if n%k != 0 || float64(n) <= load || load/float64(n) > r.MaxOccupancy {
			continue
		}
		m := metricsFromC(erlangCFromB(b, n, load), n, load, aht, r.TargetSeconds)
		if m.ServiceLevel >= r.TargetServiceLevel {
			agents := n / k
			return Result{
				Agents:          agents,
				Servers:         n,
				ScheduledAgents: Scheduled(agents, r.Shrinkage),
				OfferedLoad:     load,
				Metrics:         m,
			}, nil
		}
	}
	if limit < maxServers {
		return atLeast(limit/k+1, r.Shrinkage, k, load), nil
	}
	return Result{}, invalid("offered load", load, "needs more than 10 million servers")
}

// searchBeyondMax: with MaxAgents set, the search goes up to twice it, so
// a queue capped a little below its need still reports the exact need
// ("needs 63, capped at 40") and only far larger loads get the bound.
const searchBeyondMax = 2

// atLeast is a need known only to be at least agents.
func atLeast(agents int, shrinkage float64, k int, load float64) Result {
	return Result{Agents: agents, Servers: agents * k, ScheduledAgents: Scheduled(agents, shrinkage), OfferedLoad: load, AtLeast: true}
}

// Scheduled grosses working agents up for shrinkage: ⌈N / (1 − s)⌉, with a
// small tolerance so 14/0.7 is 20, not 21.
func Scheduled(agents int, shrinkage float64) int {
	if agents <= 0 {
		return 0
	}
	return int(math.Ceil(float64(agents)/(1-shrinkage) - 1e-9))
}

// BacklogRequest is an email or social staffing question.
type BacklogRequest struct {
	// ArrivalsPerSecond is the new tickets per second reaching humans.
	ArrivalsPerSecond float64
	// HandleTimeSeconds is the agent time per ticket.
	HandleTimeSeconds float64
	// Backlog is the tickets already waiting for a first response.
	Backlog float64
	// FirstResponseSeconds is the first-response target.
	FirstResponseSeconds float64
	// MaxOccupancy caps load per agent, in (0,1].
	MaxOccupancy float64
	// Shrinkage is the share of paid time unavailable, in [0,1).
	Shrinkage float64
}

// BacklogResult is the staffing that keeps first responses within target.
type BacklogResult struct {
	Agents          int
	ScheduledAgents int
	OfferedLoad     float64
	// FirstResponseSeconds is the predicted wait of a ticket arriving now.
	FirstResponseSeconds float64
	// ServiceLevel is the predicted share of the waiting backlog answered
	// within the target.
	ServiceLevel float64
	Occupancy    float64
}

// BacklogAgents sizes a backlog channel: N ≥ max(B·AHT/T, λ·AHT/cap).
func BacklogAgents(r BacklogRequest) (BacklogResult, error) {
	switch {
	case !finite(r.ArrivalsPerSecond) || r.ArrivalsPerSecond < 0:
		return BacklogResult{}, invalid("inflow", r.ArrivalsPerSecond, "must be a finite rate, zero or more")
	case !finite(r.HandleTimeSeconds) || r.HandleTimeSeconds <= 0:
		return BacklogResult{}, invalid("handle time", r.HandleTimeSeconds, "must be a positive number of seconds")
	case !finite(r.Backlog) || r.Backlog < 0:
		return BacklogResult{}, invalid("backlog", r.Backlog, "must be a finite count, zero or more")
	case !finite(r.FirstResponseSeconds) || r.FirstResponseSeconds <= 0:
		return BacklogResult{}, invalid("first response", r.FirstResponseSeconds, "must be a positive number of seconds")
	case !finite(r.MaxOccupancy) || r.MaxOccupancy <= 0 || r.MaxOccupancy > 1:
		return BacklogResult{}, invalid("max occupancy", r.MaxOccupancy, "must be a fraction greater than 0 and at most 1, e.g. 0.85")
	case !finite(r.Shrinkage) || r.Shrinkage < 0 || r.Shrinkage >= 1:
		return BacklogResult{}, invalid("shrinkage", r.Shrinkage, "must be a fraction from 0 up to but excluding 1, e.g. 0.3")
	}
	load := r.ArrivalsPerSecond * r.HandleTimeSeconds
	need := math.Max(r.Backlog*r.HandleTimeSeconds/r.FirstResponseSeconds, load/r.MaxOccupancy)
	if !finite(need) || need > maxServers {
		return BacklogResult{}, invalid("offered load", need, "needs more than 10 million agents")
	}
	agents := int(math.Ceil(need - 1e-9))
	res := BacklogResult{Agents: agents, ScheduledAgents: Scheduled(agents, r.Shrinkage), OfferedLoad: load}
	res.Occupancy, res.FirstResponseSeconds, res.ServiceLevel = BacklogForecast(agents, r)
	return res, nil
}

// BacklogForecast predicts occupancy, the first-response wait of a ticket
// arriving now, and the share of the backlog answered within target, for a
// given number of agents.
func BacklogForecast(agents int, r BacklogRequest) (occupancy, firstResponse, serviceLevel float64) {
	load := r.ArrivalsPerSecond * r.HandleTimeSeconds
	if agents <= 0 {
		if load == 0 && r.Backlog == 0 {
			return 0, 0, 1
		}
		return 1, math.Inf(1), 0
	}
	n := float64(agents)
	occupancy = math.Min(1, load/n)
	firstResponse = r.Backlog * r.HandleTimeSeconds / n
	serviceLevel = 1.0
	if r.Backlog > 0 {
		serviceLevel = math.Min(1, n*r.FirstResponseSeconds/(r.HandleTimeSeconds*r.Backlog))
	}
	if load >= n { // the backlog grows without bound
		serviceLevel = math.Min(serviceLevel, n/load*serviceLevel)
	}
	return occupancy, firstResponse, serviceLevel
}

// BotRequest sizes a chatbot Deployment.
type BotRequest struct {
	ArrivalsPerSecond       float64
	HandleTimeSeconds       float64
	ConversationsPerReplica int
	// Containment is the share of inflow the bot resolves alone, in [0,1).
	Containment float64
}

// BotResult is the bot sizing and what is left for humans.
type BotResult struct {
	Replicas int
	// HumanArrivalsPerSecond is the inflow the bot does not contain.
	HumanArrivalsPerSecond float64
	// ConcurrentConversations is λ·handle time.
	ConcurrentConversations float64
}

// Bots sizes chatbot replicas by Little's law and splits off the human inflow.
func Bots(r BotRequest) (BotResult, error) {
	switch {
	case !finite(r.ArrivalsPerSecond) || r.ArrivalsPerSecond < 0:
		return BotResult{}, invalid("inflow", r.ArrivalsPerSecond, "must be a finite rate, zero or more")
	case !finite(r.HandleTimeSeconds) || r.HandleTimeSeconds <= 0:
		return BotResult{}, invalid("bot handle time", r.HandleTimeSeconds, "must be a positive number of seconds")
	case r.ConversationsPerReplica < 1:
		return BotResult{}, invalid("conversations per replica", float64(r.ConversationsPerReplica), "must be at least 1")
	case !finite(r.Containment) || r.Containment < 0 || r.Containment >= 1:
		return BotResult{}, invalid("containment", r.Containment, "must be a fraction from 0 up to but excluding 1, e.g. 0.6")
	}
	conc := r.ArrivalsPerSecond * r.HandleTimeSeconds
	replicas := math.Ceil(conc/float64(r.ConversationsPerReplica) - 1e-9)
	if !finite(replicas) || replicas > maxServers {
		return BotResult{}, invalid("inflow", r.ArrivalsPerSecond, "needs more than 10 million bot replicas")
	}
	return BotResult{
		Replicas:                int(replicas),
		HumanArrivalsPerSecond:  r.ArrivalsPerSecond * (1 - r.Containment),
		ConcurrentConversations: conc,
	}, nil
}

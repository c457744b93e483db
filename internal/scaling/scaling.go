// Package scaling turns measurements and a queue's shape into replica
// counts: what the queue needs now (capacity model) and how the running
// replicas move towards it — up in one step, down slowly ("fast attack,
// slow decay"), never down on missing data. Pure functions, clock passed in.
package scaling

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/frontline-dev/frontline/internal/capacity"
)

// Target is an SLA target resolved from an SLAPolicy for one queue.
type Target struct {
	// RealTime selects Erlang C (chat, phone); otherwise the backlog model.
	RealTime bool
	// ServiceLevel is the fraction to answer within Within (real-time).
	ServiceLevel float64
	Within       time.Duration
	// FirstResponse is the backlog channels' target.
	FirstResponse time.Duration
	MaxOccupancy  float64
	Shrinkage     float64
	// BotFirstResponse: a chatbot's first reply satisfies the first-response
	// target (backlog channels with a bot), so agents are sized for
	// throughput only, not to clear the backlog within the target.
	BotFirstResponse bool
	// Resolution and AnswerRate are reported against observed figures,
	// never sized for (zero: no target).
	Resolution time.Duration
	AnswerRate float64
	// Headroom, in [0,1), sizes above the target: real-time channels for
	// SL + Headroom·(1 − SL), backlog channels to answer within
	// FirstResponse·(1 − Headroom). Zero sizes for the target itself.
	Headroom float64
}

// SizedFor says in words what the target is sized for with its headroom.
func (t Target) SizedFor() string {
	sized := t.Sized()
	if t.RealTime {
		return fmt.Sprintf("%.2f %% within %s", 100*sized.ServiceLevel, sized.Within)
	}
	return fmt.Sprintf("first responses within %s", sized.FirstResponse.Round(time.Second))
}

// MaxHeadroom is the most headroom sized for (80 % sized as 99.98 %): a
// service level of 100 % is beyond any finite staffing.
const MaxHeadroom = 0.999

// Sized is the target the capacity model sizes for: the target raised by
// its headroom.
func (t Target) Sized() Target {
	if t.Headroom <= 0 {
		return t
	}
	h := min(t.Headroom, MaxHeadroom)
	t.ServiceLevel += h * (1 - t.ServiceLevel)
	t.FirstResponse = time.Duration(float64(t.FirstResponse) * (1 - h))
	t.Headroom = 0
	return t
}

// Agents is the agent-worker side of a queue.
type Agents struct {
	Min, Max          int32
	Concurrency       int32
	DefaultHandleTime time.Duration
}

// Bots is the chatbot side of a queue.
type Bots struct {
	Min, Max                int32
	ConversationsPerReplica int32
	HandleTime              time.Duration
	Containment             float64
}

// Shape is what a SupportQueue says about its capacity.
type Shape struct {
	Agents Agents
	// Bots is nil for a queue without a chatbot.
	Bots *Bots
}

// Measurements are one poll's readings. Nil means "not available": it is
// never read as zero.
type Measurements struct {
	InflowPerSecond *float64
	// InflowForFallPerSecond, when set, is the stricter inflow a scale-down
	// must clear (the estimator's fall bound): replicas are lowered only to
	// what it needs, so noise never removes any.
	InflowForFallPerSecond *float64
	Backlog                *float64
	HandleTimeSeconds      *float64
}

// Prediction is the capacity model's forecast at a replica count.
type Prediction struct {
	ServiceLevel  float64
	ASASeconds    float64
	Occupancy     float64
	Required      int32
	Scheduled     int32
	HumanInflow   float64
	HandleSeconds float64
}

// Need is what the queue needs now, before clamping and stabilization.
type Need struct {
	Agents int32
	// Bots is zero for a queue without a chatbot.
	Bots       int32
	Prediction Prediction
}

// HandleTimeSeconds is the agents' handle time: the measured one when
// there is one, else the queue's configured default.
func (s Shape) HandleTimeSeconds(measured *float64) float64 {
	if measured != nil && *measured > 0 {
		return *measured
	}
	return s.Agents.DefaultHandleTime.Seconds()
}

// ComputeNeed sizes agents and bots from one poll. It needs at least the
// inflow; handle time falls back to the queue's default and backlog to zero
// (backlog only ever adds agents).
func ComputeNeed(shape Shape, target Target, m Measurements) (Need, error) {
	if m.InflowPerSecond == nil {
		return Need{}, errors.New("inflow not measured")
	}
	lambda := *m.InflowPerSecond
	handle := shape.HandleTimeSeconds(m.HandleTimeSeconds)
	backlog := 0.0
	if m.Backlog != nil {
		backlog = *m.Backlog
	}

	need := Need{}
	humanInflow := lambda
	if b := shape.Bots; b != nil {
		res, err := capacity.Bots(capacity.BotRequest{
			ArrivalsPerSecond: lambda, HandleTimeSeconds: b.HandleTime.Seconds(),
			ConversationsPerReplica: int(b.ConversationsPerReplica), Containment: b.Containment,
		})
		if err != nil {
			return Need{}, fmt.Errorf("sizing chatbot: %w", err)
		}
		need.Bots = clampInt(res.Replicas)
		humanInflow = res.HumanArrivalsPerSecond
	}

	agents, scheduled, err := agentsNeeded(shape, target, humanInflow, handle, backlog)
	if err != nil {
		return Need{}, fmt.Errorf("sizing agents: %w", err)
	}
	need.Agents = clampInt(agents)
	need.Prediction = Prediction{Required: need.Agents, Scheduled: clampInt(scheduled),
		HumanInflow: humanInflow, HandleSeconds: handle}
	return need, nil
}

// agentsNeeded picks the model for the channel: Erlang C for real-time
// channels, the backlog model for the others.
func agentsNeeded(shape Shape, target Target, humanInflow, handle, backlog float64) (agents, scheduled int, err error) {
	target = target.Sized()
	if target.RealTime {
		res, err := capacity.Agents(capacity.Request{
			ArrivalsPerSecond: humanInflow, HandleTimeSeconds: handle,
			TargetServiceLevel: target.ServiceLevel, TargetSeconds: target.Within.Seconds(),
			MaxOccupancy: target.MaxOccupancy, Shrinkage: target.Shrinkage,
			Concurrency: int(shape.Agents.Concurrency),
			// Agents are clamped to maxReplicas: search no further.
			MaxAgents: int(shape.Agents.Max),
		})
		return res.Agents, res.ScheduledAgents, err
	}
	res, err := capacity.BacklogAgents(capacity.BacklogRequest{
		ArrivalsPerSecond: humanInflow, HandleTimeSeconds: handle, Backlog: backlogToAnswer(shape, target, backlog),
		FirstResponseSeconds: target.FirstResponse.Seconds(), MaxOccupancy: target.MaxOccupancy, Shrinkage: target.Shrinkage,
	})
	return res.Agents, res.ScheduledAgents, err
}

// backlogToAnswer is the backlog agents must answer within the
// first-response target: none when a chatbot's first reply meets it. Sizing
// and forecast both go through here, so they cannot disagree.
func backlogToAnswer(shape Shape, target Target, backlog float64) float64 {
	if target.BotFirstResponse && shape.Bots != nil {
		return 0
	}
	return backlog
}

// Predict forecasts service level, ASA and occupancy at the given agent
// replicas, for status. Backlog is used by the backlog model only.
func Predict(agents int32, shape Shape, target Target, humanInflow, handleSeconds, backlog float64) Prediction {
	p := Prediction{HumanInflow: humanInflow, HandleSeconds: handleSeconds}
	if target.RealTime {
		servers := int(agents) * int(max(shape.Agents.Concurrency, 1))
		m, err := capacity.Evaluate(servers, humanInflow*handleSeconds, handleSeconds, target.Within.Seconds())
		if err != nil {
			return p
		}
		p.ServiceLevel, p.ASASeconds, p.Occupancy = m.ServiceLevel, m.ASASeconds, m.Occupancy
		return p
	}
	occ, fr, sl := capacity.BacklogForecast(int(agents), capacity.BacklogRequest{
		ArrivalsPerSecond: humanInflow, HandleTimeSeconds: handleSeconds, Backlog: backlogToAnswer(shape, target, backlog),
		FirstResponseSeconds: target.FirstResponse.Seconds(),
	})
	p.ServiceLevel, p.ASASeconds, p.Occupancy = sl, fr, occ
	return p
}

func clampInt(v int) int32 {
	if v > math.MaxInt32 {
		return math.MaxInt32
	}
	return int32(v)
}

// Clamp bounds replicas to [lo, hi].
func Clamp(v, lo, hi int32) int32 {
	return max(lo, min(v, hi))
}

// ReportTolerance is the relative change below which a new measurement does
// not replace the one in status: rate() jitters by a fraction of a percent
// from poll to poll, and rewriting status for that would make an idle queue
// write every poll.
const ReportTolerance = 0.05

// Significant reports whether now differs from before by more than the
// report tolerance (or by at least 1 for small counts).
func Significant(before, now float64) bool {
	diff := math.Abs(now - before)
	return diff >= 1 && diff > ReportTolerance*math.Max(math.Abs(before), math.Abs(now))
}

// maxReportedDuration caps durations read from metrics: a series can hold
// any float, and past about 290 years a Go duration overflows into a
// negative one.
const maxReportedDuration = 876000 * time.Hour

// SecondsDuration converts measured seconds to a duration for status,
// clamped to [0, 876000h] (NaN reads as 0).
func SecondsDuration(s float64) time.Duration {
	switch {
	case !(s > 0):
		return 0
	case s >= maxReportedDuration.Seconds():
		return maxReportedDuration
	}
	return time.Duration(s * float64(time.Second))
}

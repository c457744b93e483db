package scaling

import (
	"math"
	"time"
)

// RoleState is what was decided last time for one role.
type RoleState struct {
	// Replicas is the last decision; nil before the first one.
	Replicas   *int32
	LastChange time.Time
	ScaleDown  ScaleDownState
}

// Surge is what active surge plans add to a queue (see the surge package
// for how several plans combine).
type Surge struct {
	ExtraAgents int32
	// BotFactor multiplies the bots' need (1 when no plan asks).
	BotFactor float64
	ExtraBots int32
	// BotCap lifts the chatbot ceiling to a plan's maxReplicas (0: none).
	BotCap int32
	// ScheduledInflowPerSecond is the inflow the plans' open scheduled
	// events expect (0: none): the queue is sized for at least this, and
	// the measured inflow raises it further.
	ScheduledInflowPerSecond float64
}

// Active reports whether any plan adds capacity.
func (s Surge) Active() bool {
	return s.ExtraAgents > 0 || s.BotFactor > 1 || s.ExtraBots > 0 || s.BotCap > 0
}

// QueueInput is everything one decision for a queue needs.
type QueueInput struct {
	Now   time.Time
	Shape Shape
	// Target is nil when the queue's SLAPolicy is missing or has no target
	// for it: agents then hold.
	Target *Target
	// Measurements are valid only when MetricsOK.
	Measurements Measurements
	MetricsOK    bool
	// Partial: the measurements rest on samples that do not cover the
	// estimator's coverage span (a gap, a young series), or lack an input
	// whose query failed (backlog, handle time). They may raise replicas
	// but never lower them.
	Partial bool
	// Failures counts consecutive failed polls.
	Failures       int32
	FallbackAfter  int32
	FallbackAgents *int32
	FallbackBots   *int32
	Agents, Bots   RoleState
	ScaleDown      ScaleDownPolicy
	Surge          Surge
}

// Mode says how a decision was reached.
type Mode string

const (
	// ModeSized: from fresh metrics and the SLA.
	ModeSized Mode = "Sized"
	// ModeHolding: metrics missing, the last decision is kept.
	ModeHolding Mode = "Holding"
	// ModeFallback: metrics missing long enough, fallback replicas apply.
	ModeFallback Mode = "Fallback"
)

// RoleDecision is one role's outcome.
type RoleDecision struct {
	Replicas  int32
	ScaleDown ScaleDownState
}

// QueueDecision is the outcome for a queue.
type QueueDecision struct {
	Agents, Bots RoleDecision
	// Need is the capacity model's answer, when it could run.
	Need *Need
	// AgentsMode and BotsMode say how each role was decided.
	AgentsMode, BotsMode Mode
	// AddedAgents and AddedBots are what the surge adds: of the replicas
	// decided, those above what the queue would target without it (after
	// the queue's bounds and the plans' caps).
	AddedAgents, AddedBots int32
}

// DecideQueue is the whole sizing decision for one queue: need from the
// capacity model, surge on top, clamped to the queue's bounds, moved towards
// by the scale policy; with missing inputs, hold (and maybe fall back), never
// lower.
func DecideQueue(in QueueInput) QueueDecision {
	var out QueueDecision
	var need, fallNeed, expected *Need
	shape := in.Shape
	target := Target{RealTime: true, ServiceLevel: 0.5, MaxOccupancy: 1} // bots only need inflow
	if in.Target != nil {
		target = *in.Target
	}
	if !in.MetricsOK && in.Surge.ScheduledInflowPerSecond > 0 {
		// A known event's inflow needs no live metrics: held without them,
		// the queue is still ready for it by its ready-by time.
		v := in.Surge.ScheduledInflowPerSecond
		if n, err := ComputeNeed(shape, target, Measurements{InflowPerSecond: &v}); err == nil {
			expected = &n
		}
	}
	if in.MetricsOK {
		m := in.Measurements.atLeast(in.Surge.ScheduledInflowPerSecond)
		if n, err := ComputeNeed(shape, target, m); err == nil {
			need, fallNeed = &n, &n
		}
		if need != nil && m.InflowForFallPerSecond != nil {
			m.InflowPerSecond = m.InflowForFallPerSecond
			if n, err := ComputeNeed(shape, target, m); err == nil {
				fallNeed = &n
			}
		}
	}
	out.Need = need

	// Agents need a target as well as metrics.
	agentsMin, agentsMax := in.Shape.Agents.Min, in.Shape.Agents.Max
	surgeFloor := Clamp(agentsMin+in.Surge.ExtraAgents, agentsMin, agentsMax)
	if need != nil && in.Target != nil {
		want := Clamp(need.Agents+in.Surge.ExtraAgents, agentsMin, agentsMax)
		fall := Clamp(fallNeed.Agents+in.Surge.ExtraAgents, agentsMin, agentsMax)
		out.Agents = decideRole(in.Now, in.Agents, want, fall, in.ScaleDown, in.Partial)
		out.AgentsMode = ModeSized
		out.AddedAgents = added(out.Agents.Replicas, want, Clamp(need.Agents, agentsMin, agentsMax))
	} else {
		base := agentsMin
		if expected != nil && in.Target != nil {
			base = Clamp(expected.Agents, agentsMin, agentsMax)
			surgeFloor = Clamp(expected.Agents+in.Surge.ExtraAgents, agentsMin, agentsMax)
		}
		out.Agents, out.AgentsMode = hold(in.Agents, surgeFloor, in.failure(in.FallbackAgents))
		out.AddedAgents = added(out.Agents.Replicas, surgeFloor, base)
	}

	if b := in.Shape.Bots; b != nil {
		botMax := max(b.Max, in.Surge.BotCap)
		floor := Clamp(surgedBots(b.Min, in.Surge), b.Min, botMax)
		if need != nil {
			// The factor multiplies what the queue would run without the
			// plan, its minimum included: "×3 bots" on a queue at its 2-bot
			// minimum means 6.
			want := Clamp(surgedBots(max(need.Bots, b.Min), in.Surge), b.Min, botMax)
			fall := Clamp(surgedBots(max(fallNeed.Bots, b.Min), in.Surge), b.Min, botMax)
			out.Bots = decideRole(in.Now, in.Bots, want, fall, in.ScaleDown, in.Partial)
			out.BotsMode = ModeSized
			out.AddedBots = added(out.Bots.Replicas, want, Clamp(max(need.Bots, b.Min), b.Min, b.Max))
		} else {
			base := b.Min
			if expected != nil {
				base = Clamp(max(expected.Bots, b.Min), b.Min, b.Max)
				floor = Clamp(surgedBots(max(expected.Bots, b.Min), in.Surge), b.Min, botMax)
			}
			out.Bots, out.BotsMode = hold(in.Bots, floor, in.failure(in.FallbackBots))
			out.AddedBots = added(out.Bots.Replicas, floor, base)
		}
	}
	return out
}

// atLeast raises the measured inflow, and the bound a scale-down must
// clear, to an expected inflow: a known event sizes the queue for what it
// expects, more measured inflow raises capacity further, and less does not
// lower it while the event lasts.
func (m Measurements) atLeast(perSecond float64) Measurements {
	if perSecond <= 0 {
		return m
	}
	raise := func(v *float64) *float64 {
		r := perSecond
		if v != nil {
			r = max(*v, perSecond)
		}
		return &r
	}
	m.InflowPerSecond = raise(m.InflowPerSecond)
	if m.InflowForFallPerSecond != nil {
		m.InflowForFallPerSecond = raise(m.InflowForFallPerSecond)
	}
	return m
}

// added is what a surge adds to a decision: the decided replicas up to the
// surged target, above the target without the surge. A decision held up
// by a pending scale-down is not the surge's doing.
func added(decided, surged, without int32) int32 {
	return max(min(decided, surged)-without, 0)
}

func (in QueueInput) failure(fallback *int32) MetricsFailure {
	return MetricsFailure{Failures: in.Failures, FallbackAfter: in.FallbackAfter, Fallback: fallback}
}

// surgedBots applies a plan's bot factor and extra replicas.
func surgedBots(need int32, s Surge) int32 {
	v := float64(need)
	if s.BotFactor > 1 {
		v = math.Ceil(v*s.BotFactor - 1e-9)
	}
	return clampInt(int(math.Min(v, math.MaxInt32/2))) + s.ExtraBots
}

// decideRole moves a role towards want: up at once; down only as far as
// fall (what the stricter bound needs, at least want) allows. On partial
// data a lower want holds the replicas and restarts the scale-down window,
// so the window counts only from covered data.
func decideRole(now time.Time, cur RoleState, want, fall int32, p ScaleDownPolicy, partial bool) RoleDecision {
	if cur.Replicas == nil {
		return RoleDecision{Replicas: want}
	}
	if partial && want < *cur.Replicas {
		return RoleDecision{Replicas: *cur.Replicas}
	}
	if want < *cur.Replicas {
		want = min(*cur.Replicas, max(want, fall))
	}
	r, st := Decide(now, *cur.Replicas, want, cur.LastChange, cur.ScaleDown, p)
	return RoleDecision{Replicas: r, ScaleDown: st}
}

// hold keeps the last decision (at least floor: the minimum plus any
// surge), raised to the fallback after enough failed polls.
func hold(cur RoleState, floor int32, f MetricsFailure) (RoleDecision, Mode) {
	base := floor
	if cur.Replicas != nil {
		base = max(*cur.Replicas, floor)
	}
	r, usingFallback := Hold(base, f)
	if usingFallback {
		return RoleDecision{Replicas: r}, ModeFallback
	}
	return RoleDecision{Replicas: r, ScaleDown: cur.ScaleDown}, ModeHolding
}

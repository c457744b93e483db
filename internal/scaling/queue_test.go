package scaling

import (
	"testing"
	"time"
)

func i32(v int32) *int32 { return &v }

func baseInput() QueueInput {
	return QueueInput{
		Now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
		Shape: Shape{
			Agents: Agents{Min: 2, Max: 60, Concurrency: 1, DefaultHandleTime: 3 * time.Minute},
			Bots:   &Bots{Min: 1, Max: 10, ConversationsPerReplica: 50, HandleTime: 90 * time.Second, Containment: 0.5},
		},
		Target:       &chatTarget,
		Measurements: Measurements{InflowPerSecond: f(400.0 / 3600)},
		MetricsOK:    true,
		ScaleDown:    ScaleDownPolicy{Window: 5 * time.Minute, MaxStepPercent: 25, StepPeriod: 15 * time.Second},
	}
}

func TestDecideQueueSizesFromMetrics(t *testing.T) {
	d := DecideQueue(baseInput())
	if d.Agents.Replicas != 14 || d.Bots.Replicas != 1 || d.AgentsMode != ModeSized || d.BotsMode != ModeSized {
		t.Errorf("got %+v", d)
	}
}

func TestDecideQueueHoldsWithoutMetrics(t *testing.T) {
	in := baseInput()
	in.MetricsOK = false
	in.Failures = 10
	in.Agents = RoleState{Replicas: i32(30)}
	in.Bots = RoleState{Replicas: i32(7)}
	d := DecideQueue(in)
	if d.Agents.Replicas != 30 || d.Bots.Replicas != 7 || d.AgentsMode != ModeHolding {
		t.Errorf("got %+v, want the last decision held", d)
	}
	// First decision without metrics: the minimums.
	in.Agents, in.Bots = RoleState{}, RoleState{}
	d = DecideQueue(in)
	if d.Agents.Replicas != 2 || d.Bots.Replicas != 1 {
		t.Errorf("got %+v, want minimums", d)
	}
	// Fallback raises after enough failures, never lowers.
	in.FallbackAfter, in.FallbackAgents = 4, i32(6)
	in.Agents = RoleState{Replicas: i32(3)}
	if d = DecideQueue(in); d.Agents.Replicas != 6 || d.AgentsMode != ModeFallback {
		t.Errorf("got %+v, want fallback 6", d)
	}
	in.Agents = RoleState{Replicas: i32(30)}
	if d = DecideQueue(in); d.Agents.Replicas != 30 {
		t.Errorf("got %+v, fallback lowered replicas", d)
	}
}

func TestDecideQueueWithoutPolicyHoldsAgentsButSizesBots(t *testing.T) {
	in := baseInput()
	in.Target = nil
	in.Measurements = Measurements{InflowPerSecond: f(7200.0 / 3600)} // 180 concurrent -> 4 bots
	in.Agents = RoleState{Replicas: i32(5)}
	d := DecideQueue(in)
	if d.Agents.Replicas != 5 || d.AgentsMode != ModeHolding || d.Bots.Replicas != 4 {
		t.Errorf("got %+v", d)
	}
}

func TestDecideQueueSurge(t *testing.T) {
	in := baseInput()
	in.Surge = Surge{ExtraAgents: 10, BotFactor: 3, BotCap: 200}
	in.Measurements = Measurements{InflowPerSecond: f(36000.0 / 3600)} // 900 concurrent bot chats -> 18 bots
	d := DecideQueue(in)
	if d.Bots.Replicas != 54 {
		t.Errorf("bots %d, want 18×3 = 54 (above the queue's own max of 10, under the plan's cap)", d.Bots.Replicas)
	}
	noSurge := baseInput()
	noSurge.Measurements = in.Measurements
	base := DecideQueue(noSurge)
	if d.Agents.Replicas != min(base.Agents.Replicas+10, 60) {
		t.Errorf("agents %d, base %d", d.Agents.Replicas, base.Agents.Replicas)
	}
	// A surge during a metrics outage still raises capacity from the held value.
	in.MetricsOK = false
	in.Agents, in.Bots = RoleState{Replicas: i32(2)}, RoleState{Replicas: i32(1)}
	d = DecideQueue(in)
	if d.Agents.Replicas != 12 || d.Bots.Replicas != 3 {
		t.Errorf("held with surge: %+v", d)
	}
}

// TestSurgeFactorOnWhatTheQueueRuns: a factor multiplies the bots the queue
// would run without the plan, its minimum included.
func TestSurgeFactorOnWhatTheQueueRuns(t *testing.T) {
	for _, tc := range []struct {
		name      string
		inflow    float64 // per hour
		min, want int32
	}{
		{"at its 2-bot minimum: ×3 is 6", 360, 2, 6},
		{"sized above the minimum: ×3 the need", 36000, 2, 54},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := baseInput()
			in.Shape.Bots.Min = tc.min
			in.Surge = Surge{BotFactor: 3, BotCap: 200}
			in.Measurements = Measurements{InflowPerSecond: f(tc.inflow / 3600)}
			if d := DecideQueue(in); d.Bots.Replicas != tc.want {
				t.Errorf("bots %d, want %d", d.Bots.Replicas, tc.want)
			}
		})
	}
}

// A scale-down goes only as far as the stricter fall bound allows; partial
// data never lowers and restarts the window.
func TestDecideQueueLowersOnlyOnEvidence(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	below := now.Add(-time.Hour)
	for _, tc := range []struct {
		name         string
		inflow, fall float64 // per hour
		partial      bool
		want         int32
		towards      int32 // the scale-down's target (0: none pending)
	}{
		{"noise: the fall bound still needs 30", 400, 1300, false, 30, 0},
		{"evidence: towards what the fall bound needs, 25% a step", 400, 600, false, 22, 19},
		{"fall bound below the need: the need wins", 400, 300, false, 22, 14},
		{"partial data never lowers", 400, 400, true, 30, 0},
		{"a rise is immediate whatever the fall bound", 2000, 2500, false, 59, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := baseInput()
			in.Now = now
			in.ScaleDown = ScaleDownPolicy{Window: time.Minute, MaxStepPercent: 25, StepPeriod: 5 * time.Second}
			in.Measurements = Measurements{InflowPerSecond: f(tc.inflow / 3600), InflowForFallPerSecond: f(tc.fall / 3600)}
			in.Partial = tc.partial
			in.Agents = RoleState{Replicas: i32(30), LastChange: below, ScaleDown: ScaleDownState{BelowSince: &below}}
			d := DecideQueue(in)
			towards := int32(0)
			if r := d.Agents.ScaleDown.Recent; len(r) > 0 {
				towards = r[0].Replicas
			}
			if d.Agents.Replicas != tc.want || towards != tc.towards {
				t.Errorf("got %d agents, scale-down %+v; want %d towards %d", d.Agents.Replicas, d.Agents.ScaleDown, tc.want, tc.towards)
			}
		})
	}
}

// TestSurgeAddedIsWhatWasReallyAdded: what a surge reports adding is the
// decision with it minus the decision without it, so the queue's bounds and
// the plan's cap show, and several plans count once.
func TestSurgeAddedIsWhatWasReallyAdded(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		inflow               float64 // per hour
		agentsMax            int32
		surge                Surge
		wantAgents, wantBots int32
	}{
		// 400/h: 14 agents, 1 bot (minimum 1).
		{"room for all of it", 400, 60, Surge{ExtraAgents: 10, BotFactor: 3, BotCap: 200}, 10, 2},
		{"agents capped at maxReplicas", 400, 18, Surge{ExtraAgents: 10, BotFactor: 1}, 4, 0},
		{"already at maxReplicas: nothing added", 4000, 60, Surge{ExtraAgents: 10, BotFactor: 1}, 0, 0},
		// 36,000/h needs 18 bots, the queue runs its max of 10; ×3 is 54,
		// the plan's cap 40 lifts the ceiling: 30 added, not 36.
		{"bots capped by the plan's maxReplicas", 36000, 60, Surge{BotFactor: 3, BotCap: 40}, 0, 30},
		{"no plan active", 400, 60, Surge{BotFactor: 1}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := baseInput()
			in.Shape.Agents.Max = tc.agentsMax
			in.Measurements = Measurements{InflowPerSecond: f(tc.inflow / 3600)}
			in.Surge = tc.surge
			d := DecideQueue(in)
			if d.AddedAgents != tc.wantAgents || d.AddedBots != tc.wantBots {
				t.Errorf("added %d agents and %d bots, want %d and %d (decided %+v)", d.AddedAgents, d.AddedBots, tc.wantAgents, tc.wantBots, d)
			}
		})
	}
}

// TestSurgeAddedHoldsOnLaterDecisions: the decisions after the surge's
// first still report what it adds (the replicas already include it, and a
// pending scale-down is not the surge's doing).
func TestSurgeAddedHoldsOnLaterDecisions(t *testing.T) {
	in := baseInput()
	in.Surge = Surge{ExtraAgents: 10, BotFactor: 3, BotCap: 200}
	first := DecideQueue(in)
	in.Now = in.Now.Add(time.Minute)
	in.Agents = RoleState{Replicas: i32(first.Agents.Replicas), LastChange: in.Now.Add(-time.Minute)}
	in.Bots = RoleState{Replicas: i32(first.Bots.Replicas), LastChange: in.Now.Add(-time.Minute)}
	later := DecideQueue(in)
	if later.AddedAgents != 10 || later.AddedBots != first.AddedBots || later.AddedBots == 0 {
		t.Errorf("first added %d agents, %d bots; later %d, %d: want the same", first.AddedAgents, first.AddedBots, later.AddedAgents, later.AddedBots)
	}
	// The surge over: replicas step down slowly, nothing is "added".
	in.Surge = Surge{BotFactor: 1}
	if d := DecideQueue(in); d.AddedAgents != 0 || d.AddedBots != 0 || d.Agents.Replicas != first.Agents.Replicas {
		t.Errorf("after the surge: %+v", d)
	}
}

// A known event's expected inflow is a floor: the queue is sized for it at
// once, more measured inflow raises capacity further, and neither a lower
// measurement nor its fall bound lowers capacity below it. Held without
// metrics, the queue is still sized for the event.
func TestScheduledInflowIsAFloor(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	below := now.Add(-time.Hour)
	for _, tc := range []struct {
		name                   string
		inflow, fall, expected float64 // per hour
		current                int32
		want                   int32
	}{
		{"sized for the event before it comes", 400, 500, 2000, 14, 59},
		{"more than expected raises further", 4000, 4200, 2000, 59, 0},
		{"less than expected does not lower", 400, 450, 2000, 59, 59},
		{"no event: as measured", 400, 450, 0, 14, 14},
		// Metrics down (inflow -1): held, yet sized for the event.
		{"metrics down: held, ready for the event", -1, -1, 2000, 14, 59},
		{"metrics down, no event: held", -1, -1, 0, 14, 14},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := baseInput()
			in.Now = now
			in.ScaleDown = ScaleDownPolicy{Window: time.Minute, MaxStepPercent: 25, StepPeriod: 5 * time.Second}
			in.Measurements = Measurements{InflowPerSecond: f(tc.inflow / 3600), InflowForFallPerSecond: f(tc.fall / 3600)}
			if tc.inflow < 0 {
				in.MetricsOK, in.Measurements = false, Measurements{}
			}
			in.Surge = Surge{BotFactor: 1, ScheduledInflowPerSecond: tc.expected / 3600}
			in.Agents = RoleState{Replicas: i32(tc.current), LastChange: below, ScaleDown: ScaleDownState{BelowSince: &below}}
			d := DecideQueue(in)
			want := tc.want
			if want == 0 { // whatever the measured inflow needs, above the event's
				plain := baseInput()
				plain.Measurements = Measurements{InflowPerSecond: f(tc.inflow / 3600)}
				want = DecideQueue(plain).Agents.Replicas
				if want <= 59 {
					t.Fatalf("the measured inflow needs %d, not above the event's 59", want)
				}
			}
			if d.Agents.Replicas != want {
				t.Errorf("%d agents, want %d", d.Agents.Replicas, want)
			}
			if tc.inflow < 0 && d.AgentsMode != ModeHolding {
				t.Errorf("metrics down: mode %s, want %s", d.AgentsMode, ModeHolding)
			}
		})
	}
}

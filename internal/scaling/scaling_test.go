package scaling

import (
	"math"
	"testing"
	"time"
)

func f(v float64) *float64 { return &v }

var chatTarget = Target{RealTime: true, ServiceLevel: 0.8, Within: 20 * time.Second, MaxOccupancy: 0.85, Shrinkage: 0.3}

func TestComputeNeedMatchesCapacityModel(t *testing.T) {
	shape := Shape{Agents: Agents{Min: 1, Max: 100, Concurrency: 1, DefaultHandleTime: 3 * time.Minute}}
	// The published check: 200 contacts an hour at 180 s -> 14 agents.
	need, err := ComputeNeed(shape, chatTarget, Measurements{InflowPerSecond: f(200.0 / 3600)})
	if err != nil {
		t.Fatal(err)
	}
	if need.Agents != 14 || need.Prediction.Scheduled != 20 || need.Bots != 0 {
		t.Errorf("got %+v", need)
	}
	// A measured handle time replaces the default.
	need, _ = ComputeNeed(shape, chatTarget, Measurements{InflowPerSecond: f(200.0 / 3600), HandleTimeSeconds: f(90)})
	if need.Agents >= 14 {
		t.Errorf("half the handle time still needs %d agents", need.Agents)
	}
	// No inflow reading: an error, never zero agents.
	if _, err := ComputeNeed(shape, chatTarget, Measurements{}); err == nil {
		t.Error("missing inflow: want an error")
	}
}

func TestComputeNeedWithBotContainment(t *testing.T) {
	shape := Shape{
		Agents: Agents{Concurrency: 1, DefaultHandleTime: 3 * time.Minute},
		Bots:   &Bots{ConversationsPerReplica: 50, HandleTime: 90 * time.Second, Containment: 0.5},
	}
	// 400/h total, the bot contains half: humans get 200/h -> 14 agents.
	// Bots: 400/3600 × 90 = 10 concurrent -> 1 replica.
	need, err := ComputeNeed(shape, chatTarget, Measurements{InflowPerSecond: f(400.0 / 3600)})
	if err != nil {
		t.Fatal(err)
	}
	if need.Agents != 14 || need.Bots != 1 {
		t.Errorf("got agents %d bots %d, want 14 and 1", need.Agents, need.Bots)
	}
}

func TestComputeNeedBacklogChannel(t *testing.T) {
	shape := Shape{Agents: Agents{Concurrency: 1, DefaultHandleTime: 6 * time.Minute}}
	target := Target{FirstResponse: time.Hour, MaxOccupancy: 0.85}
	need, err := ComputeNeed(shape, target, Measurements{InflowPerSecond: f(120.0 / 3600), Backlog: f(3000)})
	if err != nil {
		t.Fatal(err)
	}
	if need.Agents != 300 {
		t.Errorf("agents %d, want 300", need.Agents)
	}
	// Missing backlog counts as none: fewer agents, never an error.
	need, _ = ComputeNeed(shape, target, Measurements{InflowPerSecond: f(120.0 / 3600)})
	if need.Agents != 15 {
		t.Errorf("agents %d, want 15", need.Agents)
	}
}

func TestBotFirstResponseSizesForThroughputOnly(t *testing.T) {
	shape := Shape{Agents: Agents{Concurrency: 1, DefaultHandleTime: 6 * time.Minute},
		Bots: &Bots{ConversationsPerReplica: 50, HandleTime: time.Minute}}
	target := Target{FirstResponse: time.Hour, MaxOccupancy: 0.85}
	m := Measurements{InflowPerSecond: f(120.0 / 3600), Backlog: f(3000)}
	human, _ := ComputeNeed(shape, target, m)
	target.BotFirstResponse = true
	bot, _ := ComputeNeed(shape, target, m)
	if human.Agents != 300 || bot.Agents != 15 {
		t.Errorf("human first response: %d agents (want 300), bot first response: %d (want 15)", human.Agents, bot.Agents)
	}
}

func TestPredictAtReplicas(t *testing.T) {
	shape := Shape{Agents: Agents{Concurrency: 1}}
	p := Predict(14, shape, chatTarget, 200.0/3600, 180, 0)
	if p.ServiceLevel < 0.888 || p.ServiceLevel > 0.889 {
		t.Errorf("SL %v", p.ServiceLevel)
	}
	p = Predict(9, shape, chatTarget, 200.0/3600, 180, 0)
	if p.ServiceLevel != 0 || p.Occupancy != 1 {
		t.Errorf("understaffed: %+v", p)
	}
}

func TestDecide(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	policy := ScaleDownPolicy{Window: 5 * time.Minute, MaxStepPercent: 25, StepPeriod: 15 * time.Second}
	type step struct {
		at   time.Duration
		need int32
		want int32
	}
	cases := []struct {
		name    string
		current int32
		steps   []step
	}{
		{"jump up in one step", 2, []step{{0, 20, 20}}},
		{"hold a dip inside the window", 20, []step{{0, 20, 20}, {time.Minute, 5, 20}, {4 * time.Minute, 5, 20}}},
		{"step down after the window, 25% per poll", 20, []step{
			{0, 20, 20}, {time.Minute, 5, 20},
			{6*time.Minute + time.Second, 5, 15}, {6*time.Minute + 5*time.Second, 5, 15}, // within the step period
			{6*time.Minute + 16*time.Second, 5, 11}, {6*time.Minute + 31*time.Second, 5, 8},
			{6*time.Minute + 46*time.Second, 5, 6}, {7*time.Minute + time.Second, 5, 5}, {7*time.Minute + 16*time.Second, 5, 5},
		}},
		{"the window's highest lower need is the floor", 20, []step{
			{0, 5, 20}, {3 * time.Minute, 12, 20}, {5*time.Minute + time.Second, 5, 15}, {5*time.Minute + 16*time.Second, 5, 12},
			{8*time.Minute + time.Second, 5, 9}, // 12 left the window
		}},
		{"a need back at current resets the wait", 20, []step{
			{0, 5, 20}, {4 * time.Minute, 20, 20}, {5 * time.Minute, 5, 20}, {9 * time.Minute, 5, 20}, {10*time.Minute + time.Second, 5, 15},
		}},
		{"up again mid-decay", 10, []step{{0, 2, 10}, {6 * time.Minute, 2, 7}, {6*time.Minute + 15*time.Second, 30, 30}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var st ScaleDownState
			current, lastChange := tc.current, t0.Add(-time.Hour)
			for i, s := range tc.steps {
				now := t0.Add(s.at)
				var got int32
				got, st = Decide(now, current, s.need, lastChange, st, policy)
				if got != s.want {
					t.Fatalf("step %d (t+%v, current %d, need %d): got %d, want %d", i, s.at, current, s.need, got, s.want)
				}
				if got != current {
					current, lastChange = got, now
				}
			}
		})
	}
}

func TestDecideSteadyStateKeepsNoState(t *testing.T) {
	now := time.Now()
	got, st := Decide(now, 10, 10, now.Add(-time.Hour), ScaleDownState{}, ScaleDownPolicy{Window: time.Minute})
	if got != 10 || st.BelowSince != nil || st.Recent != nil {
		t.Errorf("got %d %+v", got, st)
	}
}

func TestDecideHistoryIsBounded(t *testing.T) {
	t0 := time.Now()
	var st ScaleDownState
	for i := range 500 {
		_, st = Decide(t0.Add(time.Duration(i)*time.Second), 1000, int32(999-i), t0, st, ScaleDownPolicy{Window: time.Hour, MaxStepPercent: 10})
		if len(st.Recent) > MaxRecommendations {
			t.Fatalf("history grew to %d", len(st.Recent))
		}
	}
	if st.Recent[0].Replicas != 999 {
		t.Errorf("window maximum lost: %+v", st.Recent[0])
	}
}

func TestHoldNeverScalesDown(t *testing.T) {
	fb := int32(6)
	for _, tc := range []struct {
		current  int32
		failures int32
		fallback *int32
		want     int32
		usingFB  bool
	}{
		{10, 1, nil, 10, false},
		{10, 100, nil, 10, false},
		{3, 2, &fb, 3, false},   // not yet
		{3, 4, &fb, 6, true},    // fallback raises
		{10, 9, &fb, 10, false}, // fallback never lowers
	} {
		got, using := Hold(tc.current, MetricsFailure{Failures: tc.failures, FallbackAfter: 4, Fallback: tc.fallback})
		if got != tc.want || using != tc.usingFB {
			t.Errorf("%+v: got %d %v", tc, got, using)
		}
	}
}

func TestSignificant(t *testing.T) {
	for _, tc := range []struct {
		before, now float64
		want        bool
	}{
		{600, 601, false}, {600, 625, false}, {600, 640, true}, {600, 3000, true},
		{3, 3.5, false}, {3, 4, true}, {0, 1, true}, {0, 0.5, false},
	} {
		if got := Significant(tc.before, tc.now); got != tc.want {
			t.Errorf("Significant(%v, %v) = %v", tc.before, tc.now, got)
		}
	}
}

// TestHeadroomSizesAboveTheTarget: headroom raises a real-time target
// within the gap to 100 % and shortens a backlog target; zero leaves the
// published check (14 agents) alone, and more headroom never needs fewer.
func TestHeadroomSizesAboveTheTarget(t *testing.T) {
	chat := Target{RealTime: true, ServiceLevel: 0.8, Within: 20 * time.Second, MaxOccupancy: 0.85, Shrinkage: 0.3}
	email := Target{FirstResponse: 4 * time.Hour, MaxOccupancy: 0.85}
	for _, tc := range []struct {
		headroom float64
		sl       float64
		fr       time.Duration
	}{
		{0, 0.8, 4 * time.Hour},
		{0.5, 0.9, 2 * time.Hour},
		{0.95, 0.99, 12 * time.Minute},
		{1, 0.9998, 14*time.Second + 400*time.Millisecond},
	} {
		chat.Headroom, email.Headroom = tc.headroom, tc.headroom
		if got := chat.Sized().ServiceLevel; math.Abs(got-tc.sl) > 1e-9 {
			t.Errorf("headroom %v: sized for %v, want %v", tc.headroom, got, tc.sl)
		}
		if got := email.Sized().FirstResponse; got != tc.fr {
			t.Errorf("headroom %v: first response %v, want %v", tc.headroom, got, tc.fr)
		}
	}
	shape := Shape{Agents: Agents{Min: 1, Max: 1000, Concurrency: 1, DefaultHandleTime: 180 * time.Second}}
	rate := 100.0 / 1800
	prev := int32(0)
	for _, h := range []float64{0, 0.5, 0.9, 0.99} {
		chat.Headroom = h
		need, err := ComputeNeed(shape, chat, Measurements{InflowPerSecond: &rate})
		if err != nil {
			t.Fatal(err)
		}
		if h == 0 && need.Agents != 14 || need.Agents < prev {
			t.Errorf("headroom %v: %d agents (before %d)", h, need.Agents, prev)
		}
		prev = need.Agents
	}
}

func TestSecondsDurationNeverOverflows(t *testing.T) {
	for in, want := range map[float64]time.Duration{
		90: 90 * time.Second, 0: 0, -5: 0, math.NaN(): 0, math.Inf(1): 876000 * time.Hour,
		1e16: 876000 * time.Hour, 9.3e12: 876000 * time.Hour,
	} {
		if got := SecondsDuration(in); got != want {
			t.Errorf("SecondsDuration(%v) = %v, want %v", in, got, want)
		}
	}
}

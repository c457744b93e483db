package capacity

import (
	"errors"
	"math"
	"testing"
)

func publishedRequest() Request {
	// 100 contacts per 30 minutes, AHT 180 s, 80% within 20 s, occupancy
	// cap 85%, shrinkage 30%.
	return Request{
		ArrivalsPerSecond:  100.0 / 1800,
		HandleTimeSeconds:  180,
		TargetServiceLevel: 0.8,
		TargetSeconds:      20,
		MaxOccupancy:       0.85,
		Shrinkage:          0.3,
		Concurrency:        1,
	}
}

func TestPublishedCheck(t *testing.T) {
	res, err := Agents(publishedRequest())
	if err != nil {
		t.Fatal(err)
	}
	if res.OfferedLoad != 10 {
		t.Errorf("offered load = %v, want 10", res.OfferedLoad)
	}
	if res.Agents != 14 {
		t.Errorf("agents = %d, want 14", res.Agents)
	}
	if got := round(res.ServiceLevel, 3); got != 0.888 {
		t.Errorf("service level = %v, want 0.888", got)
	}
	if got := round(res.ASASeconds, 1); got != 7.8 {
		t.Errorf("ASA = %v s, want 7.8", got)
	}
	if got := round(res.Occupancy, 3); got != 0.714 {
		t.Errorf("occupancy = %v, want 0.714", got)
	}
	if res.ScheduledAgents != 20 {
		t.Errorf("scheduled = %d, want 20", res.ScheduledAgents)
	}
	// 13 agents miss the target: SL 0.7956.
	m, err := Evaluate(13, 10, 180, 20)
	if err != nil {
		t.Fatal(err)
	}
	if got := round(m.ServiceLevel, 4); got != 0.7956 {
		t.Errorf("SL at 13 = %v, want 0.7956", got)
	}
}

func TestErlangBKnownValues(t *testing.T) {
	for _, tc := range []struct {
		n    int
		a    float64
		want float64
	}{
		{0, 5, 1},
		{1, 1, 0.5},
		{2, 1, 0.2},           // (1/2)/(1+1+1/2)
		{10, 10, 0.214582},    // standard table value
		{5, 2, 0.036697},      // standard table value
		{200, 180, 0.0103250}, // beyond where factorials overflow (checked in log space)
	} {
		got, err := ErlangB(tc.n, tc.a)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-tc.want) > 5e-6 {
			t.Errorf("B(%d, %v) = %.7f, want %.7f", tc.n, tc.a, got, tc.want)
		}
	}
}

func TestErlangCKnownValue(t *testing.T) {
	// 14 servers at 10 Erlangs: a textbook example.
	c, err := ErlangC(14, 10)
	if err != nil {
		t.Fatal(err)
	}
	if round(c, 4) != 0.1741 {
		t.Errorf("C(14,10) = %v, want 0.1741", c)
	}
	if _, err := ErlangC(10, 10); err == nil {
		t.Error("C with N = A: want an error")
	}
}

func TestLargeLoadsSolveExactly(t *testing.T) {
	for _, load := range []float64{170, 171, 500, 1000, 5000, 20000} {
		r := publishedRequest()
		r.ArrivalsPerSecond = load / r.HandleTimeSeconds
		res, err := Agents(r)
		if err != nil {
			t.Fatalf("A=%v: %v", load, err)
		}
		// Minimality: one fewer agent must miss the target or the cap.
		n := res.Servers
		if float64(n) <= load {
			t.Fatalf("A=%v: N=%d not above the load", load, n)
		}
		prev, _ := Evaluate(n-1, load, r.HandleTimeSeconds, r.TargetSeconds)
		if prev.ServiceLevel >= r.TargetServiceLevel && load/float64(n-1) <= r.MaxOccupancy {
			t.Errorf("A=%v: N-1=%d already meets the target (SL %v)", load, n-1, prev.ServiceLevel)
		}
		if res.ServiceLevel < r.TargetServiceLevel || math.IsNaN(res.ServiceLevel) {
			t.Errorf("A=%v: SL %v below target", load, res.ServiceLevel)
		}
		// With thousands of agents the occupancy cap binds, not the SL.
		if load >= 1000 && int(math.Ceil(load/r.MaxOccupancy)) != n {
			t.Errorf("A=%v: N=%d, want the occupancy bound %v", load, n, math.Ceil(load/r.MaxOccupancy))
		}
	}
}

func TestServiceLevelRisesWithServers(t *testing.T) {
	for _, load := range []float64{0.5, 3, 10, 47.5, 300} {
		prev := -1.0
		for n := int(load) + 1; n < int(load)+60; n++ {
			m, err := Evaluate(n, load, 240, 20)
			if err != nil {
				t.Fatal(err)
			}
			if m.ServiceLevel < prev-1e-12 {
				t.Fatalf("A=%v: SL fell from %v to %v at N=%d", load, prev, m.ServiceLevel, n)
			}
			prev = m.ServiceLevel
		}
	}
}

func TestAgentsNeverFallWhenInflowRises(t *testing.T) {
	for _, k := range []int{1, 2, 3} {
		r := publishedRequest()
		r.Concurrency = k
		prev := 0
		for perHour := 0.0; perHour <= 5000; perHour += 37 {
			r.ArrivalsPerSecond = perHour / 3600
			res, err := Agents(r)
			if err != nil {
				t.Fatal(err)
			}
			if res.Agents < prev {
				t.Fatalf("k=%d: agents fell from %d to %d at %v/h", k, prev, res.Agents, perHour)
			}
			prev = res.Agents
		}
	}
}

func TestConcurrency(t *testing.T) {
	r := publishedRequest()
	r.ArrivalsPerSecond = 600.0 / 3600
	r.Concurrency = 1
	one, err := Agents(r)
	if err != nil {
		t.Fatal(err)
	}
	r.Concurrency = 3
	three, err := Agents(r)
	if err != nil {
		t.Fatal(err)
	}
	if three.Servers%3 != 0 || three.Agents*3 != three.Servers {
		t.Errorf("servers %d not agents×3 (%d)", three.Servers, three.Agents)
	}
	if three.Agents >= one.Agents {
		t.Errorf("3 chats per agent need %d agents, single-chat %d: want fewer", three.Agents, one.Agents)
	}
	// Slowdown makes each conversation longer, so more agents.
	r.ConcurrencySlowdown = 0.5
	slow, err := Agents(r)
	if err != nil {
		t.Fatal(err)
	}
	if slow.Agents <= three.Agents || slow.OfferedLoad != 2*three.OfferedLoad {
		t.Errorf("slowdown 0.5: %d agents (load %v), without %d (load %v)", slow.Agents, slow.OfferedLoad, three.Agents, three.OfferedLoad)
	}
}

func TestZeroInflowNeedsNoAgents(t *testing.T) {
	r := publishedRequest()
	r.ArrivalsPerSecond = 0
	res, err := Agents(r)
	if err != nil {
		t.Fatal(err)
	}
	if res.Agents != 0 || res.ServiceLevel != 1 {
		t.Errorf("got %+v", res)
	}
}

func TestInvalidInputs(t *testing.T) {
	base := publishedRequest()
	for _, tc := range []struct {
		field string
		edit  func(*Request)
	}{
		{"handle time", func(r *Request) { r.HandleTimeSeconds = 0 }},
		{"handle time", func(r *Request) { r.HandleTimeSeconds = -5 }},
		{"handle time", func(r *Request) { r.HandleTimeSeconds = math.NaN() }},
		{"service level", func(r *Request) { r.TargetServiceLevel = 0 }},
		{"service level", func(r *Request) { r.TargetServiceLevel = 1 }},
		{"service level", func(r *Request) { r.TargetServiceLevel = 80 }},
		{"max occupancy", func(r *Request) { r.MaxOccupancy = 0 }},
		{"max occupancy", func(r *Request) { r.MaxOccupancy = 1.01 }},
		{"shrinkage", func(r *Request) { r.Shrinkage = 1 }},
		{"shrinkage", func(r *Request) { r.Shrinkage = -0.1 }},
		{"inflow", func(r *Request) { r.ArrivalsPerSecond = -1 }},
		{"inflow", func(r *Request) { r.ArrivalsPerSecond = math.Inf(1) }},
		{"concurrency", func(r *Request) { r.Concurrency = 0 }},
		{"target time", func(r *Request) { r.TargetSeconds = -1 }},
		{"concurrency slowdown", func(r *Request) { r.ConcurrencySlowdown = 2 }},
		{"offered load", func(r *Request) { r.ArrivalsPerSecond = 1e12 }},
	} {
		r := base
		tc.edit(&r)
		_, err := Agents(r)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != tc.field {
			t.Errorf("%s: got %v, want an InputError for %q", tc.field, err, tc.field)
		}
	}
}

func TestMaxOccupancyOfOneStillTerminates(t *testing.T) {
	r := publishedRequest()
	r.MaxOccupancy = 1
	r.TargetServiceLevel = 0.999999
	r.TargetSeconds = 0
	res, err := Agents(r)
	if err != nil {
		t.Fatal(err)
	}
	if res.ServiceLevel < r.TargetServiceLevel {
		t.Errorf("SL %v", res.ServiceLevel)
	}
}

func TestBacklogAgents(t *testing.T) {
	// 120 emails/h, 6 min each: 12 Erlangs; 300 waiting, 4 h target.
	r := BacklogRequest{
		ArrivalsPerSecond:    120.0 / 3600,
		HandleTimeSeconds:    360,
		Backlog:              300,
		FirstResponseSeconds: 4 * 3600,
		MaxOccupancy:         0.85,
		Shrinkage:            0.3,
	}
	res, err := BacklogAgents(r)
	if err != nil {
		t.Fatal(err)
	}
	// Inflow bound: 12/0.85 = 14.1 -> 15; backlog bound: 300*360/14400 = 7.5.
	if res.Agents != 15 {
		t.Errorf("agents = %d, want 15 (occupancy bound)", res.Agents)
	}
	if res.ServiceLevel != 1 || res.FirstResponseSeconds > r.FirstResponseSeconds {
		t.Errorf("forecast %+v", res)
	}
	// A large backlog dominates: 3000 waiting, 1 h target -> 300 agents.
	r.Backlog, r.FirstResponseSeconds = 3000, 3600
	res, err = BacklogAgents(r)
	if err != nil {
		t.Fatal(err)
	}
	if res.Agents != 300 {
		t.Errorf("agents = %d, want 300 (backlog bound)", res.Agents)
	}
	if res.FirstResponseSeconds != 3600 {
		t.Errorf("first response = %v, want 3600", res.FirstResponseSeconds)
	}
	// Understaffed: half the agents answer half the backlog in time.
	_, _, sl := BacklogForecast(150, r)
	if round(sl, 3) != 0.5 {
		t.Errorf("SL at half staffing = %v, want 0.5", sl)
	}
	if _, err := BacklogAgents(BacklogRequest{HandleTimeSeconds: 1, FirstResponseSeconds: 0, MaxOccupancy: 1}); err == nil {
		t.Error("zero first response: want an error")
	}
}

func TestBots(t *testing.T) {
	// 3,600 chats/h, 90 s each: 90 concurrent; 50 per replica -> 2.
	res, err := Bots(BotRequest{ArrivalsPerSecond: 1, HandleTimeSeconds: 90, ConversationsPerReplica: 50, Containment: 0.6})
	if err != nil {
		t.Fatal(err)
	}
	if res.Replicas != 2 || math.Abs(res.HumanArrivalsPerSecond-0.4) > 1e-12 || res.ConcurrentConversations != 90 {
		t.Errorf("got %+v", res)
	}
	res, _ = Bots(BotRequest{ArrivalsPerSecond: 100.0 / 90, HandleTimeSeconds: 90, ConversationsPerReplica: 50})
	if res.Replicas != 2 {
		t.Errorf("exactly 100 conversations: %d replicas, want 2", res.Replicas)
	}
	for _, bad := range []BotRequest{
		{ArrivalsPerSecond: 1, HandleTimeSeconds: 0, ConversationsPerReplica: 1},
		{ArrivalsPerSecond: 1, HandleTimeSeconds: 1, ConversationsPerReplica: 0},
		{ArrivalsPerSecond: 1, HandleTimeSeconds: 1, ConversationsPerReplica: 1, Containment: 1},
		{ArrivalsPerSecond: -1, HandleTimeSeconds: 1, ConversationsPerReplica: 1},
	} {
		if _, err := Bots(bad); err == nil {
			t.Errorf("%+v: want an error", bad)
		}
	}
}

func TestErlangA(t *testing.T) {
	// With near-infinite patience Erlang A matches Erlang C.
	a, err := ErlangA(14, 100.0/1800, 180, 1e9)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := ErlangC(14, 10)
	if math.Abs(a.WaitProbability-c) > 1e-4 || a.AbandonProbability > 1e-4 {
		t.Errorf("patient customers: wait %v (C %v), abandon %v", a.WaitProbability, c, a.AbandonProbability)
	}
	// Impatient customers: fewer wait long, some abandon; works even with
	// fewer servers than the load, where Erlang C has no answer.
	short, err := ErlangA(8, 100.0/1800, 180, 60)
	if err != nil {
		t.Fatal(err)
	}
	if short.AbandonProbability <= 0.05 || short.AbandonProbability >= 1 || math.IsNaN(short.ASASeconds) {
		t.Errorf("overloaded: %+v", short)
	}
	// Abandonment falls as servers are added.
	more, _ := ErlangA(12, 100.0/1800, 180, 60)
	if more.AbandonProbability >= short.AbandonProbability {
		t.Errorf("abandonment did not fall: %v -> %v", short.AbandonProbability, more.AbandonProbability)
	}
	// Extreme overload stays finite.
	x, err := ErlangA(1, 1000, 180, 60)
	if err != nil || math.IsNaN(x.AbandonProbability) || x.AbandonProbability < 0.99 {
		t.Errorf("extreme overload: %+v, %v", x, err)
	}
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// Beyond MaxAgents the answer is the occupancy bound, a true lower bound
// on the uncapped need; within it the search is unchanged.
func TestMaxAgentsBoundsTheSearch(t *testing.T) {
	for _, erlangs := range []float64{50, 400, 3000} {
		r := publishedRequest()
		r.ArrivalsPerSecond = erlangs / r.HandleTimeSeconds
		full, err := Agents(r)
		if err != nil {
			t.Fatal(err)
		}
		r.MaxAgents = full.Agents // the need fits: same answer
		if got, _ := Agents(r); got.Agents != full.Agents || got.AtLeast {
			t.Errorf("%v Erlangs, max %d: %+v, want the full search's %d", erlangs, r.MaxAgents, got, full.Agents)
		}
		r.MaxAgents = full.Agents * 2 / 3 // a little below: still the exact need
		if got, _ := Agents(r); got.Agents != full.Agents || got.AtLeast {
			t.Errorf("%v Erlangs, max %d: %+v, want the exact %d", erlangs, r.MaxAgents, got, full.Agents)
		}
		r.MaxAgents = full.Agents / 3 // far beyond it: a lower bound, never above the need
		got, _ := Agents(r)
		if !got.AtLeast || got.Agents > full.Agents || got.Agents <= r.MaxAgents {
			t.Errorf("%v Erlangs, max %d: %+v, want a lower bound in (%d, %d]", erlangs, r.MaxAgents, got, r.MaxAgents, full.Agents)
		}
	}
}

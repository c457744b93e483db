package surge

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func spike(v float64, known bool) Trigger {
	return Trigger{Name: "inflowSpike", Known: known, Eligible: true, Value: v, Enter: 3, Exit: 1.5, For: 30 * time.Second}
}

func auto(at time.Duration, ts ...Trigger) Input {
	return Input{Now: t0.Add(at), Mode: ModeAuto, Triggers: ts, MinActive: 15 * time.Minute, QuietFor: 10 * time.Minute, CoolingDownFor: 5 * time.Minute}
}

type step struct {
	in     Input
	phase  Phase
	reason string // of the transition at this step, "" for none
}

func run(t *testing.T, steps []step) {
	t.Helper()
	var s State
	for i, st := range steps {
		var tr *Transition
		s, tr = Step(s, st.in)
		if s.Phase != st.phase {
			t.Fatalf("step %d (t+%v): phase %s, want %s", i, st.in.Now.Sub(t0), s.Phase, st.phase)
		}
		got := ""
		if tr != nil {
			got = tr.Reason
		}
		if got != st.reason {
			t.Fatalf("step %d (t+%v): transition %q, want %q", i, st.in.Now.Sub(t0), got, st.reason)
		}
	}
}

func TestLifecycle(t *testing.T) {
	run(t, []step{
		{auto(0, spike(1, true)), Armed, ""},
		{auto(10*time.Second, spike(4, true)), Armed, ""},                  // holds, not yet for 30s
		{auto(39*time.Second, spike(4, true)), Armed, ""},                  // 29s
		{auto(40*time.Second, spike(4, true)), Active, ReasonTriggerFired}, // 30s
		{auto(5*time.Minute, spike(1.2, true)), Active, ""},                // quiet, but minActive not passed
		{auto(14*time.Minute, spike(1.2, true)), Active, ""},
		{auto(15*time.Minute+39*time.Second, spike(1.2, true)), Active, ""}, // quiet since 5m: 10m39s but minActive 15m from 40s
		{auto(15*time.Minute+40*time.Second, spike(1.2, true)), CoolingDown, ReasonQuiet},
		{auto(18*time.Minute, spike(1.2, true)), CoolingDown, ""},
		{auto(20*time.Minute+40*time.Second, spike(1.2, true)), Armed, ReasonCooledDown},
	})
}

func TestHysteresis(t *testing.T) {
	// Between exit (1.5) and enter (3): neither enters nor counts as quiet.
	run(t, []step{
		{auto(0, spike(5, true)), Armed, ""},
		{auto(30*time.Second, spike(5, true)), Active, ReasonTriggerFired},
		{auto(time.Minute, spike(2, true)), Active, ""},
		{auto(40*time.Minute, spike(2, true)), Active, ""}, // 2 ≥ exit: never quiet
		{auto(41*time.Minute, spike(1.4, true)), Active, ""},
		{auto(51*time.Minute, spike(1.4, true)), CoolingDown, ReasonQuiet},
	})
}

func TestUnknownReadingNeitherFiresNorEnds(t *testing.T) {
	run(t, []step{
		{auto(0, spike(5, true)), Armed, ""},
		{auto(30*time.Second, spike(5, true)), Active, ReasonTriggerFired},
		{auto(20*time.Minute, spike(0, false)), Active, ""},
		{auto(40*time.Minute, spike(0, false)), Active, ""}, // Prometheus down: the surge goes on
	})
	run(t, []step{
		{auto(0, spike(0, false)), Armed, ""},
		{auto(time.Hour, spike(0, false)), Armed, ""},
	})
}

func TestMinInflowMakesTriggerIneligible(t *testing.T) {
	quiet := spike(10, true)
	quiet.Eligible = false
	run(t, []step{
		{auto(0, quiet), Armed, ""},
		{auto(time.Minute, quiet), Armed, ""},
	})
}

func TestMatchAll(t *testing.T) {
	backlog := Trigger{Name: "backlog", Known: true, Eligible: true, Value: 50, Enter: 200, Exit: 100}
	in := func(at time.Duration, b float64) Input {
		i := auto(at, spike(5, true), Trigger{Name: "backlog", Known: true, Eligible: true, Value: b, Enter: 200, Exit: 100})
		i.MatchAll = true
		return i
	}
	_ = backlog
	run(t, []step{
		{in(0, 50), Armed, ""},
		{in(time.Minute, 50), Armed, ""}, // spike holds, backlog does not
		{in(2*time.Minute, 300), Active, ReasonTriggerFired},
	})
}

func TestManualModes(t *testing.T) {
	until := t0.Add(30 * time.Minute)
	on := func(at time.Duration) Input {
		i := auto(at, spike(1, true))
		i.Mode, i.ActiveUntil, i.ManualReason = ModeOn, &until, "BTC -20%"
		return i
	}
	off := func(at time.Duration, v float64) Input {
		i := auto(at, spike(v, true))
		i.Mode = ModeOff
		return i
	}
	run(t, []step{
		{auto(0, spike(1, true)), Armed, ""},
		{on(time.Minute), Active, ReasonManualOn},
		{on(29 * time.Minute), Active, ""},
		// activeUntil passed: automatic rules; quiet since 30m, minActive done.
		{auto(31*time.Minute, spike(1, true)), Active, ""},
		{auto(41*time.Minute, spike(1, true)), CoolingDown, ReasonQuiet},
		// Off wins over a firing trigger.
		{off(42*time.Minute, 9), Disabled, ReasonManualOff},
		{off(50*time.Minute, 9), Disabled, ""},
		// Back to Auto while the trigger has held all along: Active at once.
		{auto(51*time.Minute, spike(9, true)), Active, ReasonTriggerFired},
		{off(52*time.Minute, 1), Disabled, ReasonManualOff},
		// Back to Auto with calm triggers: Armed.
		{auto(53*time.Minute, spike(1, true)), Armed, ReasonAutoResumed},
	})
}

func TestForcingAnActivePlanIsRecorded(t *testing.T) {
	until := t0.Add(time.Hour)
	on := auto(2*time.Minute, spike(9, true))
	on.Mode, on.ActiveUntil = ModeOn, &until
	on2 := on
	on2.Now = t0.Add(3 * time.Minute)
	run(t, []step{
		{auto(0, spike(9, true)), Armed, ""},
		{auto(30*time.Second, spike(9, true)), Active, ReasonTriggerFired},
		{on, Active, ReasonManualOn}, // already Active, but now forced: an audit entry
		{on2, Active, ""},
	})
}

func TestMaxDuration(t *testing.T) {
	in := func(at time.Duration) Input {
		i := auto(at, spike(9, true))
		i.MaxDuration = time.Hour
		return i
	}
	run(t, []step{
		{in(0), Armed, ""},
		{in(30 * time.Second), Active, ReasonTriggerFired},
		{in(time.Hour), Active, ""},
		{in(time.Hour + 30*time.Second), CoolingDown, ReasonMaxDuration},
		// The trigger must hold for its `for` anew before re-entering.
		{in(time.Hour + 40*time.Second), CoolingDown, ""},
		{in(time.Hour + 71*time.Second), Active, ReasonTriggerFired},
	})
}

func TestQueries(t *testing.T) {
	m := QueueMatcher("exchange", []string{"retail-chat", "a.b"})
	if m != "namespace=\"exchange\",queue=~`^(a\\.b|retail-chat)$`" {
		t.Errorf("matcher %s", m)
	}
	if q := SpikeSamplesQuery(m, 5*time.Minute); q != "frontline_tickets_created_total{"+m+"}[5m]" {
		t.Errorf("samples %s", q)
	}
	if q := SpikeBaselineQuery(m, 5*time.Minute, time.Hour); q != "avg_over_time(rate(frontline_tickets_created_total{"+m+"}[5m])[1h:5m] offset 5m)" {
		t.Errorf("baseline %s", q)
	}
	if q := BacklogSumQuery(m); q != "sum(frontline_queue_backlog{"+m+"})" {
		t.Errorf("backlog %s", q)
	}
}

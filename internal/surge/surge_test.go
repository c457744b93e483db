package surge

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/inflow"
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
		{auto(10*time.Second, spike(4, true)), Armed, ""},                                  // holds, not yet for 30s
		{auto(39*time.Second, spike(4, true)), Armed, ""},                                  // 29s
		{auto(40*time.Second, spike(4, true)), Active, supportv1alpha1.ReasonTriggerFired}, // 30s
		{auto(5*time.Minute, spike(1.2, true)), Active, ""},                                // quiet, but minActive not passed
		{auto(14*time.Minute, spike(1.2, true)), Active, ""},
		{auto(15*time.Minute+39*time.Second, spike(1.2, true)), Active, ""}, // quiet since 5m: 10m39s but minActive 15m from 40s
		{auto(15*time.Minute+40*time.Second, spike(1.2, true)), CoolingDown, supportv1alpha1.ReasonQuiet},
		{auto(18*time.Minute, spike(1.2, true)), CoolingDown, ""},
		{auto(20*time.Minute+40*time.Second, spike(1.2, true)), Armed, supportv1alpha1.ReasonCooledDown},
	})
}

func TestHysteresis(t *testing.T) {
	// Between exit (1.5) and enter (3): neither enters nor counts as quiet.
	run(t, []step{
		{auto(0, spike(5, true)), Armed, ""},
		{auto(30*time.Second, spike(5, true)), Active, supportv1alpha1.ReasonTriggerFired},
		{auto(time.Minute, spike(2, true)), Active, ""},
		{auto(40*time.Minute, spike(2, true)), Active, ""}, // 2 ≥ exit: never quiet
		{auto(41*time.Minute, spike(1.4, true)), Active, ""},
		{auto(51*time.Minute, spike(1.4, true)), CoolingDown, supportv1alpha1.ReasonQuiet},
	})
}

func TestUnknownReadingNeitherFiresNorEnds(t *testing.T) {
	run(t, []step{
		{auto(0, spike(5, true)), Armed, ""},
		{auto(30*time.Second, spike(5, true)), Active, supportv1alpha1.ReasonTriggerFired},
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
		{in(2*time.Minute, 300), Active, supportv1alpha1.ReasonTriggerFired},
	})
}

func TestManualModes(t *testing.T) {
	until := t0.Add(30 * time.Minute)
	on := func(at time.Duration) Input {
		i := auto(at, spike(1, true))
		i.Mode, i.ActiveUntil, i.ManualReason, i.OverrideBy = ModeAlways, &until, "BTC -20%", "alice"
		return i
	}
	off := func(at time.Duration, v float64) Input {
		i := auto(at, spike(v, true))
		i.Mode, i.OverrideBy = ModeNever, "bob"
		return i
	}
	run(t, []step{
		{auto(0, spike(1, true)), Armed, ""},
		{on(time.Minute), Active, supportv1alpha1.ReasonManualOn},
		{on(29 * time.Minute), Active, ""},
		// activeUntil passed: automatic rules; quiet since 30m, minActive done.
		{auto(31*time.Minute, spike(1, true)), Active, ""},
		{auto(41*time.Minute, spike(1, true)), CoolingDown, supportv1alpha1.ReasonQuiet},
		// Off wins over a firing trigger.
		{off(42*time.Minute, 9), Disabled, supportv1alpha1.ReasonManualOff},
		{off(50*time.Minute, 9), Disabled, ""},
		// Back to Auto while the trigger has held all along: Active at once.
		{auto(51*time.Minute, spike(9, true)), Active, supportv1alpha1.ReasonTriggerFired},
		{off(52*time.Minute, 1), Disabled, supportv1alpha1.ReasonManualOff},
		// Back to Auto with calm triggers: Armed.
		{auto(53*time.Minute, spike(1, true)), Armed, supportv1alpha1.ReasonAutoResumed},
	})
}

func TestForcingAnActivePlanIsRecorded(t *testing.T) {
	until := t0.Add(time.Hour)
	on := auto(2*time.Minute, spike(9, true))
	on.Mode, on.ActiveUntil, on.OverrideBy = ModeAlways, &until, "alice"
	on2 := on
	on2.Now = t0.Add(3 * time.Minute)
	run(t, []step{
		{auto(0, spike(9, true)), Armed, ""},
		{auto(30*time.Second, spike(9, true)), Active, supportv1alpha1.ReasonTriggerFired},
		{on, Active, supportv1alpha1.ReasonManualOn}, // already Active, but now forced: an audit entry
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
		{in(30 * time.Second), Active, supportv1alpha1.ReasonTriggerFired},
		{in(time.Hour), Active, ""},
		{in(time.Hour + 30*time.Second), CoolingDown, supportv1alpha1.ReasonMaxDuration},
		// The trigger must hold for its `for` anew before re-entering.
		{in(time.Hour + 40*time.Second), CoolingDown, ""},
		{in(time.Hour + 71*time.Second), Active, supportv1alpha1.ReasonTriggerFired},
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
	if q := SpikeBaselineSamplesQuery(m, 5*time.Minute, time.Hour); q != "count_over_time(frontline_tickets_created_total{"+m+"}[1h] offset 5m)" {
		t.Errorf("baseline samples %s", q)
	}
	if q := BacklogSumQuery(m); q != "sum(frontline_queue_backlog{"+m+"})" {
		t.Errorf("backlog %s", q)
	}
}

// TestModesInSpec: Always and Never kept in Git drive the plan as an
// override does, under reasons of their own.
func TestModesInSpec(t *testing.T) {
	always := auto(time.Minute, spike(1, true))
	always.Mode = ModeAlways
	never := auto(2*time.Minute, spike(9, true))
	never.Mode = ModeNever
	run(t, []step{
		{auto(0, spike(1, true)), Armed, ""},
		{always, Active, supportv1alpha1.ReasonModeAlways},
		{never, Disabled, supportv1alpha1.ReasonModeNever},
	})
}

// TestInputForOverrides: an override in the annotations wins over
// spec.mode while in force; expired, the plan follows spec.mode; one that
// cannot be read is ignored and reported.
func TestInputForOverrides(t *testing.T) {
	now := t0.Add(time.Hour)
	for _, tc := range []struct {
		name        string
		specMode    supportv1alpha1.SurgeMode
		annotations map[string]string
		wantMode    Mode
		wantBy      string
		wantErr     bool
	}{
		{"no override: spec", supportv1alpha1.SurgeModeAuto, nil, ModeAuto, "", false},
		{"spec Never", supportv1alpha1.SurgeModeNever, nil, ModeNever, "", false},
		{"on-call on", supportv1alpha1.SurgeModeAuto, map[string]string{
			supportv1alpha1.AnnotationSurgeOverride:      "Always",
			supportv1alpha1.AnnotationSurgeOverrideUntil: now.Add(time.Minute).Format(time.RFC3339),
			supportv1alpha1.AnnotationChangedBy:          "alice",
		}, ModeAlways, "alice", false},
		{"on-call on over spec Never", supportv1alpha1.SurgeModeNever, map[string]string{
			supportv1alpha1.AnnotationSurgeOverride: "Always",
		}, ModeAlways, "unknown", false},
		{"expired: spec again", supportv1alpha1.SurgeModeAuto, map[string]string{
			supportv1alpha1.AnnotationSurgeOverride:      "Always",
			supportv1alpha1.AnnotationSurgeOverrideUntil: now.Add(-time.Second).Format(time.RFC3339),
		}, ModeAuto, "", false},
		{"on-call off", supportv1alpha1.SurgeModeAuto, map[string]string{supportv1alpha1.AnnotationSurgeOverride: "Never"}, ModeNever, "unknown", false},
		{"YAML boolean word", supportv1alpha1.SurgeModeAuto, map[string]string{supportv1alpha1.AnnotationSurgeOverride: "On"}, ModeAuto, "", true},
		{"bad time", supportv1alpha1.SurgeModeAuto, map[string]string{
			supportv1alpha1.AnnotationSurgeOverride:      "Always",
			supportv1alpha1.AnnotationSurgeOverrideUntil: "in 30 minutes",
		}, ModeAuto, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &supportv1alpha1.SurgePlan{}
			p.Annotations = tc.annotations
			p.Spec.Mode = tc.specMode
			p.Spec.Triggers = &supportv1alpha1.SurgeTriggers{}
			in, evaluating, err := InputFor(p, now)
			if in.Mode != tc.wantMode || in.OverrideBy != tc.wantBy || (err != nil) != tc.wantErr {
				t.Errorf("mode %s by %q err %v; want %s by %q err %v", in.Mode, in.OverrideBy, err, tc.wantMode, tc.wantBy, tc.wantErr)
			}
			if evaluating != (tc.wantMode == ModeAuto) {
				t.Errorf("evaluating=%v with mode %s", evaluating, in.Mode)
			}
		})
	}
}

// TestSpikeSeriesYoungOnlyWhenShortOfItsBaseline: a series is tested by
// the young rule, on the tickets it has, only when it has data for less
// than the plan's baseline; a series covering it is compared with its
// usual rate, however few tickets a short baseline holds (the demo's
// 5-minute baseline at 600/h: 50 tickets).
func TestSpikeSeriesYoungOnlyWhenShortOfItsBaseline(t *testing.T) {
	window := func(scrape time.Duration) []inflow.Sample {
		var out []inflow.Sample
		for i := range 12 {
			out = append(out, inflow.Sample{T: time.Unix(1000, 0).Add(time.Duration(i) * scrape), V: float64(i)})
		}
		return out
	}
	spec := TriggerSpec{Kind: KindInflowSpike, Window: time.Minute, Baseline: 5 * time.Minute}
	const usual = 600.0 / 3600
	for _, tc := range []struct {
		name   string
		scrape time.Duration
		base   SpikeBaseline
		ok     bool
		want   inflow.SpikeSeries // without Samples
	}{
		{"full baseline, 5 s scrape", 5 * time.Second, SpikeBaseline{usual, true, 60, 49}, true, inflow.SpikeSeries{Baseline: usual}},
		{"one sample short at the edge", 5 * time.Second, SpikeBaseline{usual, true, 59, 48}, true, inflow.SpikeSeries{Baseline: usual}},
		{"full baseline, 15 s scrape", 15 * time.Second, SpikeBaseline{usual, true, 20, 47}, true, inflow.SpikeSeries{Baseline: usual}},
		{"full baseline without a rate", 5 * time.Second, SpikeBaseline{Samples: 60, Tickets: 49}, false, inflow.SpikeSeries{}},
		{"75 s of history", 5 * time.Second, SpikeBaseline{0, false, 16, 15}, true, inflow.SpikeSeries{Baseline: 0.2, BaselineSeconds: 75}},
		{"restarted exporter, 2 samples", 15 * time.Second, SpikeBaseline{usual, true, 2, 3}, true, inflow.SpikeSeries{Baseline: 0.2, BaselineSeconds: 15}},
		{"a reset read as fewer tickets", 5 * time.Second, SpikeBaseline{0, false, 16, -4}, true, inflow.SpikeSeries{Baseline: 0, BaselineSeconds: 75}},
		{"one sample: no span", 5 * time.Second, SpikeBaseline{usual, true, 1, 0}, false, inflow.SpikeSeries{}},
		{"none", 5 * time.Second, SpikeBaseline{}, false, inflow.SpikeSeries{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := spec.SpikeSeries(window(tc.scrape), tc.base)
			if ok != tc.ok || (ok && (s.Baseline != tc.want.Baseline || s.BaselineSeconds != tc.want.BaselineSeconds)) {
				t.Errorf("%+v, %v; want %+v, %v", s, ok, tc.want, tc.ok)
			}
		})
	}
}

// A scheduled event under way makes the plan Active at once and keeps it
// from going quiet until it ends; then the usual cooldown applies. In mode
// Never it does nothing.
func TestScheduledEventActivates(t *testing.T) {
	during := func(at time.Duration) Input { in := auto(at, spike(1, true)); in.Event = "listing"; return in }
	run(t, []step{
		{auto(0, spike(1, true)), Armed, ""},
		{during(time.Minute), Active, supportv1alpha1.ReasonScheduledEvent},
		{during(30 * time.Minute), Active, ""}, // triggers quiet, the event is not
		{during(60 * time.Minute), Active, ""},
		{auto(61*time.Minute, spike(1, true)), Active, ""}, // quiet from here
		{auto(71*time.Minute, spike(1, true)), CoolingDown, supportv1alpha1.ReasonQuiet},
	})
	never := during(time.Minute)
	never.Mode = ModeNever
	run(t, []step{{never, Disabled, supportv1alpha1.ReasonModeNever}})
}

// TestOverrideAnnotationsAreBounded: an override's reason and author come
// from annotations, which may hold 256 KiB; what reaches status, the
// Surging condition and Events is bounded, so a plan whose reason is a
// novel, or an unreadable override of that size, still records its state (a condition's message over 32 KiB, or an
// Event's note over 1 KiB, would be refused).
func TestOverrideAnnotationsAreBounded(t *testing.T) {
	novel := strings.Repeat("출금 지연 ", 20000) // 260 KB of 3-byte runes and spaces
	o, err := OverrideOf(map[string]string{
		supportv1alpha1.AnnotationSurgeOverride:       string(ModeAlways),
		supportv1alpha1.AnnotationSurgeOverrideReason: novel,
		supportv1alpha1.AnnotationChangedBy:           novel,
	})
	if err != nil {
		t.Fatal(err)
	}
	for annotation := range map[string]bool{supportv1alpha1.AnnotationSurgeOverride: true, supportv1alpha1.AnnotationSurgeOverrideUntil: true} {
		a := map[string]string{supportv1alpha1.AnnotationSurgeOverride: string(ModeAlways), annotation: novel}
		if _, err := OverrideOf(a); err == nil || len(err.Error()) > 512 {
			t.Errorf("%s of %d bytes: error %d bytes long, want a short refusal", annotation, len(novel), len(fmt.Sprint(err)))
		}
	}
	for what, v := range map[string]string{"reason": o.Reason, "changed-by": o.By} {
		if len(v) > 512 || !utf8.ValidString(v) || !strings.HasPrefix(novel, strings.TrimSuffix(v, "…")) {
			t.Errorf("%s: %d bytes, valid UTF-8 %v, want at most 512 of the annotation's", what, len(v), utf8.ValidString(v))
		}
	}
}

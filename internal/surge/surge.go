// Package surge is the SurgePlan lifecycle as a pure state machine:
// Armed → Active → CoolingDown → Armed, Disabled for mode Off, forced Active
// for mode On until activeUntil. Entering uses each trigger's threshold held
// for its `for`; leaving needs every trigger under its lower exit threshold
// for quietFor after minActive (hysteresis), so a plan cannot flap. The
// clock is an input; all state round-trips through the plan's status.
package surge

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

// Phase values (the API's, stable).
type Phase string

const (
	Armed       Phase = "Armed"
	Active      Phase = "Active"
	CoolingDown Phase = "CoolingDown"
	Disabled    Phase = "Disabled"
)

// Mode values, as in the API.
type Mode string

const (
	ModeAuto   Mode = "Auto"
	ModeAlways Mode = "Always"
	ModeNever  Mode = "Never"
)

// Trigger is one trigger's reading at this step.
type Trigger struct {
	Name string
	// Known is false when the value could not be read: an unknown trigger
	// neither fires nor counts as quiet.
	Known bool
	Value float64
	// Enter and Exit are the thresholds (Exit < Enter).
	Enter, Exit float64
	// Eligible is false when a precondition fails (inflow below the
	// minimum), so the trigger cannot fire whatever its value.
	Eligible bool
	For      time.Duration
	// Alarm, when set, is a change detector's verdict and replaces the
	// Value ≥ Enter test for entering (inflowSpike).
	Alarm *bool
	// Unreadable says why the value could not be read (Known false).
	Unreadable string
}

func (t Trigger) holds() bool {
	if t.Alarm != nil {
		return t.Known && t.Eligible && *t.Alarm
	}
	return t.Known && t.Eligible && t.Value >= t.Enter
}
func (t Trigger) quiet() bool { return t.Known && t.Value < t.Exit }

// Input is one evaluation.
type Input struct {
	Now            time.Time
	Mode           Mode
	ActiveUntil    *time.Time
	MatchAll       bool
	Triggers       []Trigger
	MinActive      time.Duration
	QuietFor       time.Duration
	CoolingDownFor time.Duration
	// MaxDuration caps an automatic Active period (0: no cap).
	MaxDuration time.Duration
	// ManualReason is the reason recorded with mode changes.
	ManualReason string
	// OverrideBy is set when Mode comes from an on-call override: who set
	// it (the mode in spec is the plan's normal state otherwise).
	OverrideBy string
	// Event describes a scheduled event under way ("" when none): in
	// automatic mode it makes the plan Active, like a trigger that fires
	// at once, and keeps it from going quiet until the event ends.
	Event string
}

// State is what the plan's status carries between evaluations.
type State struct {
	Phase Phase
	Since time.Time
	// QuietSince is when every trigger went under its exit threshold while
	// Active.
	QuietSince *time.Time
	// HoldingSince is when each trigger started to hold.
	HoldingSince map[string]time.Time
	// Forced is true when the current Active period was forced by hand, so
	// forcing an automatically Active plan is still recorded.
	Forced bool
}

// Transition is a phase change, for the audit trail and an Event.
type Transition struct {
	From, To Phase
	Reason   string
	Message  string
}

// Step evaluates the plan once and returns the next state and the
// transition, if any.
func Step(s State, in Input) (State, *Transition) {
	next := State{Phase: s.Phase, Since: s.Since, QuietSince: s.QuietSince, HoldingSince: holding(s.HoldingSince, in)}
	if next.Phase == "" {
		next.Phase, next.Since = Armed, in.Now
	}
	move := func(to Phase, reason, msg string) (State, *Transition) {
		t := &Transition{From: next.Phase, To: to, Reason: reason, Message: msg}
		next.Phase, next.Since, next.QuietSince = to, in.Now, nil
		next.Forced = reason == supportv1alpha1.ReasonManualOn || reason == supportv1alpha1.ReasonModeAlways
		if to != Active {
			// Leaving Active: a trigger must hold for its `for` anew.
			next.HoldingSince = map[string]time.Time{}
		}
		return next, t
	}

	switch {
	case in.Mode == ModeNever:
		if next.Phase != Disabled {
			if in.OverrideBy != "" {
				return move(Disabled, supportv1alpha1.ReasonManualOff, manualMessage("surge turned off by "+in.OverrideBy, in.ManualReason))
			}
			return move(Disabled, supportv1alpha1.ReasonModeNever, manualMessage("mode Never", in.ManualReason))
		}
		return next, nil
	case in.ForcedOn():
		next.Forced = s.Forced
		if next.Phase != Active || !s.Forced {
			msg, reason := "mode Always", supportv1alpha1.ReasonModeAlways
			if in.OverrideBy != "" {
				msg, reason = "surge forced on by "+in.OverrideBy, supportv1alpha1.ReasonManualOn
			}
			if in.ActiveUntil != nil {
				msg += " until " + in.ActiveUntil.UTC().Format(time.RFC3339)
			}
			return move(Active, reason, manualMessage(msg, in.ManualReason))
		}
		next.QuietSince = nil
		return next, nil
	}

	// Automatic (mode Auto, or Always past its end).
	fired, why := fired(next.HoldingSince, in)
	reason := supportv1alpha1.ReasonTriggerFired
	if !fired && in.Event != "" {
		fired, why, reason = true, "scheduled event under way: "+in.Event, supportv1alpha1.ReasonScheduledEvent
	}
	switch next.Phase {
	case Disabled:
		if fired {
			return move(Active, reason, why)
		}
		return move(Armed, supportv1alpha1.ReasonAutoResumed, "automatic mode resumed")
	case Armed, CoolingDown:
		if fired {
			return move(Active, reason, why)
		}
		if next.Phase == CoolingDown && in.Now.Sub(next.Since) >= in.CoolingDownFor {
			return move(Armed, supportv1alpha1.ReasonCooledDown, "cooldown complete; triggers armed")
		}
		return next, nil
	case Active:
		if allQuiet(in.Triggers) && in.Event == "" {
			if next.QuietSince == nil {
				t := in.Now
				next.QuietSince = &t
			}
		} else {
			next.QuietSince = nil
		}
		activeFor := in.Now.Sub(next.Since)
		if in.MaxDuration > 0 && activeFor >= max(in.MaxDuration, in.MinActive) {
			return move(CoolingDown, supportv1alpha1.ReasonMaxDuration, fmt.Sprintf("active for %s, the plan's maxDuration", in.MaxDuration))
		}
		if activeFor >= in.MinActive && next.QuietSince != nil && in.Now.Sub(*next.QuietSince) >= in.QuietFor {
			return move(CoolingDown, supportv1alpha1.ReasonQuiet, fmt.Sprintf("every trigger under its exit threshold for %s", in.QuietFor))
		}
	}
	return next, nil
}

// holding updates when each trigger started to hold.
func holding(prev map[string]time.Time, in Input) map[string]time.Time {
	out := map[string]time.Time{}
	for _, t := range in.Triggers {
		if !t.holds() {
			continue
		}
		if since, ok := prev[t.Name]; ok && !since.After(in.Now) {
			out[t.Name] = since
		} else {
			out[t.Name] = in.Now
		}
	}
	return out
}

// fired says whether the triggers fire (any or all, each held for its
// `for`) and names the ones that did.
func fired(holdingSince map[string]time.Time, in Input) (bool, string) {
	if len(in.Triggers) == 0 {
		return false, ""
	}
	var names []string
	for _, t := range in.Triggers {
		since, ok := holdingSince[t.Name]
		if ok && in.Now.Sub(since) >= t.For {
			names = append(names, fmt.Sprintf("%s=%s (threshold %s, held %s)", t.Name, Format(t.Value), Format(t.Enter), in.Now.Sub(since).Round(time.Second)))
		} else if in.MatchAll {
			return false, ""
		}
	}
	if len(names) == 0 {
		return false, ""
	}
	return true, "trigger fired: " + strings.Join(names, ", ")
}

func allQuiet(ts []Trigger) bool {
	for _, t := range ts {
		if !t.quiet() {
			return false
		}
	}
	return true
}

func manualMessage(msg, reason string) string {
	if reason == "" {
		return msg
	}
	return msg + ": " + reason
}

// Format renders a trigger value compactly.
func Format(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

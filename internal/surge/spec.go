package surge

import (
	"fmt"
	"time"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/clip"
	"github.com/frontline-dev/frontline/internal/inflow"
)

// Trigger kinds.
const (
	KindInflowSpike = "inflowSpike"
	KindBacklog     = "backlog"
	KindExternal    = "external"
)

// TriggerSpec is one trigger of a plan with its defaults resolved: what to
// read and the thresholds to compare with. The operator reads the value from
// Prometheus, the simulator from its own queue.
type TriggerSpec struct {
	Name, Kind  string
	Enter, Exit float64
	For         time.Duration
	// Window is how far back the spike detector reads counter samples;
	// Baseline the span before it that sets the reference rate.
	Window, Baseline time.Duration
	MinInflowPerHour float64
	// FalseAlarmEvery is the spike detector's budget; Every how often the
	// plan reads the trigger.
	FalseAlarmEvery, Every time.Duration
	// Query is an external trigger's PromQL; Source the metrics source it
	// reads (empty: the plan's).
	Query, Source string
}

// EvaluationInterval is how often the plan's triggers are read (5s unset).
func EvaluationInterval(p *supportv1alpha1.SurgePlan) time.Duration {
	if d := p.Spec.EvaluationInterval.Duration; d > 0 {
		return d
	}
	return 5 * time.Second
}

// Reading turns a value into the state machine's input; known is false
// when it could not be read, eligible false when a precondition fails.
func (s TriggerSpec) Reading(value float64, known, eligible bool) Trigger {
	return Trigger{Name: s.Name, Known: known, Eligible: eligible, Value: value, Enter: s.Enter, Exit: s.Exit, For: s.For}
}

// Failed is a trigger that could not be read, and why.
func (s TriggerSpec) Failed(why string) Trigger {
	t := s.Reading(0, false, false)
	t.Unreadable = why
	return t
}

// TriggerSpecs resolves a plan's triggers. Exit thresholds default to
// halfway between 1 and the ratio (spikes) or half the entry value.
func TriggerSpecs(p *supportv1alpha1.SurgePlan) []TriggerSpec {
	t := p.Spec.Triggers
	if t == nil {
		return nil
	}
	var out []TriggerSpec
	if s := t.InflowSpike; s != nil {
		ratio, _ := s.Ratio.Float64()
		exit := 1 + (ratio-1)/2
		if s.ExitRatio != nil {
			exit, _ = s.ExitRatio.Float64()
		}
		budget := inflow.DefaultSpikeFalseAlarmEvery
		if s.FalseAlarmEvery != nil && s.FalseAlarmEvery.Duration > 0 {
			budget = s.FalseAlarmEvery.Duration
		}
		out = append(out, TriggerSpec{Name: KindInflowSpike, Kind: KindInflowSpike, Enter: ratio, Exit: exit, For: s.For.Duration,
			Window: s.Window.Duration, Baseline: s.Baseline.Duration, MinInflowPerHour: float64(s.MinInflowPerHour), FalseAlarmEvery: budget, Every: EvaluationInterval(p)})
	}
	if b := t.Backlog; b != nil {
		exit := float64(b.Above) / 2
		if b.ExitBelow != nil {
			exit = float64(*b.ExitBelow)
		}
		out = append(out, TriggerSpec{Name: KindBacklog, Kind: KindBacklog, Enter: float64(b.Above), Exit: exit, For: b.For.Duration})
	}
	for _, e := range t.External {
		above, _ := e.Above.Float64()
		exit := above / 2
		if e.ExitBelow != nil {
			exit, _ = e.ExitBelow.Float64()
		}
		out = append(out, TriggerSpec{Name: e.Name, Kind: KindExternal, Enter: above, Exit: exit, For: e.For.Duration, Query: e.Query, Source: e.Source})
	}
	return out
}

// Override is an on-call override read from a plan's annotations.
type Override struct {
	Mode   Mode // ModeAlways or ModeNever
	Until  *time.Time
	Reason string
	By     string
}

// Bounds on what an override's annotations put into status, conditions
// and Events: an annotation may hold 256 KiB, a condition's message 32 KiB
// and an Event's note 1 KiB, and a status or Event over its bound is
// refused, which would leave the plan unable to record anything.
const (
	maxReason    = 512
	maxChangedBy = 128
)

// OverrideReason is the override's reason annotation, bounded.
func OverrideReason(annotations map[string]string) string {
	return clip.String(annotations[supportv1alpha1.AnnotationSurgeOverrideReason], maxReason)
}

// ChangedBy is who last changed the override, by its annotation, bounded.
func ChangedBy(annotations map[string]string) string {
	return clip.String(annotations[supportv1alpha1.AnnotationChangedBy], maxChangedBy)
}

// InForce reports whether the override still applies at now.
func (o *Override) InForce(now time.Time) bool {
	return o != nil && (o.Until == nil || now.Before(*o.Until))
}

// OverrideOf reads the override annotations: nil when there is none, an
// error naming the annotation when one cannot be read (the operator then
// ignores the override and says so).
func OverrideOf(annotations map[string]string) (*Override, error) {
	v, ok := annotations[supportv1alpha1.AnnotationSurgeOverride]
	if !ok {
		return nil, nil
	}
	o := &Override{Mode: Mode(v), Reason: OverrideReason(annotations), By: ChangedBy(annotations)}
	if o.Mode != ModeAlways && o.Mode != ModeNever {
		return nil, fmt.Errorf("annotation %s is %q; it must be %s or %s", supportv1alpha1.AnnotationSurgeOverride, clip.String(v, 64), ModeAlways, ModeNever)
	}
	if u, ok := annotations[supportv1alpha1.AnnotationSurgeOverrideUntil]; ok {
		t, err := time.Parse(time.RFC3339, u)
		if err != nil {
			return nil, fmt.Errorf("annotation %s is %q; it must be an RFC 3339 time, e.g. 2026-11-24T15:04:05Z", supportv1alpha1.AnnotationSurgeOverrideUntil, clip.String(u, 64))
		}
		o.Until = &t
	}
	if o.By == "" {
		o.By = "unknown"
	}
	return o, nil
}

// InputFor is the state machine's input for a plan at now, without trigger
// readings: an on-call override in force wins over spec.mode. Evaluating
// says whether triggers must be read at all (not while Never or forced
// Always); overrideErr is an override that could not be read (ignored).
func InputFor(p *supportv1alpha1.SurgePlan, now time.Time) (in Input, evaluating bool, overrideErr error) {
	in = Input{
		Now:            now,
		Mode:           Mode(p.Spec.Mode),
		MinActive:      p.Spec.Cooldown.MinActive.Duration,
		QuietFor:       p.Spec.Cooldown.QuietFor.Duration,
		CoolingDownFor: p.Spec.Cooldown.CoolingDownFor.Duration,
		ManualReason:   p.Spec.Reason,
	}
	if in.Mode == "" {
		in.Mode = ModeAuto
	}
	if p.Spec.ActiveUntil != nil {
		t := p.Spec.ActiveUntil.Time
		in.ActiveUntil = &t
	}
	o, overrideErr := OverrideOf(p.Annotations)
	if o.InForce(now) {
		in.Mode, in.ActiveUntil, in.ManualReason, in.OverrideBy = o.Mode, o.Until, o.Reason, o.By
	}
	if p.Spec.MaxDuration != nil {
		in.MaxDuration = p.Spec.MaxDuration.Duration
	}
	if p.Spec.Triggers != nil {
		in.MatchAll = p.Spec.Triggers.Match == supportv1alpha1.TriggerMatchAll
	}
	return in, p.Spec.Triggers != nil && in.Mode != ModeNever && !in.ForcedOn(), overrideErr
}

// Off reports whether the plan is off (mode Never, in spec or by hand):
// neither triggers nor scheduled events act.
func (in Input) Off() bool { return in.Mode == ModeNever }

// ForcedOn reports whether mode Always is in force at the input's time.
func (in Input) ForcedOn() bool {
	return in.Mode == ModeAlways && (in.ActiveUntil == nil || in.Now.Before(*in.ActiveUntil))
}

// SpikeBaseline is what Prometheus holds of a series before the spike
// window: its usual rate (SpikeBaselineQuery; HasRate false when it has
// none), how many samples the baseline has (SpikeBaselineSamplesQuery)
// and the tickets they count (SpikeBaselineTicketsQuery).
type SpikeBaseline struct {
	Rate    float64
	HasRate bool
	Samples float64
	Tickets float64
}

// SpikeSeries is one counter series for Spike: its samples inside the
// window against its baseline. A series with data for less than the
// trigger's baseline (a new queue, a restarted exporter) is young: its
// reference is the tickets it has over the span it has, tested by the
// estimator's young rule rather than trusted. A series with data for the
// whole baseline is compared with its usual rate, however few tickets the
// plan's baseline holds: that is the reference its author chose. ok is
// false for a series with nothing before the window to rise from.
func (s TriggerSpec) SpikeSeries(samples []inflow.Sample, base SpikeBaseline) (_ inflow.SpikeSeries, ok bool) {
	_, scrape := inflow.Increments(samples)
	if scrape <= 0 || base.Samples < 2 {
		return inflow.SpikeSeries{}, false
	}
	// n samples span n-1 scrapes; one scrape more of slack, as the first
	// may fall just after the baseline's start.
	if span := (base.Samples - 1) * scrape; span < s.Baseline.Seconds()-2*scrape {
		return inflow.SpikeSeries{Samples: samples, Baseline: max(base.Tickets, 0) / span, BaselineSeconds: span}, true
	}
	return inflow.SpikeSeries{Samples: samples, Baseline: base.Rate}, base.HasRate
}

// Spike reads an inflow spike trigger from the counter samples of the
// plan's queues inside the window, each series with its baseline rate: the
// change detector's verdict decides entering, the ratio is the value shown
// and compared with the exit ratio. The operator and the simulator both
// read spikes through here.
func (s TriggerSpec) Spike(series []inflow.SpikeSeries) Trigger {
	v := inflow.DetectSpike(series, s.Enter, s.FalseAlarmEvery, s.Every)
	t := s.Reading(v.Ratio, v.Known, v.InflowPerSecond*3600 >= s.MinInflowPerHour)
	t.Alarm = &v.Alarm
	if !v.Known {
		t.Unreadable = "no counter samples with a baseline in the window (a queue younger than window + baseline has none yet)"
	}
	return t
}

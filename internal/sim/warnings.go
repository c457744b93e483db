package sim

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/frontline-dev/frontline/internal/scaling"
)

// Warnings are what a planner should know about a run's results: calm load
// the queue's maxReplicas cannot carry, plans that never fired on the trace,
// an SLA no policy meets.
func Warnings(cfg Config, results []Result) []string {
	var out []string
	shape, err := scaling.ShapeOf(cfg.Queue)
	if err != nil {
		return nil
	}
	target, err := scaling.TargetOf(cfg.Policy, cfg.Queue.Spec.Channel, cfg.Queue.Spec.Priority)
	if err != nil {
		return nil
	}
	if calm, aht := medianLoad(cfg.Trace); calm > 0 {
		rate := calm / 3600
		need, err := scaling.ComputeNeed(shape, target, scaling.Measurements{InflowPerSecond: &rate, HandleTimeSeconds: &aht})
		if err == nil && need.Agents > shape.Agents.Max {
			out = append(out, fmt.Sprintf("at its median inflow of %.0f/h the queue needs %d agents, maxReplicas is %d",
				calm, need.Agents, shape.Agents.Max))
		}
	}
	for _, r := range results {
		switch {
		case r.Policy == FrontlineName:
			for _, p := range cfg.Plans {
				if selects(p, cfg.Queue) && r.PlansActivated[p.Name] == 0 {
					out = append(out, fmt.Sprintf("SurgePlan %s never went Active on this trace", p.Name))
				}
			}
		case r.Policy == CheapestForesightName && r.Unreachable:
			out = append(out, fmt.Sprintf("the SLA is out of reach on this trace: foresight sized for %s at up to maxReplicas %d meets it in %.1f %% of minutes, short of %.1f %%",
				withHeadroom(target, *r.Headroom).SizedFor(), shape.Agents.Max, 100*r.SLMetFraction, 100*Floor(results)))
		}
	}
	return out
}

// Floor is the share of minutes cheapest-foresight must meet: at least
// MinimumSLMetFraction, and as many as Frontline met in the same run.
func Floor(results []Result) float64 {
	floor := MinimumSLMetFraction
	for _, r := range results {
		if r.Policy == FrontlineName {
			floor = max(floor, r.SLMetFraction)
		}
	}
	return floor
}

// medianLoad is the trace's median inflow over time, and its handle time
// then: the calm load that a queue must carry on an ordinary day.
func medianLoad(tr Trace) (perHour, ahtSeconds float64) {
	type span struct {
		p   Point
		dur time.Duration
	}
	end := tr.Length()
	spans := make([]span, len(tr))
	for i, p := range tr {
		next := end
		if i+1 < len(tr) {
			next = tr[i+1].At
		}
		spans[i] = span{p, next - p.At}
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.p.InflowPerHour, b.p.InflowPerHour) })
	var total, acc time.Duration
	for _, s := range spans {
		total += s.dur
	}
	for _, s := range spans {
		acc += s.dur
		if 2*acc >= total {
			return s.p.InflowPerHour, s.p.AHTSeconds
		}
	}
	return 0, 0
}

func withHeadroom(t scaling.Target, headroom float64) scaling.Target {
	t.Headroom = headroom
	return t
}

// SizedTarget says in words what a queue is sized for with the given
// headroom.
func SizedTarget(cfg Config, headroom float64) string {
	target, err := scaling.TargetOf(cfg.Policy, cfg.Queue.Spec.Channel, cfg.Queue.Spec.Priority)
	if err != nil {
		return "?"
	}
	return withHeadroom(target, headroom).SizedFor()
}

package sim

import (
	"fmt"
	"strings"
)

// Bounds of the comparison with the baselines: Frontline meets at least as
// many minutes as the KEDA-like policy, at no more than 5 % above its cost
// and 15 % above cheapest-foresight's.
const (
	MaxCostOverKEDA     = 1.05
	MaxCostOverCheapest = 1.15
)

// Means are one policy's figures averaged over seeds.
type Means struct {
	SLMetFraction, SLIntervalsMetFraction, ReplicaMinutes, SurgeExtraReplicaMinutes float64
	// Headroom is cheapest-foresight's, averaged.
	Headroom float64
}

// Comparison is one queue on one trace over several seeds: Frontline
// against the KEDA-like baseline and cheapest-foresight.
type Comparison struct {
	Queue, Trace string
	Seeds        int
	Frontline    Means
	KEDA         Means
	Cheapest     Means
	Perfect      Means
	// Excluded says why the row is not compared (no policy can meet the SLA).
	Excluded string
	// Failures name the bounds Frontline misses.
	Failures []string
}

// Compare averages each policy over the runs (one []Result per seed, from
// AllPolicies) and checks Frontline against the bounds.
func Compare(queue, trace string, runs [][]Result) Comparison {
	c := Comparison{Queue: queue, Trace: trace, Seeds: len(runs)}
	for _, results := range runs {
		for _, r := range results {
			var m *Means
			switch r.Policy {
			case FrontlineName:
				m = &c.Frontline
			case KEDAName:
				m = &c.KEDA
			case CheapestForesightName:
				m = &c.Cheapest
				if r.Unreachable && c.Excluded == "" {
					c.Excluded = fmt.Sprintf("the SLA is out of reach: foresight at up to maxReplicas meets %.1f %% of minutes, short of %.1f %%", 100*r.SLMetFraction, 100*Floor(results))
				}
				if r.Headroom != nil {
					m.Headroom += *r.Headroom / float64(len(runs))
				}
			case PerfectName:
				m = &c.Perfect
			default:
				continue
			}
			n := float64(len(runs))
			m.SLMetFraction += r.SLMetFraction / n
			m.SLIntervalsMetFraction += r.SLIntervalsMetFraction / n
			m.ReplicaMinutes += r.ReplicaMinutes / n
			m.SurgeExtraReplicaMinutes += r.SurgeExtraReplicaMinutes / n
		}
	}
	if c.Excluded != "" {
		return c
	}
	const eps = 1e-9
	if c.Frontline.SLMetFraction < c.KEDA.SLMetFraction-eps {
		c.Failures = append(c.Failures, fmt.Sprintf("meets %.1f %% of minutes, keda-hpa %.1f %%", 100*c.Frontline.SLMetFraction, 100*c.KEDA.SLMetFraction))
	}
	if r := c.CostOverKEDA(); r > MaxCostOverKEDA {
		c.Failures = append(c.Failures, fmt.Sprintf("costs %.3f× keda-hpa's replica-minutes (at most %.2f×)", r, MaxCostOverKEDA))
	}
	if r := c.CostOverCheapest(); r > MaxCostOverCheapest {
		c.Failures = append(c.Failures, fmt.Sprintf("costs %.3f× cheapest-foresight's replica-minutes (at most %.2f×)", r, MaxCostOverCheapest))
	}
	return c
}

// CostOverKEDA is Frontline's replica-minutes over the KEDA-like policy's.
func (c Comparison) CostOverKEDA() float64 { return c.Frontline.ReplicaMinutes / c.KEDA.ReplicaMinutes }

// CostOverCheapest is Frontline's replica-minutes over cheapest-foresight's.
func (c Comparison) CostOverCheapest() float64 {
	return c.Frontline.ReplicaMinutes / c.Cheapest.ReplicaMinutes
}

// Markdown is the comparisons as a table, excluded rows with their reason.
func Markdown(cs []Comparison) string {
	var b strings.Builder
	b.WriteString("| queue | trace | frontline: minutes / 15-min intervals meeting SLA | keda-hpa | cheapest-foresight (headroom) | frontline replica-minutes | ÷ keda-hpa (≤ 1.05) | ÷ cheapest (≤ 1.15) | |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	for _, c := range cs {
		if c.Excluded != "" {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | excluded: %s | %.0f | | | – |\n", c.Queue, c.Trace, pct2(c.Frontline), pct2(c.KEDA), c.Excluded, c.Frontline.ReplicaMinutes)
			continue
		}
		verdict := "pass"
		if len(c.Failures) > 0 {
			verdict = "FAIL: " + strings.Join(c.Failures, "; ")
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s (%.0f) | %s (%.2f), %.0f | %.0f | %.3f | %.3f | %s |\n", c.Queue, c.Trace,
			pct2(c.Frontline), pct2(c.KEDA), c.KEDA.ReplicaMinutes, pct2(c.Cheapest), c.Cheapest.Headroom, c.Cheapest.ReplicaMinutes,
			c.Frontline.ReplicaMinutes, c.CostOverKEDA(), c.CostOverCheapest(), verdict)
	}
	return b.String()
}

func pct2(m Means) string {
	return fmt.Sprintf("%.1f %% / %.1f %%", 100*m.SLMetFraction, 100*m.SLIntervalsMetFraction)
}

package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/frontline-dev/frontline/internal/sim"
)

// gates are simulate's CI gates, each off at zero: Frontline's share of
// minutes meeting the SLA, and its replica-minutes over a baseline's.
type gates struct {
	minSLAMet     float64
	maxCostFactor float64
	against       string
}

func (g gates) none() bool { return g.minSLAMet == 0 && g.maxCostFactor == 0 }

// baselines are the policies --against may name: every one simulate runs
// but Frontline.
func baselines() []string {
	var out []string
	for _, p := range sim.AllPolicies() {
		if p.Name() != sim.FrontlineName {
			out = append(out, p.Name())
		}
	}
	return out
}

// gateCheck is one gate on one queue, and why it passed or failed.
type gateCheck struct {
	Queue  string `json:"queue"`
	Gate   string `json:"gate"`
	Passed bool   `json:"passed"`
	Why    string `json:"why"`
	// failure is the line the exit error gives for a failed gate.
	failure string
}

// costTolerance keeps a ratio equal to the factor from failing on
// rounding.
const costTolerance = 1e-9

// evaluate checks every gate set on every queue of the results, in the
// results' order.
func (g gates) evaluate(results []sim.Result) []gateCheck {
	var queues []string
	byQueue := map[string]map[string]sim.Result{}
	for _, r := range results {
		if byQueue[r.Queue] == nil {
			byQueue[r.Queue] = map[string]sim.Result{}
			queues = append(queues, r.Queue)
		}
		byQueue[r.Queue][r.Policy] = r
	}
	var out []gateCheck
	for _, q := range queues {
		frontline, ok := byQueue[q][sim.FrontlineName]
		if !ok {
			continue
		}
		if g.minSLAMet > 0 {
			out = append(out, g.slaCheck(q, frontline))
		}
		if g.maxCostFactor > 0 {
			base, found := byQueue[q][g.against]
			out = append(out, g.costCheck(q, frontline, base, found))
		}
	}
	return out
}

func (g gates) slaCheck(queue string, frontline sim.Result) gateCheck {
	c := gateCheck{Queue: queue, Gate: fmt.Sprintf("min-sla-met %.1f %%", 100*g.minSLAMet), Passed: frontline.SLMetFraction >= g.minSLAMet}
	if c.Passed {
		c.Why = fmt.Sprintf("Frontline meets the SLA in %.1f %% of minutes, at least %.1f %%", 100*frontline.SLMetFraction, 100*g.minSLAMet)
		return c
	}
	c.Why = fmt.Sprintf("Frontline meets the SLA in %.1f %% of minutes, below %.1f %%", 100*frontline.SLMetFraction, 100*g.minSLAMet)
	c.failure = fmt.Sprintf("SupportQueue %s meets its SLA in %.1f %% of minutes, below --min-sla-met %.1f %%", queue, 100*frontline.SLMetFraction, 100*g.minSLAMet)
	return c
}

func (g gates) costCheck(queue string, frontline, base sim.Result, found bool) gateCheck {
	c := gateCheck{Queue: queue, Gate: fmt.Sprintf("max-cost-factor %g × %s", g.maxCostFactor, g.against)}
	fail := func(why string) gateCheck {
		c.Why = why
		c.failure = fmt.Sprintf("SupportQueue %s: --max-cost-factor %g against %s: %s", queue, g.maxCostFactor, g.against, why)
		return c
	}
	switch {
	case !found:
		return fail(fmt.Sprintf("no %s result to compare with", g.against))
	case base.Unreachable:
		// cheapest-foresight is the cheapest policy meeting the SLA: with
		// none meeting it there is no such cost, and passing would hide it.
		return fail(fmt.Sprintf("%s cannot meet the SLA on this trace (at most %.1f %% of minutes), so there is no cost meeting it to compare with", g.against, 100*base.SLMetFraction))
	case base.ReplicaMinutes <= 0:
		if frontline.ReplicaMinutes <= 0 {
			c.Passed, c.Why = true, fmt.Sprintf("neither Frontline nor %s ran a replica", g.against)
			return c
		}
		return fail(fmt.Sprintf("Frontline ran %.0f replica-minutes, %s none", frontline.ReplicaMinutes, g.against))
	}
	ratio := frontline.ReplicaMinutes / base.ReplicaMinutes
	c.Why = fmt.Sprintf("Frontline's %.0f replica-minutes are %.3f× %s's %.0f", frontline.ReplicaMinutes, ratio, g.against, base.ReplicaMinutes)
	if ratio <= g.maxCostFactor*(1+costTolerance) {
		c.Passed = true
		c.Why += fmt.Sprintf(", at most %g×", g.maxCostFactor)
		return c
	}
	c.Why += fmt.Sprintf(", above %g×", g.maxCostFactor)
	c.failure = fmt.Sprintf("SupportQueue %s costs %.3f× %s's replica-minutes (%.0f vs %.0f), above --max-cost-factor %g",
		queue, ratio, g.against, frontline.ReplicaMinutes, base.ReplicaMinutes, g.maxCostFactor)
	return c
}

// gateFailure is the exit error (exit 3) naming every failed gate, or nil.
func gateFailure(checks []gateCheck) error {
	var failed []string
	for _, c := range checks {
		if !c.Passed {
			failed = append(failed, c.failure)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return &gateError{strings.Join(failed, "; ")}
}

// printChecks is --check: per queue, each gate, pass or FAIL, and why; then
// the verdict and the exit code it gives.
func printChecks(out io.Writer, checks []gateCheck) error {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(w, "QUEUE\tGATE\tRESULT\tWHY")
	failed := 0
	for _, c := range checks {
		result := "pass"
		if !c.Passed {
			result, failed = "FAIL", failed+1
		}
		_, _ = fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", c.Queue, c.Gate, result, c.Why)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	verdict := fmt.Sprintf("%d of %d checks passed", len(checks)-failed, len(checks))
	if failed > 0 {
		verdict += fmt.Sprintf(": %d failed (exit %d)", failed, exitGate)
	} else {
		verdict += " (exit 0)"
	}
	_, err := fmt.Fprintln(out, verdict)
	return err
}

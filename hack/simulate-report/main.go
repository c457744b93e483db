// Command simulate-report runs `kubectl frontline simulate` on every sample
// queue and built-in scenario, without plans, over several seeds; compares
// Frontline with the KEDA-like baseline and cheapest-foresight
// (internal/sim.Compare); and writes into docs/simulate-report.md, between
// its markers, the comparison table, the before/after table and an example
// of simulate's output, and draws the btc-crash plot. Nothing else in that
// file is touched: the prose around the markers is written by hand. Rows
// that miss a bound say so and are counted at the end of the report.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/frontline-dev/frontline/internal/cli"
	"github.com/frontline-dev/frontline/internal/sim"
)

const (
	samples = "config/samples"
	seeds   = 5
	// reportFile is the one file this command writes text into.
	reportFile = "docs/simulate-report.md"
)

var scenarios = []string{"btc-crash", "calm", "slow-rise", "noisy"}

// beforeEstimator are the retail chat sample's replica-minutes at seed 1
// and beforeBase before the inflow estimator (a one-minute rate() window,
// no headroom), as they were published then: with the sample plan, and
// scaling alone.
var beforeEstimator = map[string]struct{ withPlan, alone float64 }{
	"btc-crash": {1333, 1065}, "calm": {1533, 1543}, "slow-rise": {1960, 1963}, "noisy": {1529, 1546},
}

// beforeAfterQueue is the sample queue the before/after table follows,
// at the calm inflow of beforeEstimator's figures: the report's own runs
// take each queue's from its maxReplicas.
const (
	beforeAfterQueue = "retail-chat"
	beforeBase       = "600"
)

// beforeAfterRuns are seed 1 of beforeAfterQueue at beforeBase in every
// scenario, with the plan and without.
func beforeAfterRuns() (map[string]struct{ withPlan, alone sim.Result }, error) {
	out := map[string]struct{ withPlan, alone sim.Result }{}
	for _, sc := range scenarios {
		var runs [2]sim.Result
		for i, noPlans := range []bool{false, true} {
			args := []string{"--queue", beforeAfterQueue, "--scenario", sc, "--seed", "1", "--base-inflow-per-hour", beforeBase}
			if noPlans {
				args = append(args, "--no-plans")
			}
			o, _, err := simulate(true, args...)
			if err != nil {
				return nil, err
			}
			for _, r := range o.Results {
				if r.Policy == sim.FrontlineName {
					runs[i] = r
				}
			}
		}
		out[sc] = struct{ withPlan, alone sim.Result }{runs[0], runs[1]}
	}
	return out, nil
}

// beforeAfter is the before/after table: beforeAfterRuns against
// beforeEstimator.
func beforeAfter(seed1 map[string]struct{ withPlan, alone sim.Result }) string {
	var b strings.Builder
	b.WriteString("| scenario | with the plan: before → now | of which the plan's extras now | scaling alone: before → now |\n|---|---|---|---|\n")
	higher := 0
	for _, sc := range scenarios {
		before, now := beforeEstimator[sc], seed1[sc]
		if now.withPlan.ReplicaMinutes > before.withPlan || now.alone.ReplicaMinutes > before.alone {
			higher++
		}
		fmt.Fprintf(&b, "| %s | %s → %s (%.0f %%) | %s | %s → %s (%.0f %%) |\n", sc, thousands(before.withPlan), thousands(now.withPlan.ReplicaMinutes),
			100*now.withPlan.SLMetFraction, thousands(now.withPlan.SurgeExtraReplicaMinutes), thousands(before.alone), thousands(now.alone.ReplicaMinutes), 100*now.alone.SLMetFraction)
	}
	fmt.Fprintf(&b, "\n%d of %d scenarios cost more than before.\n", higher, len(scenarios))
	return b.String()
}

// thousands prints whole replica-minutes with a thousands separator.
func thousands(v float64) string { return english.Sprintf("%.0f", v) }

var english = message.NewPrinter(language.English)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "simulate-report:", err)
		os.Exit(1)
	}
}

type output struct {
	Results    []sim.Result          `json:"results"`
	Warnings   []string              `json:"warnings"`
	BaseInflow map[string]baseInflow `json:"baseInflow"`
}

// baseInflow is the calm inflow simulate picked for a queue, and whence.
type baseInflow struct {
	PerHour float64 `json:"inflowPerHour"`
	From    string  `json:"from"`
}

// simulate runs the plugin's simulate command, as a user would: its
// results as JSON, or its table.
func simulate(asJSON bool, args ...string) (output, string, error) {
	if asJSON {
		args = append(args, "-o", "json")
	}
	var out, errOut bytes.Buffer
	if code := cli.Run(append([]string{"simulate", "-f", samples}, args...), strings.NewReader(""), &out, &errOut); code != 0 {
		return output{}, "", fmt.Errorf("simulate %v: exit %d: %s", args, code, errOut.String())
	}
	var o output
	if asJSON {
		if err := json.Unmarshal(out.Bytes(), &o); err != nil {
			return output{}, "", err
		}
	}
	return o, out.String(), nil
}

// scenarioRuns are one scenario's runs over the seeds: per queue, the
// results without plans (one []Result per seed) and Frontline's with
// them; the queues in order; seed 1's warnings; each queue's calm inflow.
type scenarioRuns struct {
	byQueue   map[string][][]sim.Result
	withPlans map[string][]sim.Result
	order     []string
	warnings  []string
	bases     map[string]baseInflow
}

func runScenario(sc string) (scenarioRuns, error) {
	out := scenarioRuns{byQueue: map[string][][]sim.Result{}, withPlans: map[string][]sim.Result{}, bases: map[string]baseInflow{}}
	for seed := 1; seed <= seeds; seed++ {
		for _, noPlans := range []bool{true, false} {
			args := []string{"--scenario", sc, "--seed", fmt.Sprint(seed)}
			if noPlans {
				args = append(args, "--no-plans")
			}
			o, _, err := simulate(true, args...)
			if err != nil {
				return out, err
			}
			per := map[string][]sim.Result{}
			for _, r := range o.Results {
				if _, seen := out.byQueue[r.Queue]; !seen && noPlans {
					out.order = append(out.order, r.Queue)
					out.byQueue[r.Queue] = nil
				}
				per[r.Queue] = append(per[r.Queue], r)
			}
			for q, rs := range per {
				if noPlans {
					out.byQueue[q] = append(out.byQueue[q], rs)
					continue
				}
				for _, r := range rs {
					if r.Policy == sim.FrontlineName {
						out.withPlans[q] = append(out.withPlans[q], r)
					}
				}
			}
			if seed == 1 {
				for _, w := range o.Warnings {
					out.warnings = append(out.warnings, sc+": "+w)
				}
			}
			for q, b := range o.BaseInflow {
				out.bases[q] = b
			}
		}
	}
	return out, nil
}

func run() error {
	var comparisons []sim.Comparison
	var plans strings.Builder
	plans.WriteString("| queue | trace | frontline replica-minutes without plans → with | of which the plans' extras | surges |\n|---|---|---|---|---|\n")
	warnings := map[string]bool{}
	var warningList []string
	compared, failed := 0, 0
	var bases strings.Builder
	bases.WriteString("| queue | trace | calm inflow | from |\n|---|---|---|---|\n")
	for _, sc := range scenarios {
		sr, err := runScenario(sc)
		if err != nil {
			return err
		}
		byQueue, withPlans, order := sr.byQueue, sr.withPlans, sr.order
		for _, w := range sr.warnings {
			if !warnings[w] {
				warnings[w] = true
				warningList = append(warningList, w)
			}
		}
		for _, q := range order {
			fmt.Fprintf(&bases, "| %s | %s | %s/h | %s |\n", q, sc, thousands(sr.bases[q].PerHour), sr.bases[q].From)
			c := sim.Compare(q, sc, byQueue[q])
			comparisons = append(comparisons, c)
			if c.Excluded == "" {
				compared++
				if len(c.Failures) > 0 {
					failed++
				}
			}
			var rm, extra float64
			surges := 0
			for _, r := range withPlans[q] {
				rm += r.ReplicaMinutes / seeds
				extra += r.SurgeExtraReplicaMinutes / seeds
				surges += r.SurgeActivations
			}
			fmt.Fprintf(&plans, "| %s | %s | %.0f → %.0f | %.0f | %d in %d runs |\n", q, sc, c.Frontline.ReplicaMinutes, rm, extra, surges, seeds)
		}
	}

	var report strings.Builder
	fmt.Fprintf(&report, "Sample queues (`%s`), built-in scenarios, %d seeds each, scrape 15 s, pods ready after 30 s; means over the seeds. "+
		"Each queue's calm inflow is the one `simulate` picks by default, the most its `maxReplicas` carry at its SLA over the scenario's peak:\n\n", samples, seeds)
	report.WriteString(bases.String())
	report.WriteString("\nWithout plans (`--no-plans`):\n\n")
	report.WriteString(sim.Markdown(comparisons))
	report.WriteString("\nThe same runs with the sample SurgePlan: what the plans' insurance adds on top of the scaling policy (`surgeExtraReplicaMinutes`, agent replica-minutes):\n\n")
	report.WriteString(plans.String())
	fmt.Fprintf(&report, "\n%d of %d compared rows meet every bound.\n", compared-failed, compared)
	if len(warningList) > 0 {
		report.WriteString("\nWarnings printed by `simulate`:\n\n")
		for _, w := range warningList {
			fmt.Fprintf(&report, "- %s\n", w)
		}
	}
	_, example, err := simulate(false, "--queue", "retail-chat", "--scenario", "btc-crash", "--plot", "docs/img/simulate-btc-crash.png")
	if err != nil {
		return err
	}
	example = "\n```console\n$ kubectl frontline simulate -f config/samples --queue retail-chat --scenario btc-crash --plot crash.png\n" + example + "```\n"
	seed1, err := beforeAfterRuns()
	if err != nil {
		return err
	}
	doc, err := os.ReadFile(reportFile)
	if err != nil {
		return err
	}
	text, err := fill(string(doc), map[string]string{
		"simulate-example":      example,
		"simulate-report":       "\n" + report.String(),
		"simulate-before-after": "\n" + beforeAfter(seed1),
	})
	if err != nil {
		return fmt.Errorf("%s: %w", reportFile, err)
	}
	if err := os.WriteFile(reportFile, []byte(text), 0o644); err != nil {
		return err
	}
	fmt.Print(report.String())
	return nil
}

// fill replaces what stands between each pair of markers
// <!-- name --> … <!-- /name --> with its block; every pair must be there
// once, or nothing is written.
func fill(text string, blocks map[string]string) (string, error) {
	for name, with := range blocks {
		var err error
		if text, err = replaceBetween(text, "<!-- "+name+" -->", "<!-- /"+name+" -->", with); err != nil {
			return "", err
		}
	}
	return text, nil
}

func replaceBetween(text, begin, end, with string) (string, error) {
	if strings.Count(text, begin) != 1 || strings.Count(text, end) != 1 {
		return "", fmt.Errorf("markers %s … %s: want each exactly once", begin, end)
	}
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if j < i {
		return "", fmt.Errorf("marker %s comes before %s", end, begin)
	}
	return text[:i+len(begin)] + with + text[j:], nil
}

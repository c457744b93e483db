package cli

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/scaling"
	"github.com/frontline-dev/frontline/internal/scenario"
	"github.com/frontline-dev/frontline/internal/sim"
)

type simulateOptions struct {
	files      fileOptions
	trace      string
	scenario   string
	queue      string
	baseInflow float64
	seed       uint64
	readyDelay time.Duration
	agentReady time.Duration
	start      string
	patience   time.Duration
	scrape     time.Duration
	output     dataPrintFlags
	plot       string
	noPlans    bool
	gates      gates
	check      bool
}

func newSimulateCommand(s Streams) *cobra.Command {
	o := &simulateOptions{}
	cmd := &cobra.Command{
		Use:   "simulate",
		Short: "Replay a market crash against your queue, SLA policy and surge plans",
		Long: `simulate replays ticket traffic — a CSV trace (columns time, inflow_per_hour,
aht_seconds[, volatility, backlog]) or a built-in scenario — against a
SupportQueue, its SLAPolicy and SurgePlans read from files, on a
discrete-event queue (Poisson arrivals, exponential handle times, k chats per
replica, optional abandonment, pods ready after --pod-ready-delay), with the
operator's own decision code: its inflow estimator reads the ticket counter
as Prometheus would scrape it (--scrape-interval). The same traffic runs through baselines: static
staffing at the minimum, a KEDA+HPA threshold policy with its defaults, and
perfect foresight (sized for the target with no margin), and
cheapest-foresight: perfect foresight with the smallest uniform service-level
headroom that meets the SLA in at least max(95 %, Frontline's share) of
minutes, the cheapest policy as good as Frontline. surgeExtraReplicaMinutes
is what the plans added above the scaling policy (--no-plans leaves them
out). Warnings name calm load beyond maxReplicas, plans that never fire on
the trace, and an SLA no policy meets.

A built-in scenario multiplies each queue's calm inflow: --base-inflow-per-hour
when given; else the queue's status.measured.inflowPerHour (a queue saved
with kubectl get -o yaml); else the most its maxReplicas carry at its SLA,
divided by the scenario's peak (×5 for btc-crash) and rounded down, so the
run shows how the queue scales within its cap. The table's header says which.

The listing scenario's event is announced: unless --no-plans, the run adds
a plan scheduling it (15m lead time, ×6 of each queue's usual inflow) and
shows Frontline once more without it (frontline-unscheduled), reacting
only, and keda-hpa with a cron trigger holding the event's replicas over
the same window (keda-hpa+cron); a last line gives each policy's minutes
meeting the SLA in the event's first 15 minutes, when users panic.
--agent-ready-delay is how long people take to log in once called, on top
of --pod-ready-delay: the lead time covers it, a reaction cannot, and the
foresight baselines call people that long ahead and pay for the wait.

As a CI gate, checked on every queue simulated after the results are
printed: --min-sla-met SHARE fails when Frontline meets the SLA in less than
that share of minutes; --max-cost-factor F fails when Frontline's
replica-minutes are more than F times those of the --against baseline
(cheapest-foresight by default: a baseline that cannot meet the SLA fails
the gate, having no cost to compare with). --check prints, per queue, each
gate, whether it passed and why (after the table; on standard error with
other -o formats, which also carry the checks under "checks").

Exit status:
  0  the simulation ran and every gate set passed
  1  the simulation failed (a file or trace could not be read or admitted)
  2  the command line is wrong (unknown flag, bad value, missing -f)
  3  a gate failed; the error names each queue and gate that failed`,
		Example: `  kubectl frontline simulate -f config/samples/ --scenario btc-crash
  kubectl frontline simulate -f queue.yaml -f slapolicy.yaml -f surgeplan.yaml --trace tickets.csv -o json

  # In CI: hold the change unless every queue meets its SLA in 95 % of the
  # crash's minutes at no more than 1.2 times cheapest-foresight's cost
  kubectl frontline simulate -f config/samples/ --scenario btc-crash --min-sla-met 0.95 --max-cost-factor 1.2 --check`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(s, cmd.Flags().Changed) },
	}
	f := cmd.Flags()
	o.files.addFlags(f, "The SupportQueue, SLAPolicy and SurgePlans.")
	f.StringVar(&o.trace, "trace", "", "CSV trace to replay.")
	f.StringVar(&o.scenario, "scenario", "", "Built-in trace: btc-crash, calm, slow-rise, noisy or listing (an announced ×6 hour at minute 40).")
	f.StringVar(&o.queue, "queue", "", "The SupportQueue to simulate when the files hold several.")
	f.Float64Var(&o.baseInflow, "base-inflow-per-hour", 0, "Calm inflow the built-in scenario multiplies, for every queue (default: each queue's status.measured.inflowPerHour, else what its maxReplicas carry at its SLA over the scenario's peak).")
	f.Uint64Var(&o.seed, "seed", 1, "Random seed: the same seed gives the same result.")
	f.DurationVar(&o.readyDelay, "pod-ready-delay", 30*time.Second, "How long a new replica takes to become ready.")
	f.StringVar(&o.start, "start", "", "Wall-clock time of the trace's first row, RFC 3339 (default 2026-01-01T00:00:00Z): the plans' scheduled events are placed against it.")
	f.DurationVar(&o.agentReady, "agent-ready-delay", 0, "How long a person called in takes to log in and take contacts, on top of --pod-ready-delay (e.g. 10m).")
	f.DurationVar(&o.patience, "patience", 0, "Mean time customers wait before abandoning (0: they never do).")
	f.DurationVar(&o.scrape, "scrape-interval", 15*time.Second, "How often Prometheus scrapes the ticket counter that Frontline's estimator reads.")
	o.output.addFlags(f, "one row per queue and policy")
	f.StringVar(&o.plot, "plot", "", "Draw inflow vs capacity, service level and surge phases to this .png or .svg file.")
	f.BoolVar(&o.noPlans, "no-plans", false, "Leave the SurgePlans out: the scaling policy's own cost, without the plans' insurance.")
	f.Float64Var(&o.gates.minSLAMet, "min-sla-met", 0, "A gate for CI: exit 3 when Frontline meets the SLA in less than this share of minutes (e.g. 0.95) on any queue; the results are printed first.")
	f.Float64Var(&o.gates.maxCostFactor, "max-cost-factor", 0, "A gate for CI: exit 3 when Frontline's replica-minutes are more than this factor (e.g. 1.2) of the --against baseline's on any queue.")
	f.StringVar(&o.gates.against, "against", sim.CheapestForesightName, "The baseline --max-cost-factor compares with: "+strings.Join(baselines(), ", ")+".")
	f.BoolVar(&o.check, "check", false, "Print, per queue, each gate set, whether it passed and why.")
	return cmd
}

// validate checks the flags before anything is read.
func (o *simulateOptions) validate(changed func(string) bool) error {
	switch {
	case o.files.empty():
		return &flagError{"filename", "required: the SupportQueue, SLAPolicy and SurgePlans, e.g. -f config/samples/"}
	case (o.trace == "") == (o.scenario == ""):
		return &flagError{"trace", "give exactly one of --trace FILE or --scenario NAME"}
	case o.output.check() != nil:
		return o.output.check()
	case changed("base-inflow-per-hour") && (o.baseInflow <= 0 || math.IsNaN(o.baseInflow) || math.IsInf(o.baseInflow, 0)):
		return &flagError{"base-inflow-per-hour", "must be a positive number of tickets per hour"}
	case o.baseInflow > sim.MaxInflowPerHour/10:
		return &flagError{"base-inflow-per-hour", fmt.Sprintf("must be at most %d: the scenarios multiply it, and the simulator replays every ticket", sim.MaxInflowPerHour/10)}
	case o.readyDelay < 0:
		return &flagError{"pod-ready-delay", "must be zero or more"}
	case o.agentReady < 0:
		return &flagError{"agent-ready-delay", "must be zero or more"}
	case o.start != "" && o.startTime().IsZero():
		return &flagError{"start", fmt.Sprintf("%q: must be an RFC 3339 time, e.g. 2026-12-10T11:00:00Z", o.start)}
	case o.patience < 0:
		return &flagError{"patience", "must be zero or more"}
	case o.scrape < time.Second:
		return &flagError{"scrape-interval", "must be at least 1s"}
	case o.gates.minSLAMet < 0 || o.gates.minSLAMet > 1 || math.IsNaN(o.gates.minSLAMet):
		return &flagError{"min-sla-met", "must be a share of minutes from 0 to 1, e.g. 0.95"}
	case o.gates.maxCostFactor < 0 || math.IsNaN(o.gates.maxCostFactor) || math.IsInf(o.gates.maxCostFactor, 0):
		return &flagError{"max-cost-factor", "must be a positive factor, e.g. 1.2"}
	case !slices.Contains(baselines(), o.gates.against):
		return &flagError{"against", fmt.Sprintf("%q is not a baseline; use %s", o.gates.against, strings.Join(baselines(), ", "))}
	case changed("against") && o.gates.maxCostFactor == 0:
		return &flagError{"against", "names the baseline of --max-cost-factor; set that too"}
	case o.check && o.gates.none():
		return &flagError{"check", "checks the gates: set --min-sla-met or --max-cost-factor"}
	case o.plot != "" && !slices.Contains(sim.PlotFormats, strings.ToLower(filepath.Ext(o.plot))):
		return &flagError{"plot", fmt.Sprintf("%q must end in .png or .svg", o.plot)}
	}
	return nil
}

func (o *simulateOptions) run(s Streams, changed func(string) bool) error {
	if err := o.validate(changed); err != nil {
		return err
	}
	cfgs, err := o.load(s.In)
	if err != nil {
		return err
	}
	if o.plot != "" && len(cfgs) > 1 {
		return &flagError{"plot", "draws one queue: name it with --queue"}
	}
	var all []sim.Result
	var warnings []string
	bases := map[string]calmInflow{}
	w := tabwriter.NewWriter(s.Out, 0, 0, 2, ' ', 0)
	for i, cfg := range cfgs {
		if o.noPlans {
			cfg.Plans = nil
		}
		base, err := o.calmInflow(cfg)
		if err != nil {
			return fmt.Errorf("SupportQueue %s: %w", cfg.Queue.Name, err)
		}
		if o.scenario != "" {
			bases[cfg.Queue.Name] = base
		}
		results, err := o.simulate(&cfg, base.PerHour)
		if err != nil {
			return fmt.Errorf("SupportQueue %s: %w", cfg.Queue.Name, err)
		}
		for j := range results {
			results[j].Queue = cfg.Queue.Name
		}
		all = append(all, results...)
		for _, warning := range sim.Warnings(cfg, results) {
			warning = fmt.Sprintf("SupportQueue %s: %s", cfg.Queue.Name, warning)
			warnings = append(warnings, warning)
			_, _ = fmt.Fprintf(s.Err, "warning: %s\n", warning)
		}
		if !o.output.isTable() {
			continue
		}
		if i > 0 {
			_, _ = fmt.Fprintln(w)
		}
		printResults(w, cfg, results, traceName(o, base))
	}
	// The gates hold a change to a plan or policy in CI (exit 3), after
	// the results are printed.
	checks := o.gates.evaluate(all)
	if !o.output.isTable() {
		out := map[string]any{"results": all}
		if len(cfgs) == 1 {
			out["queue"] = cfgs[0].Queue.Name
		}
		if len(warnings) > 0 {
			out["warnings"] = warnings
		}
		if len(bases) > 0 {
			out["baseInflow"] = bases
		}
		if !o.gates.none() {
			out["checks"] = checks
		}
		if err := o.output.print(s.Out, out, all); err != nil {
			return err
		}
		if o.check {
			if err := printChecks(s.Err, checks); err != nil {
				return err
			}
		}
		return gateFailure(checks)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if o.check {
		if _, err := fmt.Fprintln(s.Out, "\nChecks"); err != nil {
			return err
		}
		if err := printChecks(s.Out, checks); err != nil {
			return err
		}
	}
	return gateFailure(checks)
}

// printResults writes one queue's table, and what cheapest-foresight's
// headroom means.
func printResults(w io.Writer, cfg sim.Config, results []sim.Result, trace string) {
	_, _ = fmt.Fprintf(w, "Queue %s, SLA %s, %s\n\n", cfg.Queue.Name, slaText(cfg), trace)
	_, _ = fmt.Fprintln(w, "POLICY\tMINUTES MEETING SLA\t15-MIN INTERVALS\tREPLICA-MINUTES\tSURGE EXTRA\tASA P95\tABANDONED\tSURGES")
	var note string
	for _, r := range results {
		_, _ = fmt.Fprintf(w, "%s\t%.1f %%\t%.1f %%\t%.0f\t%.0f\t%.1f s\t%.1f %%\t%d\n", r.Policy, 100*r.SLMetFraction, 100*r.SLIntervalsMetFraction,
			r.ReplicaMinutes, r.SurgeExtraReplicaMinutes, r.ASASecondsP95, 100*r.AbandonedFraction, r.SurgeActivations)
		if r.Headroom != nil && !r.Unreachable {
			note = fmt.Sprintf("\ncheapest-foresight: headroom %.3f (sized for %s) is the least that meets the SLA in %.1f %% of minutes here and holds on %d draws of the arrivals\n",
				*r.Headroom, sim.SizedTarget(cfg, *r.Headroom), 100*r.SLMetFraction, sim.OracleDraws)
		}
	}
	_, _ = fmt.Fprint(w, note)
	var atStart []string
	for _, r := range results {
		if r.EventStartSLMetFraction != nil {
			atStart = append(atStart, fmt.Sprintf("%s %.1f %%", r.Policy, 100**r.EventStartSLMetFraction))
		}
	}
	if len(atStart) > 0 {
		_, _ = fmt.Fprintf(w, "\nminutes meeting SLA in the announced events' first %d minutes: %s\n", sim.EventStartMinutes, strings.Join(atStart, ", "))
	}
}

// simulate runs one queue through every policy (and draws it, if asked);
// cfg gets the trace, a built-in scenario's around base per hour.
func (o *simulateOptions) simulate(cfg *sim.Config, base float64) ([]sim.Result, error) {
	var err error
	if o.trace != "" {
		f, err := os.Open(o.trace)
		if err != nil {
			return nil, &flagError{"trace", err.Error()}
		}
		defer func() { _ = f.Close() }()
		if cfg.Trace, err = sim.ParseTrace(f); err != nil {
			return nil, fmt.Errorf("%s: %w", o.trace, err)
		}
	} else {
		if cfg.Trace, err = sim.BuiltinTrace(o.scenario, base, cfg.Queue.Spec.Agents.AverageHandleTime.Seconds(), o.seed); err != nil {
			return nil, &flagError{"scenario", err.Error()}
		}
		cfg.InflowBeforePerHour = base
	}
	cfg.Seed, cfg.PodReadyDelay, cfg.Patience, cfg.ScrapeInterval = o.seed, o.readyDelay, o.patience, o.scrape
	cfg.AgentReadyDelay, cfg.Start = o.agentReady, o.startTime()
	if cfg.PodReadyDelay == 0 {
		cfg.PodReadyDelay = time.Nanosecond
	}
	run := sim.Run
	if known := o.announced(); len(known) > 0 {
		// The scenario's events are announced: Frontline prepares for
		// them with a plan's schedule, and runs once more without it.
		run = func(cfg sim.Config, policies []sim.Policy) ([]sim.Result, error) {
			return sim.RunAnnounced(cfg, known, policies)
		}
	}
	results, err := run(*cfg, sim.AllPolicies())
	if err != nil {
		return nil, err
	}
	if o.plot != "" {
		if err := writePlot(o.plot, results, *cfg); err != nil {
			return nil, err
		}
	}
	return results, nil
}

// startTime is --start (zero when unset or unreadable).
func (o *simulateOptions) startTime() time.Time {
	t, err := time.Parse(time.RFC3339, o.start)
	if err != nil {
		return time.Time{}
	}
	return t
}

// announced are the built-in scenario's events known ahead (none with
// --no-plans or a trace).
func (o *simulateOptions) announced() []scenario.KnownEvent {
	if o.scenario == "" || o.noPlans {
		return nil
	}
	sc, err := scenario.NewScenario(o.scenario, o.seed)
	if err != nil {
		return nil
	}
	if a, ok := sc.(scenario.Announced); ok {
		return a.Known()
	}
	return nil
}

func traceName(o *simulateOptions, base calmInflow) string {
	if o.trace != "" {
		return "trace " + o.trace
	}
	return fmt.Sprintf("scenario %s at %s/h calm inflow (%s)", o.scenario, perHour(base.PerHour), base.From)
}

// calmInflow is the inflow a built-in scenario multiplies for one queue,
// and where it comes from.
type calmInflow struct {
	PerHour float64 `json:"inflowPerHour"`
	// Source is flag (--base-inflow-per-hour), measured
	// (status.measured.inflowPerHour) or capacity (maxReplicas).
	Source string `json:"source"`
	// From says the same in words, with the figures behind it.
	From string `json:"from"`
}

// Where a calm inflow comes from.
const (
	inflowFromFlag     = "flag"
	inflowFromMeasured = "measured"
	inflowFromCapacity = "capacity"
)

// calmInflow picks a built-in scenario's calm inflow for a queue: the flag;
// else the level the queue measured, as a live object carries it; else the
// most its maxReplicas carry at its SLA over the scenario's peak. One base
// for every queue would test one queue's volume against another's cap.
func (o *simulateOptions) calmInflow(cfg sim.Config) (calmInflow, error) {
	switch m := cfg.Queue.Status.Measured; {
	case o.trace != "":
		return calmInflow{}, nil
	case o.baseInflow > 0:
		return calmInflow{PerHour: o.baseInflow, Source: inflowFromFlag, From: "--base-inflow-per-hour"}, nil
	case m != nil && m.InflowPerHour != nil && *m.InflowPerHour > 0:
		if *m.InflowPerHour > sim.MaxInflowPerHour/10 {
			return calmInflow{}, &flagError{"base-inflow-per-hour", fmt.Sprintf("status.measured.inflowPerHour is %d, above the %d the simulator takes as a base: set a lower one",
				*m.InflowPerHour, sim.MaxInflowPerHour/10)}
		}
		return calmInflow{PerHour: float64(*m.InflowPerHour), Source: inflowFromMeasured, From: "status.measured.inflowPerHour"}, nil
	}
	sc, err := scenario.NewScenario(o.scenario, o.seed)
	if err != nil {
		return calmInflow{}, &flagError{"scenario", err.Error()}
	}
	carried, target, err := carriedPerHour(cfg)
	if err != nil {
		return calmInflow{}, err
	}
	from := fmt.Sprintf("maxReplicas %d carries %s/h sized for %s", cfg.Queue.Spec.Agents.MaxReplicas, perHour(carried), target.SizedFor())
	if sc.Peak() > 1 {
		from += fmt.Sprintf("; the scenario peaks at ×%g", sc.Peak())
	}
	base := min(roundDown(carried/sc.Peak()), sim.MaxInflowPerHour/10)
	return calmInflow{PerHour: base, Source: inflowFromCapacity, From: from}, nil
}

// carriedPerHour is the most inflow the queue's maxReplicas agents carry
// at its SLA target as the operator sizes it (headroom included), at the
// queue's handle time: the capacity model's need never falls as inflow
// grows, so a bisection finds it. It stops at what the simulator draws.
func carriedPerHour(cfg sim.Config) (float64, scaling.Target, error) {
	shape, err := scaling.ShapeOf(cfg.Queue)
	if err != nil {
		return 0, scaling.Target{}, err
	}
	target, err := scaling.TargetOf(cfg.Policy, cfg.Queue.Spec.Channel, cfg.Queue.Spec.Priority)
	if err != nil {
		return 0, scaling.Target{}, err
	}
	fits := func(perHour float64) (bool, error) {
		rate := perHour / 3600
		need, err := scaling.ComputeNeed(shape, target, scaling.Measurements{InflowPerSecond: &rate})
		return need.Agents <= shape.Agents.Max, err
	}
	lo, hi := 0.0, 1.0
	for {
		ok, err := fits(hi)
		if err != nil {
			return 0, target, err
		}
		if !ok {
			break
		}
		if lo = hi; hi >= sim.MaxInflowPerHour {
			return lo, target, nil
		}
		hi *= 2
	}
	for hi-lo > 1e-3*hi {
		mid := (lo + hi) / 2
		ok, err := fits(mid)
		if err != nil {
			return 0, target, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return 0, target, fmt.Errorf("maxReplicas %d cannot carry even 1 ticket an hour sized for %s: give --base-inflow-per-hour", shape.Agents.Max, target.SizedFor())
	}
	return lo, target, nil
}

// roundDown keeps two significant figures, rounding down: a figure a
// person reads at a glance, never above what the queue carries.
func roundDown(v float64) float64 {
	if v <= 0 {
		return 0
	}
	scale := math.Pow(10, 1-math.Floor(math.Log10(v)))
	return math.Floor(v*scale+1e-9) / scale
}

// perHour prints an inflow without a false decimal: whole from 10 up, two
// figures below.
func perHour(v float64) string {
	if v >= 10 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 2, 64)
}

// slaText is the queue's target as the header says it, resolved as the
// operator resolves it (channel and priority).
func slaText(cfg sim.Config) string {
	t, err := scaling.TargetOf(cfg.Policy, cfg.Queue.Spec.Channel, cfg.Queue.Spec.Priority)
	if err != nil {
		return "?"
	}
	return fmt.Sprintf("%.0f%% within %s", 100*t.TargetServiceLevel(), t.AnswerWithin())
}

// load reads the queues (the named one, or every one), their policies and
// the plans from the files.
func (o *simulateOptions) load(stdin io.Reader) ([]sim.Config, error) {
	rs, err := readResources(stdin, o.files, o.queue, true)
	if err != nil {
		return nil, err
	}
	cfgs := make([]sim.Config, len(rs))
	for i, r := range rs {
		cfgs[i] = sim.Config{Queue: r.queue, Policy: r.policy, Plans: r.plans}
	}
	return cfgs, nil
}

// resources are Frontline objects read from files, defaulted as the
// apiserver would.
type resources struct {
	queue  *supportv1alpha1.SupportQueue
	policy *supportv1alpha1.SLAPolicy
	plans  []supportv1alpha1.SurgePlan
}

// loadResources reads the files (fileOptions.read) and picks the queue
// (named, or the only one), its policy and the plans.
func loadResources(stdin io.Reader, files fileOptions, queueName string) ([]resources, error) {
	return readResources(stdin, files, queueName, false)
}

// readResources is loadResources; with all, every queue when none is named.
func readResources(stdin io.Reader, files fileOptions, queueName string, all bool) ([]resources, error) {
	objs, err := files.read(stdin)
	if err != nil {
		return nil, err
	}
	return pickQueues(objs.queues, objs.policies, objs.plans, queueName, all)
}

// pickQueues pairs the named queue (or, with all, every queue when none is
// named; else the only one) with its SLAPolicy and the plans.
func pickQueues(queues []supportv1alpha1.SupportQueue, policies []supportv1alpha1.SLAPolicy, plans []supportv1alpha1.SurgePlan,
	queueName string, all bool) ([]resources, error) {
	var out []resources
	for i := range queues {
		q := &queues[i]
		if queueName != "" && q.Name != queueName {
			continue
		}
		if queueName == "" && !all && len(out) > 0 {
			return nil, &flagError{"queue", fmt.Sprintf("the files hold several SupportQueues (%s, %s, ...): name one", out[0].queue.Name, q.Name)}
		}
		var policy *supportv1alpha1.SLAPolicy
		for j := range policies {
			if policies[j].Name == q.Spec.SLAPolicyRef.Name {
				policy = &policies[j]
			}
		}
		if policy == nil {
			return nil, &flagError{"filename", fmt.Sprintf("SupportQueue %s: spec.slaPolicyRef.name: SLAPolicy %q not found in the files", q.Name, q.Spec.SLAPolicyRef.Name)}
		}
		out = append(out, resources{queue: q, policy: policy, plans: plans})
	}
	if len(out) == 0 {
		return nil, &flagError{"filename", "no SupportQueue found" + map[bool]string{true: " named " + queueName, false: ""}[queueName != ""]}
	}
	return out, nil
}

// writePlot writes the plot whole or not at all: a failed draw leaves no
// half-written file behind.
func writePlot(name string, results []sim.Result, cfg sim.Config) error {
	var buf bytes.Buffer
	if err := sim.Plot(&buf, name, results, cfg); err != nil {
		return err
	}
	return os.WriteFile(name, buf.Bytes(), 0o644)
}
